"""Legal consultation and aid for tests: lawyers with sign-ins, consultations and aid cases as rows."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.legal.models import (
    AidAction,
    AidChannel,
    AidStatus,
    Channel,
    ConsultationStatus,
    Lawyer,
    LegalAid,
    LegalAidHistory,
    LegalConsultation,
    Topic,
)
from gonghui.orgs.models import Org

_serial = count(1)

__all__ = ["PASSWORD", "make_aid", "make_consultation", "make_lawyer", "make_member_with_account"]

PASSWORD = "Lawyer-pass-2026"


def make_lawyer(org: Org, *, account: bool = True, **fields: Any) -> Lawyer:
    serial = next(_serial)
    user = (
        User.objects.create_user(
            username=f"lawyer{serial}", password=PASSWORD, display_name="周律师", kind=AccountKind.OFFICER
        )
        if account
        else None
    )
    values: dict[str, Any] = {
        "name": f"周律师{serial}",
        "law_firm": "示范市明正律师事务所",
        "licence_number": f"{13302201010000000 + serial}",
        "practice_areas": "劳动争议、工伤",
        **fields,
    }
    return Lawyer.objects.create(org=org, user=user, **values)


def make_consultation(org: Org, **fields: Any) -> LegalConsultation:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "channel": Channel.HOTLINE,
        "topic": Topic.WAGES,
        "question": "公司拖欠三个月工资怎么办？",
        "asker_name": "王芳",
        "asker_mobile": "13912345678",
        "asked_on": today,
        "answer_due": today + timedelta(days=5),
        "status": ConsultationStatus.AWAITING,
        **fields,
    }
    return LegalConsultation.objects.create(org=org, **values)


def make_aid(org: Org, *, status: str = AidStatus.SUBMITTED, **fields: Any) -> LegalAid:
    """An application written directly (the service tests check submission), with its first
    history row; a status that needs a lawyer gets one serving `org`."""
    today: date = timezone.localdate()
    if status in {AidStatus.ASSIGNED, AidStatus.IN_PROGRESS, AidStatus.CONCLUDED, AidStatus.CLOSED}:
        fields.setdefault("lawyer", make_lawyer(org))
    values: dict[str, Any] = {
        "channel": AidChannel.OFFICER,
        "applicant_name": "李强",
        "applicant_mobile": "13812345678",
        "matter_type": Topic.WAGES,
        "description": "公司拖欠工资 12000 元",
        "employer_name": "示范市某建筑公司",
        "submitted_on": today,
        "review_due": today + timedelta(days=9),
        "is_eligible": True,
        "eligible_as_member": True,
        "eligible_by_hardship_file": False,
        "eligible_by_income": False,
        **fields,
    }
    aid = LegalAid.objects.create(org=org, status=status, **values)
    LegalAidHistory.objects.create(aid=aid, action=AidAction.SUBMIT, from_status="", to_status=status)
    return aid
