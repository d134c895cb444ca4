"""Enrolment: batches from the member registry, once per person and plan, and the payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.members.models import MemberStatus
from gonghui.members.tests.factories import make_members, member_row
from gonghui.mutualaid.models import AidPlanStatus, Enrolment, EnrolmentBatch
from gonghui.mutualaid.services.enrolment import enrol_members, record_batch_payment
from gonghui.mutualaid.tests.factories import make_plan, make_rule
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def acme_officer(world: Any) -> Any:
    return officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER)


def test_a_union_enrols_all_its_active_members_not_yet_enrolled(world: Any, acme_officer: Any) -> None:
    make_members(world.tree.acme, 3)
    make_members(world.tree.group, 2)  # a sub-union: part of acme's subtree
    make_members(world.tree.acme, 1, status=MemberStatus.LEFT)
    make_members(world.tree.beta, 4)
    result = enrol_members(world.plan, actor=acme_officer, org=world.tree.acme)
    assert (result.enrolled, result.skipped) == (5, 1)  # world.member was enrolled already
    batch = result.batch
    assert (batch.count, batch.total_contribution, batch.org) == (5, D("300.00"), world.tree.acme)
    assert Enrolment.objects.filter(batch=batch).count() == 5
    assert set(Enrolment.objects.filter(batch=batch).values_list("enrolled_on", flat=True)) == {
        date(2027, 12, 1)
    }
    assert AuditEvent.objects.filter(action="mutualaid.enrol_members").count() == 1
    with pytest.raises(Conflict, match="already enrolled"):
        enrol_members(world.plan, actor=acme_officer, org=world.tree.acme)


def test_chosen_members_only_and_strangers_refused(world: Any, acme_officer: Any) -> None:
    ours = make_members(world.tree.acme, 2)
    theirs = make_members(world.tree.beta, 1)
    with pytest.raises(ValidationFailed) as caught:
        enrol_members(
            world.plan, actor=acme_officer, org=world.tree.acme, member_ids=[ours[0].pk, theirs[0].pk]
        )
    assert "member_ids" in caught.value.fields
    assert not EnrolmentBatch.objects.exclude(pk=world.enrolment.batch_id).exists()
    result = enrol_members(world.plan, actor=acme_officer, org=world.tree.acme, member_ids=[ours[0].pk])
    assert result.enrolled == 1


def test_a_person_is_enrolled_once_whatever_union_they_move_to(world: Any) -> None:
    member = world.member
    member.status = MemberStatus.TRANSFERRED_OUT
    member.save()
    moved = member_row(world.tree.beta, id_number=member.id_number)
    moved.save()
    beta_officer = officer_at(world.tree.beta, "beta.officer", Role.UNION_OFFICER)
    make_members(world.tree.beta, 1)
    result = enrol_members(world.plan, actor=beta_officer, org=world.tree.beta)
    assert (result.enrolled, result.skipped) == (1, 1)
    assert Enrolment.objects.filter(person_index=member.id_number_index).count() == 1


def test_enrolment_before_the_coverage_starts_dates_from_its_start(world: Any) -> None:
    plan = make_plan(world.tree.east, year=2028, name="2028年度", status=AidPlanStatus.OPEN)
    make_rule(plan)
    result = enrol_members(plan, actor=world.handler, org=world.tree.acme)
    assert result.batch.enrolments.first().enrolled_on == date(2028, 1, 1)  # type: ignore[union-attr]


def test_only_an_open_plan_enrols_and_only_officers_of_the_union(world: Any, acme_officer: Any) -> None:
    draft = make_plan(world.tree.east, name="草稿")
    with pytest.raises(Conflict):
        enrol_members(draft, actor=acme_officer, org=world.tree.acme)
    with pytest.raises(NotFound):
        enrol_members(world.plan, actor=acme_officer, org=world.tree.beta)
    other_federation = make_plan(world.tree.west, name="西区", status=AidPlanStatus.OPEN)
    with pytest.raises(NotFound):
        enrol_members(other_federation, actor=acme_officer, org=world.tree.acme)
    with pytest.raises(NotFound):
        enrol_members(world.plan, actor=world.user, org=world.tree.acme)


def test_the_payment_must_be_the_exact_total_and_is_recorded_once(world: Any, acme_officer: Any) -> None:
    make_members(world.tree.acme, 3)
    batch = enrol_members(world.plan, actor=acme_officer, org=world.tree.acme).batch
    with pytest.raises(ValidationFailed) as caught:
        record_batch_payment(
            batch, actor=acme_officer, amount="179.99", reference="", paid_on=date(2027, 12, 2)
        )
    assert set(caught.value.fields) == {"amount", "reference", "paid_on"}
    assert "180.00" in caught.value.fields["amount"][0]
    paid = record_batch_payment(
        batch, actor=acme_officer, amount=D("180.00"), reference=" HX2027-0001 ", paid_on=date(2027, 11, 30)
    )
    assert (paid.amount_paid, paid.payment_reference, paid.is_paid) == (D("180.00"), "HX2027-0001", True)
    assert AuditEvent.objects.filter(action="mutualaid.record_batch_payment").count() == 1
    with pytest.raises(Conflict):
        record_batch_payment(
            batch, actor=acme_officer, amount="180.00", reference="x", paid_on=date(2027, 11, 30)
        )
    beta_officer = officer_at(world.tree.beta, "beta.officer", Role.UNION_OFFICER)
    with pytest.raises(NotFound):
        record_batch_payment(
            batch, actor=beta_officer, amount="180.00", reference="x", paid_on=date(2027, 11, 30)
        )


def test_member_ids_that_are_not_ids_are_bad_input(world: Any, acme_officer: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        enrol_members(world.plan, actor=acme_officer, org=world.tree.acme, member_ids=["abc"])  # type: ignore[list-item]
    assert "member_ids" in caught.value.fields
    with pytest.raises(ValidationFailed):
        enrol_members(world.plan, actor=acme_officer, org=world.tree.acme, member_ids=[])
