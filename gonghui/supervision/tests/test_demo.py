"""The demo's supervision: supervisors and about thirty inspections in every state, with notices
of every kind, follow-ups and overdue rows; the reset removes it all."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gonghui.supervision.demo import INSPECTIONS, SUPERVISORS, reset_demo_supervision, seed_demo_supervision
from gonghui.supervision.models import (
    FollowUp,
    Inspection,
    InspectionHistory,
    InspectionStatus,
    Interview,
    Notice,
    NoticeKind,
    Supervisor,
)
from gonghui.supervision.tests.factories import workplace_of

pytestmark = pytest.mark.django_db


def test_seed_and_reset(tree):
    for number in range(INSPECTIONS + 5):
        workplace_of(tree.town, f"示范企业{number}号有限公司")
    seed_demo_supervision(tree.city, district=tree.east, seed=7)
    assert Supervisor.objects.count() == len(SUPERVISORS)
    inspections = list(Inspection.objects.all())
    assert len(inspections) == INSPECTIONS
    assert {inspection.status for inspection in inspections} == set(InspectionStatus.values)
    assert {notice.kind for notice in Notice.objects.all()} == set(NoticeKind.values)
    numbers = list(Notice.objects.values_list("year", "sequence"))
    assert len(numbers) == len(set(numbers))
    assert Notice.objects.overdue(timezone.localdate()).exists()
    assert FollowUp.objects.exists()
    assert Interview.objects.exists()
    for inspection in inspections:
        last = InspectionHistory.objects.filter(inspection=inspection).last()
        assert last is not None
        assert last.to_status == inspection.status
    assert all(notice.rectification_deadline > notice.issued_on for notice in Notice.objects.all())

    reset_demo_supervision(tree.city)
    assert not Inspection.objects.exists()
    assert not Notice.objects.exists()
    assert not Supervisor.objects.exists()
