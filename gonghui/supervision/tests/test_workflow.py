"""The inspection workflow: one test per legal transition, every illegal one refused (a property
test), and who may take a step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import Forbidden, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.supervision import selectors
from gonghui.supervision.models import (
    TRANSITIONS,
    FollowUp,
    FollowUpResult,
    Inspection,
    InspectionAction,
    InspectionHistory,
    InspectionStatus,
    Notice,
    NoticeKind,
)
from gonghui.supervision.services import inspections, notices
from gonghui.supervision.tests.factories import (
    make_finding,
    make_inspection,
    officer_at,
    plan,
    today,
    workplace_of,
)

pytestmark = pytest.mark.django_db
S = InspectionStatus


@pytest.fixture
def workplace(tree):
    return workplace_of(tree.town)


def at(inspection: Inspection, status: str) -> Inspection:
    Inspection.objects.filter(pk=inspection.pk).update(status=status)
    inspection.refresh_from_db()
    return inspection


def steps(inspection: Inspection) -> list[tuple[str, str]]:
    return list(
        InspectionHistory.objects.filter(inspection=inspection).values_list("from_status", "to_status")
    )


def test_planning_writes_the_first_history_row_and_an_audit_event(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    assert inspection.status == S.PLANNED
    assert steps(inspection) == [("", S.PLANNED)]
    assert AuditEvent.objects.filter(
        action="supervision.plan_inspection", object_id=str(inspection.pk)
    ).exists()


def test_start(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    inspections.advance_inspection(inspection, action="start", actor=east_admin, comment="到达现场")
    assert Inspection.objects.get(pk=inspection.pk).status == S.IN_PROGRESS
    history = InspectionHistory.objects.filter(inspection=inspection).last()
    assert history is not None
    assert (history.from_status, history.to_status, history.actor, history.comment) == (
        S.PLANNED,
        S.IN_PROGRESS,
        east_admin,
        "到达现场",
    )


def test_record_findings(tree, east_admin, workplace):
    inspection = at(plan(tree.east, workplace, east_admin), S.IN_PROGRESS)
    inspections.advance_inspection(inspection, action="record_findings", actor=east_admin)
    assert Inspection.objects.get(pk=inspection.pk).status == S.FINDINGS_RECORDED


@pytest.mark.parametrize("source", [S.FINDINGS_RECORDED, S.NOT_RECTIFIED])
def test_issue_notice(tree, east_admin, workplace, source):
    inspection = at(plan(tree.east, workplace, east_admin), source)
    finding = make_finding(inspection)
    notice = notices.issue_notice(
        inspection,
        notices.NoticeInput(kind=NoticeKind.OPINION, findings=[finding.pk], requirements="补发工资"),
        actor=east_admin,
    )
    assert Inspection.objects.get(pk=inspection.pk).status == S.AWAITING_RECTIFICATION
    assert steps(inspection)[-1] == (source, S.AWAITING_RECTIFICATION)
    assert (
        InspectionHistory.objects.filter(inspection=inspection).values_list("comment", flat=True).last()
        == notice.number
    )


@pytest.mark.parametrize(
    ("result", "target"),
    [
        (FollowUpResult.RECTIFIED, S.RECTIFIED),
        (FollowUpResult.PARTLY, S.NOT_RECTIFIED),
        (FollowUpResult.NOT_RECTIFIED, S.NOT_RECTIFIED),
    ],
)
def test_confirm_rectified_and_find_not_rectified(tree, east_admin, workplace, result, target):
    inspection = at(plan(tree.east, workplace, east_admin), S.FINDINGS_RECORDED)
    notice = notices.issue_notice(
        inspection,
        notices.NoticeInput(
            kind=NoticeKind.REMINDER, findings=[make_finding(inspection).pk], requirements="补发"
        ),
        actor=east_admin,
    )
    notices.record_followup(
        notice, notices.FollowUpInput(checked_on=today(), result=result), actor=east_admin
    )
    assert Inspection.objects.get(pk=inspection.pk).status == target
    assert steps(inspection)[-1] == (S.AWAITING_RECTIFICATION, target)


@pytest.mark.parametrize("source", [S.FINDINGS_RECORDED, S.RECTIFIED, S.NOT_RECTIFIED])
def test_close(tree, east_admin, workplace, source):
    inspection = at(plan(tree.east, workplace, east_admin), source)
    inspections.advance_inspection(inspection, action="close", actor=east_admin, comment="结案")
    assert Inspection.objects.get(pk=inspection.pk).status == S.CLOSED
    assert steps(inspection)[-1] == (source, S.CLOSED)


def test_cancel_needs_the_reason_and_leaves_the_figures(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    with pytest.raises(ValidationFailed) as refused:
        inspections.advance_inspection(inspection, action="cancel", actor=east_admin, comment="  ")
    assert list(refused.value.fields) == ["comment"]
    assert Inspection.objects.get(pk=inspection.pk).status == S.PLANNED
    inspections.advance_inspection(inspection, action="cancel", actor=east_admin, comment="录错单位")
    assert Inspection.objects.get(pk=inspection.pk).status == S.CANCELLED
    assert steps(inspection)[-1] == (S.PLANNED, S.CANCELLED)
    last = InspectionHistory.objects.filter(inspection=inspection).values_list("comment", flat=True).last()
    assert last == "录错单位"
    assert selectors.figures(east_admin).inspections == 0


def test_every_legal_transition_has_a_test_above():
    legal = {(status, action) for action, t in TRANSITIONS.items() for status in t.sources}
    assert legal == {
        (S.PLANNED, "start"),
        (S.IN_PROGRESS, "record_findings"),
        (S.FINDINGS_RECORDED, "issue_notice"),
        (S.NOT_RECTIFIED, "issue_notice"),
        (S.AWAITING_RECTIFICATION, "confirm_rectified"),
        (S.AWAITING_RECTIFICATION, "find_not_rectified"),
        (S.FINDINGS_RECORDED, "close"),
        (S.RECTIFIED, "close"),
        (S.NOT_RECTIFIED, "close"),
        (S.PLANNED, "cancel"),
    }


# --- illegal transitions ----------------------------------------------------------------------

ILLEGAL = [
    (status, action)
    for status in InspectionStatus.values
    for action in TRANSITIONS
    if not TRANSITIONS.allows(action, status)
]


def take(inspection: Inspection, action: str, actor) -> None:
    """Each action through the service that takes it."""
    if action == InspectionAction.ISSUE_NOTICE:
        finding = inspection.findings.get()
        notices.issue_notice(
            inspection,
            notices.NoticeInput(kind=NoticeKind.REMINDER, findings=[finding.pk], requirements="补发"),
            actor=actor,
        )
    elif action in (InspectionAction.CONFIRM_RECTIFIED, InspectionAction.FIND_NOT_RECTIFIED):
        result = (
            FollowUpResult.RECTIFIED
            if action == InspectionAction.CONFIRM_RECTIFIED
            else FollowUpResult.PARTLY
        )
        notice = Notice.objects.get(inspection=inspection)
        notices.record_followup(notice, notices.FollowUpInput(checked_on=today(), result=result), actor=actor)
    else:
        inspections.advance_inspection(inspection, action=action, actor=actor)


@pytest.fixture
def prepared(tree, east_admin, workplace):
    """An inspection with a finding and a notice without follow-up, so that every service can
    get as far as the workflow check."""
    inspection = make_inspection(tree.east, workplace)
    finding = make_finding(inspection)
    notice = Notice.objects.create(
        inspection=inspection,
        org=tree.east,
        kind=NoticeKind.REMINDER,
        year=today().year,
        sequence=1,
        number="东区工监提〔2026〕1号",
        issued_on=today(),
        rectification_deadline=today() + timedelta(days=30),
        followup_due=today() + timedelta(days=40),
        requirements="补发",
        issuer_name=tree.east.name,
        workplace_name=workplace.name,
    )
    notice.findings.set([finding])
    return inspection, east_admin


@settings(
    max_examples=len(ILLEGAL) * 2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(step=st.sampled_from(ILLEGAL))
def test_every_illegal_transition_is_refused_and_changes_nothing(prepared, step):
    inspection, officer = prepared
    status, action = step
    inspection = at(inspection, status)
    counts = (
        InspectionHistory.objects.count(),
        AuditEvent.objects.count(),
        Notice.objects.count(),
        FollowUp.objects.count(),
    )

    with pytest.raises(InvalidTransition) as refused:
        take(inspection, action, officer)

    assert refused.value.code == "invalid_transition"
    assert str(InspectionStatus(status).label) in refused.value.message
    assert Inspection.objects.get(pk=inspection.pk).status == status
    assert (
        InspectionHistory.objects.count(),
        AuditEvent.objects.count(),
        Notice.objects.count(),
        FollowUp.objects.count(),
    ) == counts


def test_an_unknown_action_is_refused(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    with pytest.raises(ValidationFailed) as refused:
        inspections.advance_inspection(inspection, action="skip_ahead", actor=east_admin)
    assert "action" in refused.value.fields


@pytest.mark.parametrize("action", ["issue_notice", "confirm_rectified", "find_not_rectified"])
def test_steps_with_records_are_not_taken_bare(tree, east_admin, workplace, action):
    inspection = at(plan(tree.east, workplace, east_admin), S.AWAITING_RECTIFICATION)
    with pytest.raises(ValidationFailed) as refused:
        inspections.advance_inspection(inspection, action=action, actor=east_admin)
    assert refused.value.fields["action"] == ["这一步通过下发文书或登记回访完成。"]
    assert Inspection.objects.get(pk=inspection.pk).status == S.AWAITING_RECTIFICATION


# --- authority --------------------------------------------------------------------------------


def test_an_auditor_sees_but_may_not_act(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    with pytest.raises(Forbidden):
        inspections.advance_inspection(inspection, action="start", actor=auditor)
    assert Inspection.objects.get(pk=inspection.pk).status == S.PLANNED


def test_a_case_handler_of_the_union_acts(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    handler = officer_at(tree.east, "east.handler", Role.CASE_HANDLER)
    inspections.advance_inspection(inspection, action="start", actor=handler)
    assert Inspection.objects.get(pk=inspection.pk).status == S.IN_PROGRESS


def test_another_district_gets_404(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    west = officer_at(tree.west, "west.admin")
    with pytest.raises(Http404):
        inspections.advance_inspection(inspection, action="start", actor=west)


def test_a_union_officer_without_rights_permissions_sees_nothing(tree, east_admin, workplace):
    inspection = plan(tree.east, workplace, east_admin)
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    with pytest.raises(Http404):
        inspections.advance_inspection(inspection, action="start", actor=officer)
