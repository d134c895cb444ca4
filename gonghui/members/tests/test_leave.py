"""Leaving the union (退会): the member's own decision, or an officer recording a leaving or a death."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.accounts.tests.factories import make_member
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.members.models import (
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    Transfer,
    TransferStatus,
)
from gonghui.members.services.transfers import leave_union, request_transfer
from gonghui.members.tests.test_transfers import MOBILE, World, build_world
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def fresh(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


def test_a_member_leaves_of_their_own_accord(world: World, django_capture_on_commit_callbacks) -> None:
    account = make_member(MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        leave_union(world.member, actor=account, reason="")
    member = fresh(world.member)
    assert (member.status, member.ended_on, member.user) == (MemberStatus.LEFT, timezone.localdate(), account)
    assert member.end_reason
    assert MemberEvent.objects.filter(member=member, kind=MemberEventKind.LEFT, actor=account).exists()
    assert outbox_messages(MOBILE) == []  # they did it themselves


def test_an_officer_records_a_leaving_with_a_date_and_the_member_is_texted(
    world: World, django_capture_on_commit_callbacks
) -> None:
    when = timezone.localdate() - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        leave_union(world.member, actor=world.source_officer, reason="本人书面申请", on=when)
    member = fresh(world.member)
    assert (member.status, member.ended_on, member.end_reason) == (MemberStatus.LEFT, when, "本人书面申请")
    assert AuditEvent.objects.filter(action="members.left", object_id=str(member.pk)).exists()
    [text] = outbox_messages(MOBILE)
    assert world.source.name in text


def test_an_officer_records_a_death_and_no_text_is_sent(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        leave_union(world.member, actor=world.source_officer, reason="病故", status=MemberStatus.DECEASED)
    assert fresh(world.member).status == MemberStatus.DECEASED
    assert MemberEvent.objects.filter(member=world.member, kind=MemberEventKind.DECEASED).exists()
    assert outbox_messages(MOBILE) == []


def test_a_member_cannot_record_a_death(world: World) -> None:
    with pytest.raises(Forbidden):
        leave_union(world.member, actor=make_member(MOBILE), reason="", status=MemberStatus.DECEASED)
    assert fresh(world.member).is_active


@pytest.mark.parametrize("status", [MemberStatus.ACTIVE, MemberStatus.TRANSFERRED_OUT, "gone"])
def test_only_leaving_or_death_may_be_recorded(world: World, status: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        leave_union(world.member, actor=world.source_officer, reason="x", status=status)  # type: ignore[arg-type]
    assert "status" in refused.value.fields


def test_an_officer_must_give_a_reason_and_a_date_not_in_the_future(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        leave_union(
            world.member, actor=world.source_officer, reason=" ", on=timezone.localdate() + timedelta(days=1)
        )
    assert set(refused.value.fields) == {"reason", "on"}
    with pytest.raises(ValidationFailed) as refused:
        leave_union(
            world.member, actor=world.source_officer, reason="x", on=world.member.joined_on - timedelta(1)
        )
    assert set(refused.value.fields) == {"on"}
    assert fresh(world.member).is_active


def test_officers_of_other_unions_and_other_members_cannot_end_a_membership(world: World) -> None:
    with pytest.raises(NotFound):
        leave_union(world.member, actor=world.target_officer, reason="x")
    with pytest.raises(NotFound):
        leave_union(world.member, actor=make_member("13700000009"), reason="x")
    with pytest.raises(Forbidden):
        leave_union(world.member, actor=officer_at(world.source, "acme.auditor", Role.AUDITOR), reason="x")
    assert fresh(world.member).is_active


def test_a_parent_federation_officer_may_record_it(world: World) -> None:
    leave_union(world.member, actor=world.parent_officer, reason="退休")
    assert fresh(world.member).status == MemberStatus.LEFT


def test_an_ended_membership_cannot_end_again(world: World) -> None:
    leave_union(world.member, actor=world.source_officer, reason="x")
    with pytest.raises(Conflict):
        leave_union(world.member, actor=world.source_officer, reason="x")


def test_leaving_cancels_the_open_transfer(world: World) -> None:
    transfer = request_transfer(world.member, actor=world.source_officer, to_org=world.target)
    leave_union(world.member, actor=world.source_officer, reason="离职")
    transfer = Transfer.objects.get(pk=transfer.pk)
    assert transfer.status == TransferStatus.CANCELLED
    assert [h.to_status for h in transfer.history.all()] == ["requested", "cancelled"]
    assert MemberEvent.objects.filter(member=world.member, kind=MemberEventKind.TRANSFER_CANCELLED).exists()
