"""A federation delegates founding approval authority to a joint union under it, and withdraws it."""

from __future__ import annotations

import pytest
from django.http import Http404

from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.founding import services
from gonghui.founding.models import ApplicationStatus, FoundingApplication
from gonghui.founding.tests.factories import add_workplace, make_city, officer_at, submit
from gonghui.orgs.models import Org, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return make_city()


@pytest.fixture
def district_admin(city):
    return officer_at(city.district, "district.admin")


@pytest.fixture
def joint_officer(city):
    return officer_at(city.joint, "joint.officer", Role.UNION_OFFICER)


def fresh(org: Org) -> Org:
    return Org.objects.get(pk=org.pk)


def test_given_a_federation_officer_when_they_delegate_then_waiting_applications_go_to_the_joint_union(
    city, district_admin
):
    waiting = submit(add_workplace(city.joint, "甲公司"), city.joint, district_admin)
    approved = submit(add_workplace(city.joint, "乙公司"), city.joint, district_admin)
    FoundingApplication.objects.filter(pk=approved.pk).update(status=ApplicationStatus.APPROVED)
    elsewhere = submit(add_workplace(city.joint, "丙公司"), city.town, district_admin)

    services.set_founding_authority(city.joint, True, actor=district_admin)

    assert fresh(city.joint).holds_founding_authority
    approvers = dict(FoundingApplication.objects.values_list("pk", "approving_org"))
    assert approvers == {waiting.pk: city.joint.pk, approved.pk: city.town.pk, elsewhere.pk: city.town.pk}
    event = AuditEvent.objects.get(action="founding.delegate_authority")
    assert event.changes == {"holds_founding_authority": [False, True]}
    assert event.note == "1 份待审批申请已转给新的审批组织。"


def test_after_delegation_the_joint_unions_officer_may_approve(city, district_admin, joint_officer):
    application = submit(add_workplace(city.joint, "甲公司"), city.joint, district_admin)
    services.set_founding_authority(city.joint, True, actor=district_admin)

    application = services.advance_application(application, action="review", actor=joint_officer)

    assert application.status == ApplicationStatus.UNDER_REVIEW


def test_withdrawing_sends_waiting_applications_back_to_the_federation(city, district_admin, joint_officer):
    services.set_founding_authority(city.joint, True, actor=district_admin)
    application = submit(add_workplace(city.joint, "甲公司"), city.joint, district_admin)
    assert application.approving_org == city.joint

    services.set_founding_authority(city.joint, False, actor=district_admin)

    assert not fresh(city.joint).holds_founding_authority
    assert FoundingApplication.objects.get(pk=application.pk).approving_org == city.town
    with pytest.raises(Forbidden):
        services.advance_application(application, action="review", actor=joint_officer)
    assert AuditEvent.objects.filter(action="founding.withdraw_authority").exists()


def test_a_joint_union_cannot_give_itself_the_authority(city):
    own_admin = officer_at(city.joint, "joint.admin")  # every permission, but on the union itself
    with pytest.raises(Forbidden) as refused:
        services.set_founding_authority(city.joint, True, actor=own_admin)
    assert refused.value.message == "只有东湖社区联合工会上级总工会的工作人员才能授予或收回其审批权。"
    assert not fresh(city.joint).holds_founding_authority


def test_an_officer_without_the_restructure_permission_cannot_delegate(city):
    town_officer = officer_at(city.town, "town.officer", Role.UNION_OFFICER)
    with pytest.raises(Forbidden):
        services.set_founding_authority(city.joint, True, actor=town_officer)
    assert not fresh(city.joint).holds_founding_authority


def test_only_joint_unions_receive_the_authority(city, district_admin):
    grassroots = Org.objects.add_child(
        city.town, create_kwargs={"code": "MZ-DH-G1", "name": "甲公司工会", "kind": "grassroots"}
    )
    with pytest.raises(ValidationFailed, match="建会审批权只能授予联合工会"):
        services.set_founding_authority(grassroots, True, actor=district_admin)
    assert not fresh(grassroots).holds_founding_authority


def test_another_districts_officer_does_not_see_the_joint_union(city):
    with pytest.raises(Http404):
        services.set_founding_authority(city.joint, True, actor=officer_at(city.west, "west.admin"))


def test_setting_the_authority_it_already_has_changes_nothing(city, district_admin):
    services.set_founding_authority(city.joint, False, actor=district_admin)
    assert not AuditEvent.objects.filter(action__startswith="founding.").exists()
