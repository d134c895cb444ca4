"""The demo's care campaigns: built by rule within their budgets, undone by the reset."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from gonghui.assistance.demo.campaigns import make_demo_campaigns, reset_demo_campaigns
from gonghui.assistance.models import (
    CareBeneficiary,
    CareCampaign,
    CareCampaignStatus,
    EducationApplication,
    HardshipGrade,
)
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_campaigns import member_of, on_file
from gonghui.members.models import Member
from gonghui.orgs.tests.factories import make_tree

pytestmark = pytest.mark.django_db


def test_demo_campaigns_hold_the_rules_and_reset(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    tree = make_tree()
    fund_with(tree.city, "500000.00")
    for index in range(30):
        member = member_of((tree.acme, tree.beta, tree.gamma)[index % 3])
        if index % 4 == 0:
            on_file(member, (HardshipGrade.SEVERE, HardshipGrade.RELATIVE)[index // 4 % 2])
        if index % 5 == 0:
            Member.objects.filter(pk=member.pk).update(is_gig_worker=True)
    campaigns = make_demo_campaigns(tree.city, random.Random(1), district=tree.east)
    assert len(campaigns) == 4
    assert make_demo_campaigns(tree.city, random.Random(1), district=tree.east) == []
    for campaign in campaigns:
        total = CareBeneficiary.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"] or 0
        assert total <= campaign.budget
    winter, summer, autumn, _spring = campaigns
    assert winter.status == CareCampaignStatus.CONFIRMED
    assert CareBeneficiary.objects.filter(campaign=winter).count() == 8
    assert CareBeneficiary.objects.filter(campaign=winter, amount=1500).count() == 4
    # The gig workers of the east district's unions (acme and beta).
    assert CareBeneficiary.objects.filter(campaign=summer).count() == 4
    assert EducationApplication.objects.filter(campaign=autumn).count() == 12
    reset_demo_campaigns(tree.city)
    assert not CareCampaign.objects.exists()
    assert not EducationApplication.objects.exists()
