"""Supervision records for tests: rows made directly (for scoping and lists) and through the
services (for the workflow), on any org of a tree."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.tests.factories import make_workplace, officer_at
from gonghui.supervision.models import (
    Finding,
    FollowUp,
    FollowUpResult,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Interview,
    Notice,
    NoticeKind,
    ScopeItem,
    Severity,
    Supervisor,
)
from gonghui.supervision.services import inspections, notices
from gonghui.workdays.deadlines import due_date

__all__ = ["make_workplace", "officer_at"]

_serial = count(1)


def today() -> date:
    return timezone.localdate()


def workplace_of(org: Org, name: str = "甬城精密机械有限公司") -> Workplace:
    """A workplace in `org`'s area (its officers see it)."""
    return make_workplace(org, name=name, district="东区", address="东区东湖路8号")


def make_supervisor(org: Org, name: str = "张明", *, mobile: str = "13800001111", **extra: Any) -> Supervisor:
    fields = {"certificate_number": f"JD-{next(_serial):04d}", "mobile": mobile, **extra}
    return Supervisor.objects.create(org=org, name=name, **fields)


def make_inspection(
    org: Org,
    workplace: Workplace | None = None,
    *,
    status: str = InspectionStatus.PLANNED,
    items: tuple[str, ...] = (ScopeItem.WAGES, ScopeItem.CONTRACTS),
    on: date | None = None,
) -> Inspection:
    """An inspection row in `status`, made directly (no history, no audit)."""
    return Inspection.objects.create(
        org=org,
        workplace=workplace or workplace_of(org),
        inspected_on=on or today(),
        kind=InspectionKind.ROUTINE,
        scope_items=list(items),
        status=status,
    )


def make_finding(
    inspection: Inspection, item: str = ScopeItem.WAGES, text: str = "拖欠3名职工10月工资"
) -> Finding:
    return Finding.objects.create(
        inspection=inspection,
        item=item,
        finding=text,
        severity=Severity.SERIOUS,
        legal_basis="《劳动法》第五十条",
    )


def make_notice(
    org: Org,
    *,
    issued_on: date | None = None,
    deadline: date | None = None,
    kind: str = NoticeKind.REMINDER,
    inspection: Inspection | None = None,
) -> Notice:
    """A notice row with its finding, its inspection (held on the day of issue) awaiting rectification."""
    issued = issued_on or today()
    inspection = inspection or make_inspection(org, status=InspectionStatus.AWAITING_RECTIFICATION, on=issued)
    rectify_by = deadline or issued + timedelta(days=30)
    sequence = next(_serial)
    notice = Notice.objects.create(
        inspection=inspection,
        org=org,
        kind=kind,
        year=issued.year,
        sequence=sequence,
        number=f"测试工监提〔{issued.year}〕{sequence}号",
        issued_on=issued,
        rectification_deadline=rectify_by,
        followup_due=due_date("supervision.followup", rectify_by),
        requirements="立即足额支付拖欠工资。",
        issuer_name=org.name,
        workplace_name=inspection.workplace.name,
    )
    notice.findings.set([make_finding(inspection)])
    return notice


def make_followup(notice: Notice, result: str = FollowUpResult.RECTIFIED, on: date | None = None) -> FollowUp:
    return FollowUp.objects.create(notice=notice, checked_on=on or today(), result=result, note="已补发")


def make_interview(org: Org, workplace: Workplace | None = None) -> Interview:
    return Interview.objects.create(
        org=org,
        workplace=workplace or workplace_of(org),
        held_on=today(),
        representative="王总（总经理）",
        attendees="区总工会 李华；公司 王总",
        subject="欠薪整改约谈",
        record="公司承认拖欠工资。",
        commitments="一周内补发。",
    )


# --- through the services ---------------------------------------------------------------------


def plan(org: Org, workplace: Workplace, actor: User, **changes: Any) -> Inspection:
    fields: dict[str, Any] = {
        "org": org.pk,
        "workplace": workplace.pk,
        "inspected_on": today(),
        "kind": InspectionKind.ROUTINE,
        "scope_items": [ScopeItem.WAGES, ScopeItem.CONTRACTS],
        **changes,
    }
    return inspections.plan_inspection(inspections.InspectionInput(**fields), actor=actor)


def with_findings(inspection: Inspection, actor: User) -> Inspection:
    """From planned to findings recorded, with one finding on wages."""
    inspections.advance_inspection(inspection, action="start", actor=actor)
    inspections.add_finding(
        inspection,
        inspections.FindingInput(
            item=ScopeItem.WAGES, finding="拖欠3名职工10月工资", severity=Severity.SERIOUS
        ),
        actor=actor,
    )
    return inspections.advance_inspection(inspection, action="record_findings", actor=actor)


def issue(inspection: Inspection, actor: User, **changes: Any) -> Notice:
    fields: dict[str, Any] = {
        "kind": NoticeKind.REMINDER,
        "findings": list(inspection.findings.values_list("pk", flat=True)),
        "requirements": "立即足额支付拖欠工资。",
        **changes,
    }
    return notices.issue_notice(inspection, notices.NoticeInput(**fields), actor=actor)
