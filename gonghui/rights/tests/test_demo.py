"""The demo seed: centres, the mediator account, disputes in every status, and the reset."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.orgs.tests.factories import make_workplace
from gonghui.rights.demo import DISPUTES, MEDIATOR_USERNAME, reset_demo_rights, seed_demo_rights
from gonghui.rights.models import CollectiveAlert, Dispute, DisputeStatus, MediationCentre

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_disputes_in_every_status_and_resets(tree):
    for _ in range(3):
        make_workplace(tree.town, tree.acme)
    seed_demo_rights(tree.city, district=tree.east, seed=7)
    assert Dispute.objects.count() == DISPUTES
    assert set(Dispute.objects.values_list("status", flat=True)) == set(DisputeStatus)
    assert Dispute.objects.overdue(timezone.localdate()).exists()
    assert CollectiveAlert.objects.count() == 1
    mediator = User.objects.get(username=MEDIATOR_USERNAME)
    assert mediator.mediator.disputes.exists()
    assert len(set(Dispute.objects.values_list("number", flat=True))) == DISPUTES
    reset_demo_rights(tree.city)
    assert not Dispute.objects.exists()
    assert not MediationCentre.objects.exists()
    assert not User.objects.filter(username=MEDIATOR_USERNAME).exists()
