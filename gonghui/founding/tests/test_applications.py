"""Founding applications: submission, one test per legal transition, illegal transitions (a
property test), approving without authority."""

from __future__ import annotations

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.founding import services
from gonghui.founding.models import (
    TRANSITIONS,
    ApplicationStatus,
    FoundingApplication,
    FoundingApplicationHistory,
    UnionKind,
)
from gonghui.founding.tests.factories import add_workplace, make_city, officer_at, submit
from gonghui.orgs.models import JointUnionArea, Org, OrgHistory, OrgHistoryAction, OrgKind, Role, Workplace

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return make_city()


@pytest.fixture
def town_officer(city):
    """Enters applications for workplaces of the township and decides on them."""
    return officer_at(city.town, "town.officer", Role.UNION_OFFICER)


@pytest.fixture
def workplace(city):
    return add_workplace(city.joint, "明州甲机械有限公司", employees=80)


def at(application: FoundingApplication, status: str) -> FoundingApplication:
    """The application put straight into `status` (a rejected one needs its reason)."""
    reason = "筹备组未成立" if status == ApplicationStatus.REJECTED else ""
    FoundingApplication.objects.filter(pk=application.pk).update(status=status, reason=reason)
    application.refresh_from_db()
    return application


def advance(application: FoundingApplication, action: str, actor: User, **extra: str) -> FoundingApplication:
    return services.advance_application(application, action=action, actor=actor, **extra)


# --- submission -----------------------------------------------------------------------------


def test_given_a_township_officer_when_they_enter_an_application_then_it_waits_for_the_township(
    city, town_officer, workplace
):
    application = submit(workplace, city.town, town_officer)

    assert application.status == ApplicationStatus.SUBMITTED
    assert application.approving_org == city.town
    history = list(application.history.all())
    assert [(h.from_status, h.to_status, h.actor) for h in history] == [("", "submitted", town_officer)]
    assert AuditEvent.objects.filter(action="founding.submit_application", org_path=city.town.path).exists()


def test_an_application_under_a_joint_union_goes_to_the_federation_above_it(city, town_officer, workplace):
    application = submit(workplace, city.joint, town_officer)
    assert application.approving_org == city.town


def test_an_application_under_a_joint_union_with_delegated_authority_goes_to_that_union(
    city, town_officer, workplace
):
    Org.objects.filter(pk=city.joint.pk).update(holds_founding_authority=True)
    application = submit(workplace, city.joint, town_officer)
    assert application.approving_org == city.joint


def test_a_workplace_has_one_application_in_progress_at_a_time(city, town_officer, workplace):
    submit(workplace, city.town, town_officer)
    with pytest.raises(Conflict, match="已有一份正在办理的建会申请"):
        submit(workplace, city.joint, town_officer)
    assert FoundingApplication.objects.count() == 1


