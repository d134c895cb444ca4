"""The demo hardship files hold the models' invariants and load fast."""

from __future__ import annotations

import random
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.assistance.demo.files import make_demo_files, reset_demo_files
from gonghui.assistance.models import HardshipFile, HardshipFileStatus, HouseholdMember, IncomeThreshold
from gonghui.assistance.services.files import household_figures
from gonghui.members.tests.factories import make_members
from gonghui.orgs.tests.factories import make_tree

pytestmark = pytest.mark.django_db


def test_demo_files_are_consistent_and_reproducible() -> None:
    tree = make_tree()
    for org in (tree.acme, tree.beta, tree.gamma, tree.joint):
        make_members(org, 60)
    started = time.perf_counter()
    made = make_demo_files(tree.city, random.Random(7), count=120)
    assert time.perf_counter() - started < 20
    assert len(made) == 120
    assert IncomeThreshold.objects.filter(org=tree.city, year=timezone.localdate().year).exists()

    active = HouseholdMember.objects.filter(active=True).values_list("person_index", flat=True)
    assert len(active) == len(set(active))
    statuses = Counter(HardshipFile.objects.values_list("status", flat=True))
    assert set(statuses) == set(HardshipFileStatus.values)
    for hardship_file in HardshipFile.objects.prefetch_related("household", "history"):
        people = list(hardship_file.household.all())
        assert people[0].relation == "self"
        assert people[0].person_index == hardship_file.person_index
        figures = household_figures(
            [person.monthly_income for person in people], hardship_file.other_monthly_income
        )
        assert figures.per_capita_income == hardship_file.per_capita_income
        assert hardship_file.household_size == len(people)
        assert all(person.active == (hardship_file.status in {"applied", "on_file"}) for person in people)
        history = list(hardship_file.history.all())
        assert history[0].action == "apply"
        assert history[-1].to_status == hardship_file.status
        assert history[0].created_at == hardship_file.created_at
        if hardship_file.threshold is not None:
            assert hardship_file.threshold > Decimal("0")

    assert make_demo_files(tree.city, random.Random(7), count=120) == []
    reset_demo_files(tree.city)
    assert not HardshipFile.objects.exists()
    assert not IncomeThreshold.objects.exists()
