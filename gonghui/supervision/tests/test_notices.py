"""Notices and follow-ups: numbering, the deadline from gonghui.workdays, what is refused, evidence,
and the overdue list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.supervision import selectors
from gonghui.supervision.models import (
    FollowUp,
    FollowUpDocument,
    FollowUpResult,
    InspectionStatus,
    Notice,
    NoticeKind,
)
from gonghui.supervision.services import notices
from gonghui.supervision.tests.factories import (
    issue,
    make_followup,
    make_notice,
    officer_at,
    plan,
    today,
    with_findings,
    workplace_of,
)
from gonghui.workdays.deadlines import bump_version, due_date
from gonghui.workdays.models import CalendarDay, DayKind

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def inspection(tree, east_admin):
    return with_findings(plan(tree.east, workplace_of(tree.town), east_admin), east_admin)


def test_a_notice_is_numbered_per_union_and_year_and_fixes_its_text(tree, east_admin, inspection):
    notice = issue(inspection, east_admin)
    year = today().year
    assert (notice.year, notice.sequence) == (year, 1)
    assert notice.number == f"东区总工会工监提〔{year}〕1号"
    assert notice.workplace_name == "甬城精密机械有限公司"
    assert notice.issuer_name == "东区总工会"
    assert list(notice.findings.all()) == list(inspection.findings.all())
    assert AuditEvent.objects.filter(action="supervision.issue_notice", object_id=str(notice.pk)).exists()

    second = with_findings(plan(tree.east, workplace_of(tree.town, "二号公司"), east_admin), east_admin)
    opinion = issue(second, east_admin, kind=NoticeKind.OPINION)
    assert opinion.sequence == 2
    assert opinion.number == f"东区总工会工监意〔{year}〕2号"
    other = with_findings(plan(tree.town, workplace_of(tree.town, "三号公司"), east_admin), east_admin)
    assert issue(other, east_admin).sequence == 1  # another union's series


def test_the_default_deadline_is_the_rule_from_the_day_of_issue(east_admin, inspection):
    issued_on = today() - timedelta(days=2)
    inspection.inspected_on = issued_on - timedelta(days=1)
    inspection.save()
    notice = issue(inspection, east_admin, issued_on=issued_on)
    assert notice.rectification_deadline == due_date("supervision.rectification", issued_on)
    assert notice.followup_due == due_date("supervision.followup", notice.rectification_deadline)


def test_a_deadline_on_a_holiday_rolls_and_the_follow_up_counts_working_days(tree, east_admin, inspection):
    # 30 calendar days from 2026-09-01 is Thursday 1 October, in the National Day holiday: the
    # rule rolls to the first working day after it.
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=date(2026, 10, d), kind=DayKind.HOLIDAY, name="国庆节") for d in range(1, 8)]
        + [CalendarDay(day=date(2026, 10, 10), kind=DayKind.WORKDAY, name="国庆节")],
        ignore_conflicts=True,
    )
    bump_version()
    inspection.inspected_on = date(2026, 9, 1)
    inspection.save()
    notice = issue(inspection, east_admin, issued_on=date(2026, 9, 1))
    assert notice.rectification_deadline == due_date("supervision.rectification", date(2026, 9, 1))
    assert notice.rectification_deadline == date(2026, 10, 8)
    # 7 working days after Thursday 8 October: 9, 10 (make-up Saturday), 12, 13, 14, 15, 16.
    assert notice.followup_due == date(2026, 10, 16)


def test_an_explicit_deadline_is_kept(east_admin, inspection):
    deadline = today() + timedelta(days=10)
    assert issue(inspection, east_admin, rectification_deadline=deadline).rectification_deadline == deadline


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "warning"}, "kind", "请选择文书种类。"),
        ({"findings": []}, "findings", "请选择文书所针对的问题。"),
        ({"requirements": "  "}, "requirements", "此项为必填项。"),
        ({"issued_on": today() + timedelta(days=1)}, "issued_on", "日期不能晚于今天。"),
        ({"rectification_deadline": today()}, "rectification_deadline", "整改期限必须晚于下发日期。"),
    ],
)
def test_bad_notices_are_refused_and_nothing_is_written(east_admin, inspection, changes, field, message):
    with pytest.raises(ValidationFailed) as refused:
        issue(inspection, east_admin, **changes)
    assert refused.value.fields[field] == [message]
    assert Notice.objects.count() == 0
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINDINGS_RECORDED


def test_findings_of_another_inspection_are_refused(tree, east_admin, inspection):
    other = with_findings(plan(tree.east, workplace_of(tree.town, "别家"), east_admin), east_admin)
    with pytest.raises(ValidationFailed) as refused:
        issue(inspection, east_admin, findings=list(other.findings.values_list("pk", flat=True)))
    assert "findings" in refused.value.fields


def test_another_district_cannot_issue(tree, east_admin, inspection):
    with pytest.raises(Http404):
        issue(inspection, officer_at(tree.west, "west.admin"))


def test_a_follow_up_with_evidence(tree, east_admin, inspection):
    notice = issue(inspection, east_admin)
    followup = notices.record_followup(
        notice,
        notices.FollowUpInput(
            checked_on=today(),
            result=FollowUpResult.RECTIFIED,
            note="已补发",
            documents=[("工资单.pdf", PDF)],
        ),
        actor=east_admin,
    )
    assert followup.result == FollowUpResult.RECTIFIED
    document = FollowUpDocument.objects.get(followup=followup)
    assert (document.original_name, document.content_type, document.size) == (
        "工资单.pdf",
        "application/pdf",
        len(PDF),
    )
    event = AuditEvent.objects.get(action="supervision.record_followup")
    assert event.changes["documents"][1] == [
        {"name": "工资单.pdf", "type": "application/pdf", "size": len(PDF)}
    ]


def test_a_follow_up_is_recorded_once(east_admin, inspection):
    notice = issue(inspection, east_admin)
    notices.record_followup(
        notice, notices.FollowUpInput(checked_on=today(), result=FollowUpResult.PARTLY), actor=east_admin
    )
    with pytest.raises(Conflict):
        notices.record_followup(
            notice,
            notices.FollowUpInput(checked_on=today(), result=FollowUpResult.RECTIFIED),
            actor=east_admin,
        )
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"checked_on": today() + timedelta(days=1)}, "checked_on"),
        ({"checked_on": today() - timedelta(days=400)}, "checked_on"),
        ({"result": "maybe"}, "result"),
        ({"documents": [("a.exe", b"MZ\x90\x00")]}, "file"),
    ],
)
def test_bad_follow_ups_are_refused_and_nothing_is_written(east_admin, inspection, changes, field):
    notice = issue(inspection, east_admin)
    data = {"checked_on": today(), "result": FollowUpResult.RECTIFIED, **changes}
    with pytest.raises(ValidationFailed) as refused:
        notices.record_followup(notice, notices.FollowUpInput(**data), actor=east_admin)
    assert field in refused.value.fields
    assert FollowUp.objects.count() == FollowUpDocument.objects.count() == 0
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.AWAITING_RECTIFICATION


def test_the_overdue_list(tree, east_admin):
    late = make_notice(
        tree.east, issued_on=today() - timedelta(days=40), deadline=today() - timedelta(days=1)
    )
    make_notice(tree.east, issued_on=today() - timedelta(days=5), deadline=today())  # due today: not late
    done = make_notice(
        tree.east, issued_on=today() - timedelta(days=40), deadline=today() - timedelta(days=2)
    )
    make_followup(done)
    make_notice(tree.west, issued_on=today() - timedelta(days=40), deadline=today() - timedelta(days=3))
    assert list(selectors.overdue_notices(east_admin)) == [late]
    assert list(selectors.inspections(east_admin, overdue=True)) == [late.inspection]