def test_after_a_rejection_the_workplace_may_apply_again(city, town_officer, workplace):
    rejected = at(submit(workplace, city.town, town_officer), ApplicationStatus.UNDER_REVIEW)
    advance(rejected, "reject", town_officer, reason="筹备组未成立")
    assert submit(workplace, city.town, town_officer).status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"union_name": " "}, "union_name"),
        ({"union_kind": "company"}, "union_kind"),
        ({"union_kind": UnionKind.JOINT}, "area"),
        ({"area": JointUnionArea.PARK}, "area"),
        ({"initiated_by": "mayor"}, "initiated_by"),
        ({"members_expected": 81}, "members_expected"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_created(
    city, town_officer, workplace, changes, field
):
    with pytest.raises(ValidationFailed) as refused:
        submit(workplace, city.town, town_officer, **changes)
    assert field in refused.value.fields
    assert not FoundingApplication.objects.exists()


def test_the_union_must_sit_under_an_org_of_the_workplaces_area(city, workplace):
    root_admin = officer_at(city.city, "city.admin")
    with pytest.raises(ValidationFailed) as refused:
        submit(workplace, city.west_town, root_admin)
    assert refused.value.fields == {"parent": ["请选择该单位所在区域的组织。"]}


def test_a_workplace_outside_the_officers_area_is_not_found(city, workplace):
    with pytest.raises(Http404):
        submit(workplace, city.west_town, officer_at(city.west, "west.admin"))
    assert not FoundingApplication.objects.exists()


def test_a_joint_union_cannot_be_placed_under_another_joint_union(city, town_officer, workplace):
    with pytest.raises(ValidationFailed) as refused:
        submit(workplace, city.joint, town_officer, union_kind=UnionKind.JOINT, area=JointUnionArea.PARK)
    assert refused.value.fields == {"parent": ["联合工会必须隶属于总工会。"]}


def test_a_workplace_that_has_a_union_cannot_apply(city, town_officer):
    workplace = add_workplace(city.joint, "甲公司", is_unionised=True, union=city.joint)
    with pytest.raises(Conflict, match="已建立工会"):
        submit(workplace, city.town, town_officer)


# --- one test per legal transition ----------------------------------------------------------


def test_review_moves_a_submitted_application_under_review(city, town_officer, workplace):
    application = advance(
        submit(workplace, city.town, town_officer), "review", town_officer, comment="材料齐全"
    )
    assert application.status == ApplicationStatus.UNDER_REVIEW
    last = application.history.latest("id")
    assert (last.from_status, last.to_status, last.comment) == ("submitted", "under_review", "材料齐全")
    assert AuditEvent.objects.filter(action="founding.review", object_id=str(application.pk)).exists()


def test_approve_moves_an_application_under_review_to_approved(city, town_officer, workplace):
    application = at(submit(workplace, city.town, town_officer), ApplicationStatus.UNDER_REVIEW)
    application = advance(application, "approve", town_officer)
    assert application.status == ApplicationStatus.APPROVED
    assert application.history.latest("id").to_status == "approved"


def test_reject_needs_a_reason_and_keeps_it(city, town_officer, workplace):
    application = at(submit(workplace, city.town, town_officer), ApplicationStatus.UNDER_REVIEW)
    with pytest.raises(ValidationFailed) as refused:
        advance(application, "reject", town_officer, reason="  ")
    assert refused.value.fields == {"reason": ["此项为必填项。"]}
    assert FoundingApplication.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW

    application = advance(application, "reject", town_officer, reason="筹备组尚未成立")
    assert (application.status, application.reason) == (ApplicationStatus.REJECTED, "筹备组尚未成立")
    assert application.history.latest("id").comment == "筹备组尚未成立"


def test_create_union_founds_the_union_under_the_parent_and_covers_the_workplace(
    city, town_officer, workplace
):
    application = at(submit(workplace, city.town, town_officer), ApplicationStatus.APPROVED)
    application = advance(application, "create_union", town_officer)

    union = application.created_org
    assert application.status == ApplicationStatus.UNION_CREATED
    assert union is not None
    assert (union.name, union.kind, union.code) == (
        "明州甲机械有限公司工会委员会",
        OrgKind.GRASSROOTS,
        "MZ-DHG0001",
    )
    assert Org.objects.get_parent(Org.objects.get(pk=union.pk)) == city.town
    workplace.refresh_from_db()
    assert (workplace.union, workplace.is_unionised) == (union, True)
    created = OrgHistory.objects.get(org=union)
    assert (created.action, created.to_parent, created.actor) == (
        OrgHistoryAction.CREATED,
        city.town,
        town_officer,
    )
    assert {"founding.create_union", "orgs.create_org", "orgs.update_workplace"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_create_union_makes_a_joint_union_with_its_area_and_a_chosen_code(city, town_officer, workplace):
    application = submit(
        workplace, city.town, town_officer, union_kind=UnionKind.JOINT, area=JointUnionArea.PARK
    )
    application = advance(
        at(application, ApplicationStatus.APPROVED), "create_union", town_officer, union_code="mz-dh-p01"
    )
    union = application.created_org
    assert union is not None
    assert (union.kind, union.area, union.code) == (OrgKind.JOINT_UNION, JointUnionArea.PARK, "MZ-DH-P01")


def test_create_union_refuses_a_code_that_is_taken_and_changes_nothing(city, town_officer, workplace):
    application = at(submit(workplace, city.town, town_officer), ApplicationStatus.APPROVED)
    orgs_before = Org.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        advance(application, "create_union", town_officer, union_code=city.joint.code)
    assert refused.value.fields == {"union_code": ["该编码已被使用。"]}
    assert Org.objects.count() == orgs_before
    assert FoundingApplication.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED
    assert not Workplace.objects.get(pk=workplace.pk).is_unionised


# --- illegal transitions ----------------------------------------------------------------------

ILLEGAL = [
    (status, action)
    for status in ApplicationStatus.values
    for action, transition in TRANSITIONS.items()
    if not TRANSITIONS.allows(action, status)
]


@pytest.fixture
def pending(city, workplace):
    officer = officer_at(city.city, "city.admin")
    return submit(workplace, city.town, officer), officer


@settings(
    max_examples=len(ILLEGAL) * 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(step=st.sampled_from(ILLEGAL), comment=st.text(max_size=20), code=st.sampled_from(["", "NEW-01"]))
def test_every_illegal_transition_is_refused_and_changes_nothing(pending, step, comment, code):
    application, officer = pending
    status, action = step
    application = at(application, status)
    counts = (FoundingApplicationHistory.objects.count(), AuditEvent.objects.count(), Org.objects.count())

    with pytest.raises(InvalidTransition) as refused:
        advance(application, action, officer, comment=comment, reason="理由", union_code=code)

    assert refused.value.code == "invalid_transition"
    assert str(ApplicationStatus(status).label) in refused.value.message
    fresh = FoundingApplication.objects.get(pk=application.pk)
    assert (fresh.status, fresh.reason, fresh.created_org) == (status, application.reason, None)
    assert (
        FoundingApplicationHistory.objects.count(),
        AuditEvent.objects.count(),
        Org.objects.count(),
    ) == counts


def test_an_unknown_action_is_refused(pending):
    application, officer = pending
    with pytest.raises(ValidationFailed) as refused:
        advance(application, "fast_track", officer)
    assert "action" in refused.value.fields


# --- approving without authority ----------------------------------------------------------------


def test_a_joint_union_officer_cannot_approve_what_its_federation_decides(city, town_officer, workplace):
    application = at(submit(workplace, city.joint, town_officer), ApplicationStatus.UNDER_REVIEW)
    joint_officer = officer_at(city.joint, "joint.officer", Role.UNION_OFFICER)

    with pytest.raises(Forbidden) as refused:
        advance(application, "approve", joint_officer)

    assert refused.value.code == "no_authority"
    assert refused.value.message == "只有本申请的审批组织东湖街道总工会或其上级组织的工作人员才能办理。"
    fresh = FoundingApplication.objects.get(pk=application.pk)
    assert fresh.status == ApplicationStatus.UNDER_REVIEW
    assert fresh.history.count() == 1


def test_an_auditor_above_may_see_but_not_decide(city, town_officer, workplace):
    application = at(submit(workplace, city.town, town_officer), ApplicationStatus.UNDER_REVIEW)
    with pytest.raises(Forbidden):
        advance(application, "approve", officer_at(city.district, "auditor", Role.AUDITOR))
    assert FoundingApplication.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW


def test_an_officer_of_another_district_does_not_even_see_the_application(city, town_officer, workplace):
    application = at(submit(workplace, city.town, town_officer), ApplicationStatus.UNDER_REVIEW)
    with pytest.raises(Http404):
        advance(application, "approve", officer_at(city.west, "west.admin"))


def test_when_the_approving_union_is_dissolved_the_decision_moves_up(city, town_officer, workplace):
    Org.objects.filter(pk=city.joint.pk).update(holds_founding_authority=True)
    application = at(submit(workplace, city.joint, town_officer), ApplicationStatus.UNDER_REVIEW)
    Org.objects.filter(pk=city.joint.pk).update(status="dissolved")

    application = advance(application, "approve", town_officer)

    assert (application.status, application.approving_org) == (ApplicationStatus.APPROVED, city.town)
