"""Supervisors, inspections as planned, findings and interviews: what is stored, what is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404

from gonghui.core.errors import Forbidden, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org, Role, Workplace
from gonghui.supervision.models import Finding, Inspection, Interview, ScopeItem, Supervisor
from gonghui.supervision.services import inspections, interviews, supervisors
from gonghui.supervision.tests.factories import (
    issue,
    make_finding,
    make_inspection,
    make_supervisor,
    officer_at,
    plan,
    today,
    with_findings,
    workplace_of,
)

pytestmark = pytest.mark.django_db


def supervisor_input(org: Org, **changes: Any) -> supervisors.SupervisorInput:
    fields = {"org": org.pk, "name": "李 娜", "certificate_number": "JD 2026 001", "mobile": "138-0000-2222"}
    return supervisors.SupervisorInput(**{**fields, **changes})


# --- supervisors ------------------------------------------------------------------------------


def test_a_supervisor_is_added_with_a_clean_name_and_mobile_masked_in_the_audit(tree, east_admin):
    supervisor = supervisors.add_supervisor(supervisor_input(tree.east), actor=east_admin)
    assert (supervisor.name, supervisor.certificate_number, supervisor.mobile) == (
        "李娜",
        "JD2026001",
        "13800002222",
    )
    event = AuditEvent.objects.get(action="supervision.add_supervisor")
    assert event.changes["mobile"] == [None, "138****2222"]
    assert "13800002222" not in str(event.changes)


def test_a_supervisor_links_to_an_officer_account_of_the_area(tree, east_admin):
    colleague = officer_at(tree.town, "town.officer", Role.CASE_HANDLER)
    stranger = officer_at(tree.west, "west.officer", Role.CASE_HANDLER)
    supervisor = supervisors.add_supervisor(
        supervisor_input(tree.east, username="town.officer"), actor=east_admin
    )
    assert supervisor.user == colleague
    with pytest.raises(ValidationFailed) as refused:
        supervisors.add_supervisor(
            supervisor_input(tree.east, certificate_number="X2", username=stranger.username), actor=east_admin
        )
    assert refused.value.fields == {"username": ["在您的管辖范围内没有这个用户名的干部账号。"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"certificate_number": ""}, "certificate_number"),
        ({"mobile": "12345"}, "mobile"),
        ({"username": "nobody"}, "username"),
    ],
)
def test_bad_supervisors_are_refused(tree, east_admin, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        supervisors.add_supervisor(supervisor_input(tree.east, **changes), actor=east_admin)
    assert field in refused.value.fields
    assert Supervisor.objects.count() == 0


def test_a_certificate_number_is_unique_per_union(tree, east_admin):
    supervisors.add_supervisor(supervisor_input(tree.east), actor=east_admin)
    with pytest.raises(ValidationFailed) as refused:
        supervisors.add_supervisor(supervisor_input(tree.east, name="王强"), actor=east_admin)
    assert refused.value.fields == {"certificate_number": ["本工会已有监督员使用这个证书编号。"]}
    supervisors.add_supervisor(supervisor_input(tree.town, name="王强"), actor=east_admin)


def test_a_union_out_of_scope_is_refused_on_the_field(tree, east_admin):
    with pytest.raises(ValidationFailed) as refused:
        supervisors.add_supervisor(supervisor_input(tree.west), actor=east_admin)
    assert list(refused.value.fields) == ["org"]


def test_switching_a_supervisor_off(tree, east_admin):
    supervisor = make_supervisor(tree.east)
    data = supervisor_input(
        tree.east, name=supervisor.name, certificate_number=supervisor.certificate_number, is_active=False
    )
    supervisors.update_supervisor(supervisor, data, actor=east_admin)
    supervisor.refresh_from_db()
    assert not supervisor.is_active
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    with pytest.raises(Forbidden):
        supervisors.update_supervisor(supervisor, data, actor=auditor)
    with pytest.raises(Http404):
        supervisors.update_supervisor(supervisor, data, actor=officer_at(tree.west, "west.admin"))


# --- planning ---------------------------------------------------------------------------------


def test_planning_an_inspection_with_supervisors_from_the_union_and_above(tree, east_admin):
    own = make_supervisor(tree.town, "赵一")
    above = make_supervisor(tree.east, "钱二")
    west = make_supervisor(tree.west, "孙三")
    workplace = workplace_of(tree.town)
    inspection = plan(
        tree.town,
        workplace,
        east_admin,
        supervisors=[own.pk, above.pk],
        scope_items=[ScopeItem.CONTRACTS, ScopeItem.WAGES, ScopeItem.WAGES],
    )
    assert set(inspection.supervisors.all()) == {own, above}
    assert inspection.scope_items == [ScopeItem.CONTRACTS, ScopeItem.WAGES]
    with pytest.raises(ValidationFailed) as refused:
        plan(tree.town, workplace, east_admin, supervisors=[west.pk])
    assert list(refused.value.fields) == ["supervisors"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "surprise"}, "kind"),
        ({"scope_items": []}, "scope_items"),
        ({"scope_items": ["wages", "pets"]}, "scope_items"),
        ({"kind": "campaign", "campaign": ""}, "campaign"),
        ({"inspected_on": today() + timedelta(days=400)}, "inspected_on"),
    ],
)
def test_bad_inspections_are_refused_and_nothing_is_written(tree, east_admin, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        plan(tree.east, workplace_of(tree.town), east_admin, **changes)
    assert field in refused.value.fields
    assert Inspection.objects.count() == 0


def test_a_workplace_out_of_sight_is_refused_on_the_field(tree, east_admin):
    with pytest.raises(ValidationFailed) as refused:
        plan(tree.east, workplace_of(tree.west), east_admin)
    assert list(refused.value.fields) == ["workplace"]


def test_a_campaign_name_is_kept_only_for_a_campaign(tree, east_admin):
    workplace = workplace_of(tree.town)
    campaign = plan(tree.east, workplace, east_admin, kind="campaign", campaign="根治欠薪专项行动")
    routine = plan(tree.east, workplace, east_admin, kind="routine", campaign="根治欠薪专项行动")
    assert (campaign.campaign, routine.campaign) == ("根治欠薪专项行动", "")


# --- correcting an inspection -----------------------------------------------------------------


def details(inspection: Inspection, **changes: Any) -> inspections.InspectionDetails:
    fields: dict[str, Any] = {
        "inspected_on": inspection.inspected_on,
        "kind": inspection.kind,
        "scope_items": list(inspection.scope_items),
        "supervisors": list(inspection.supervisors.values_list("pk", flat=True)),
        "campaign": inspection.campaign,
        "summary": inspection.summary,
        **changes,
    }
    return inspections.InspectionDetails(**fields)


def test_an_inspection_is_corrected_until_a_notice_is_issued_and_the_change_is_audited(tree, east_admin):
    gone = make_supervisor(tree.town, "赵一")
    kept = make_supervisor(tree.east, "钱二")
    inspection = plan(tree.town, workplace_of(tree.town), east_admin, supervisors=[gone.pk])
    later = today() + timedelta(days=3)
    changed = inspections.change_inspection(
        inspection,
        details(
            inspection,
            inspected_on=later,
            kind="campaign",
            campaign="根治欠薪专项行动",
            scope_items=[ScopeItem.SAFETY, ScopeItem.WAGES],
            supervisors=[kept.pk],
            summary="改期，与安监联合检查",
        ),
        actor=east_admin,
    )
    changed.refresh_from_db()
    assert (changed.inspected_on, changed.kind, changed.campaign, changed.summary) == (
        later,
        "campaign",
        "根治欠薪专项行动",
        "改期，与安监联合检查",
    )
    assert changed.scope_items == [ScopeItem.WAGES, ScopeItem.SAFETY]  # in the list's order
    assert list(changed.supervisors.all()) == [kept]
    event = AuditEvent.objects.get(action="supervision.change_inspection")
    assert event.changes["inspected_on"] == [today().isoformat(), later.isoformat()]
    assert event.changes["supervisors"] == [[gone.pk], [kept.pk]]
    assert set(event.changes) == {"inspected_on", "kind", "campaign", "scope_items", "summary", "supervisors"}


def test_saving_the_same_details_writes_nothing(tree, east_admin):
    inspection = plan(tree.town, workplace_of(tree.town), east_admin)
    inspections.change_inspection(inspection, details(inspection), actor=east_admin)
    assert not AuditEvent.objects.filter(action="supervision.change_inspection").exists()


def test_a_supervisor_who_stepped_down_may_stay_named_but_not_be_added(tree, east_admin):
    present = make_supervisor(tree.town, "赵一")
    inspection = plan(tree.town, workplace_of(tree.town), east_admin, supervisors=[present.pk])
    Supervisor.objects.filter(pk=present.pk).update(is_active=False)
    inspections.change_inspection(inspection, details(inspection, summary="补记"), actor=east_admin)
    assert list(inspection.supervisors.all()) == [present]
    retired = make_supervisor(tree.town, "孙三", is_active=False)
    with pytest.raises(ValidationFailed) as refused:
        inspections.change_inspection(
            inspection, details(inspection, supervisors=[present.pk, retired.pk]), actor=east_admin
        )
    assert list(refused.value.fields) == ["supervisors"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "surprise"}, "kind"),
        ({"scope_items": []}, "scope_items"),
        ({"kind": "campaign", "campaign": ""}, "campaign"),
        ({"inspected_on": today() + timedelta(days=400)}, "inspected_on"),
        ({"scope_items": [ScopeItem.CONTRACTS]}, "scope_items"),  # wages has a finding
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(tree, east_admin, changes, field):
    inspection = plan(tree.town, workplace_of(tree.town), east_admin)
    inspections.advance_inspection(inspection, action="start", actor=east_admin)
    make_finding(inspection, ScopeItem.WAGES)
    before = Inspection.objects.filter(pk=inspection.pk).values().get()
    with pytest.raises(ValidationFailed) as refused:
        inspections.change_inspection(inspection, details(inspection, **changes), actor=east_admin)
    assert list(refused.value.fields) == [field]
    assert Inspection.objects.filter(pk=inspection.pk).values().get() == before


def test_an_inspection_with_a_notice_can_no_longer_be_corrected(tree, east_admin):
    inspection = with_findings(plan(tree.town, workplace_of(tree.town), east_admin), east_admin)
    inspections.change_inspection(inspection, details(inspection, summary="补记"), actor=east_admin)
    issue(inspection, east_admin)
    inspection.refresh_from_db()
    with pytest.raises(InvalidTransition):
        inspections.change_inspection(inspection, details(inspection, summary="改"), actor=east_admin)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    fresh = plan(tree.town, workplace_of(tree.town, "另一家公司"), east_admin)
    with pytest.raises(Forbidden):
        inspections.change_inspection(fresh, details(fresh, summary="改"), actor=auditor)
    with pytest.raises(Http404):
        inspections.change_inspection(fresh, details(fresh), actor=officer_at(tree.west, "west.admin"))


# --- findings ---------------------------------------------------------------------------------


def test_findings_are_added_on_items_checked_and_only_while_open(tree, east_admin):
    inspection = plan(tree.east, workplace_of(tree.town), east_admin)
    finding = inspections.FindingInput(item=ScopeItem.WAGES, finding="拖欠工资", severity="serious")
    with pytest.raises(InvalidTransition):
        inspections.add_finding(inspection, finding, actor=east_admin)
    inspections.advance_inspection(inspection, action="start", actor=east_admin)
    inspections.add_finding(inspection, finding, actor=east_admin)
    with pytest.raises(ValidationFailed) as refused:
        inspections.add_finding(
            inspection,
            inspections.FindingInput(item=ScopeItem.SAFETY, finding="x", severity="bad"),
            actor=east_admin,
        )
    assert set(refused.value.fields) == {"item", "severity"}
    assert Finding.objects.filter(inspection=inspection).count() == 1


def test_a_finding_cited_by_a_notice_stays(tree, east_admin):
    inspection = with_findings(plan(tree.east, workplace_of(tree.town), east_admin), east_admin)
    spare = make_finding(inspection, ScopeItem.CONTRACTS, "未签劳动合同")
    cited = inspection.findings.exclude(pk=spare.pk).get()
    inspections.remove_finding(inspection, spare.pk, actor=east_admin)
    assert not Finding.objects.filter(pk=spare.pk).exists()
    issue(inspection, east_admin)
    with pytest.raises(InvalidTransition):
        inspections.remove_finding(inspection, cited.pk, actor=east_admin)
    assert Finding.objects.filter(pk=cited.pk).exists()


# --- interviews -------------------------------------------------------------------------------


def interview_input(org: Org, workplace: Workplace, **changes: Any) -> interviews.InterviewInput:
    fields = {
        "org": org.pk,
        "workplace": workplace.pk,
        "held_on": today(),
        "representative": "王总（总经理）",
        "attendees": "区总工会 李华\n公司 王总",
        "subject": "欠薪整改约谈",
        "record": "公司承认拖欠10月工资。",
        "commitments": "12月10日前补发。",
    }
    return interviews.InterviewInput(**{**fields, **changes})


def test_an_interview_linked_to_an_inspection(tree, east_admin):
    inspection = make_inspection(tree.east, workplace_of(tree.town))
    interview = interviews.record_interview(
        interview_input(tree.east, inspection.workplace, inspection=inspection.pk), actor=east_admin
    )
    assert interview.inspection == inspection
    assert interview.attendees == "区总工会 李华\n公司 王总"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": today() + timedelta(days=1)}, "held_on"),
        ({"representative": ""}, "representative"),
        ({"attendees": "\n"}, "attendees"),
        ({"subject": ""}, "subject"),
        ({"record": ""}, "record"),
        ({"record": "a\x00b"}, "record"),
    ],
)
def test_bad_interviews_are_refused(tree, east_admin, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        interviews.record_interview(
            interview_input(tree.east, workplace_of(tree.town), **changes), actor=east_admin
        )
    assert field in refused.value.fields
    assert Interview.objects.count() == 0


def test_an_interview_links_only_an_inspection_of_the_same_workplace(tree, east_admin):
    other = make_inspection(tree.east, workplace_of(tree.town, "别家公司"))
    with pytest.raises(ValidationFailed) as refused:
        interviews.record_interview(
            interview_input(tree.east, workplace_of(tree.town), inspection=other.pk), actor=east_admin
        )
    assert list(refused.value.fields) == ["inspection"]
