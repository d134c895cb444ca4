"""Transfers (转会): asking, accepting, rejecting and cancelling, and who may do each.

The world (gonghui.orgs.tests.factories.make_tree):

    city ── east ── town ── joint, acme (the member's union, "source")
         │       └─ beta (the receiving union, "target")
         └─ west ── gamma (a union beside both, "sibling")
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.members.models import (
    TRANSFER_TRANSITIONS,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    Transfer,
    TransferAction,
    TransferStatus,
)
from gonghui.members.services.transfers import (
    approve_transfer,
    available_actions,
    cancel_transfer,
    reject_transfer,
    request_transfer,
    transfer_action,
)
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Org, OrgStatus, Role
from gonghui.orgs.tests.factories import Tree, make_tree, make_workplace, officer_at

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


@dataclass
class World:
    tree: Tree
    member: Member
    source_officer: User
    target_officer: User
    sibling_officer: User
    parent_officer: User
    viewer_at_target: User

    @property
    def source(self) -> Org:
        return self.tree.acme

    @property
    def target(self) -> Org:
        return self.tree.beta


def build_world() -> World:
    tree = make_tree()
    Org.objects.filter(pk=tree.acme.pk).update(contact_phone="0574-87650000")
    tree.acme.refresh_from_db()
    member = Member.objects.bulk_create([member_row(tree.acme, name="张伟明", mobile=MOBILE)])[0]
    return World(
        tree=tree,
        member=Member.objects.select_related("org").get(pk=member.pk),
        source_officer=officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER),
        target_officer=officer_at(tree.beta, "beta.officer", Role.UNION_OFFICER),
        sibling_officer=officer_at(tree.gamma, "gamma.officer", Role.UNION_OFFICER),
        parent_officer=officer_at(tree.east, "east.admin"),
        viewer_at_target=officer_at(tree.beta, "beta.auditor", Role.AUDITOR),
    )


@pytest.fixture
def world() -> World:
    return build_world()


def open_transfer(world: World, actor: User | None = None, **extra) -> Transfer:
    return request_transfer(world.member, actor=actor or world.source_officer, to_org=world.target, **extra)


def active_rows(member: Member) -> list[Member]:
    return list(Member.objects.filter(id_number_index=member.id_number_index, status=MemberStatus.ACTIVE))


# --- asking ------------------------------------------------------------------------------------


def test_an_officer_of_the_source_union_asks_and_the_member_is_texted(
    world: World, django_capture_on_commit_callbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        transfer = open_transfer(world, reason="调动")
    # then
    assert transfer.status == TransferStatus.REQUESTED
    assert (transfer.from_org, transfer.to_org, transfer.requested_by) == (
        world.source,
        world.target,
        world.source_officer,
    )
    step = transfer.history.get()
    assert (step.from_status, step.to_status, step.comment) == ("", TransferStatus.REQUESTED, "调动")
    assert MemberEvent.objects.filter(member=world.member, kind=MemberEventKind.TRANSFER_REQUESTED).exists()
    assert AuditEvent.objects.filter(action="members.request_transfer", object_id=str(transfer.pk)).exists()
    [text] = outbox_messages(MOBILE)
    assert world.target.name in text


def test_an_officer_of_the_target_union_may_ask(world: World) -> None:
    transfer = open_transfer(world, actor=world.target_officer)
    assert transfer.requested_by == world.target_officer


def test_the_members_own_account_may_ask(world: World) -> None:
    account = make_member("13700000001")
    Member.objects.filter(pk=world.member.pk).update(user=account)
    world.member.refresh_from_db()
    transfer = open_transfer(world, actor=account)
    assert transfer.requested_by == account


def test_a_member_account_with_the_registered_mobile_may_ask_and_is_linked(world: World) -> None:
    account = make_member(MOBILE)
    open_transfer(world, actor=account)
    world.member.refresh_from_db()
    assert world.member.user == account


def test_another_member_is_told_to_ask_their_union(world: World) -> None:
    stranger = make_member("13700000002")
    with pytest.raises(Forbidden) as refused:
        open_transfer(world, actor=stranger)
    assert world.source.name in refused.value.message
    assert "0574-87650000" in refused.value.message
    assert not Transfer.objects.exists()


def test_a_member_account_with_the_mobile_of_a_membership_linked_elsewhere_is_refused(world: World) -> None:
    Member.objects.filter(pk=world.member.pk).update(user=make_member("13700000003"))
    world.member.refresh_from_db()
    with pytest.raises(Forbidden):
        open_transfer(world, actor=make_member(MOBILE))


@pytest.mark.parametrize("who", ["sibling_officer", "viewer_at_target"])
def test_officers_without_change_rights_on_either_union_are_refused(world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        open_transfer(world, actor=getattr(world, who))
    assert not Transfer.objects.exists()


def test_an_ended_membership_cannot_be_transferred(world: World) -> None:
    Member.objects.filter(pk=world.member.pk).update(status=MemberStatus.LEFT)
    with pytest.raises(Conflict):
        open_transfer(world)


@pytest.mark.parametrize("target", ["east", "group", "acme"])
def test_the_target_must_be_another_member_holding_union(world: World, target: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        request_transfer(world.member, actor=world.parent_officer, to_org=getattr(world.tree, target))
    assert "to_org" in refused.value.fields


def test_a_dissolved_target_is_refused(world: World) -> None:
    Org.objects.filter(pk=world.target.pk).update(status=OrgStatus.DISSOLVED)
    with pytest.raises(ValidationFailed):
        request_transfer(world.member, actor=world.source_officer, to_org=Org.objects.get(pk=world.target.pk))


def test_the_new_workplace_must_belong_to_the_target(world: World) -> None:
    theirs = make_workplace(world.tree.town, world.target)
    elsewhere = make_workplace(world.tree.west, world.tree.gamma)
    with pytest.raises(ValidationFailed) as refused:
        open_transfer(world, to_workplace=elsewhere)
    assert "to_workplace" in refused.value.fields
    assert open_transfer(world, to_workplace=theirs).to_workplace == theirs


def test_a_workplace_in_a_joint_unions_area_may_be_the_new_workplace(world: World) -> None:
    place = make_workplace(world.tree.joint)
    transfer = request_transfer(
        world.member, actor=world.parent_officer, to_org=world.tree.joint, to_workplace=place
    )
    assert transfer.to_workplace == place


def test_one_open_transfer_per_member(world: World) -> None:
    open_transfer(world)
    with pytest.raises(Conflict) as refused:
        request_transfer(world.member, actor=world.source_officer, to_org=world.tree.joint)
    assert refused.value.code == "transfer_open"
    assert Transfer.objects.count() == 1


# --- accepting -----------------------------------------------------------------------------------


def test_the_target_accepts_and_the_membership_moves_with_its_join_date(
    world: World, django_capture_on_commit_callbacks
) -> None:
    # given
    Member.objects.filter(pk=world.member.pk).update(
        is_gig_worker=True, gig_platform="美团", gig_occupation="delivery_rider"
    )
    place = make_workplace(world.tree.east, world.target)
    transfer = open_transfer(world, to_workplace=place)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        approve_transfer(transfer, actor=world.target_officer, comment="欢迎")
    # then
    transfer.refresh_from_db()
    old = Member.objects.get(pk=world.member.pk)
    new = transfer.new_member
    assert transfer.status == TransferStatus.APPROVED
    assert transfer.decided_at is not None
    assert old.status == MemberStatus.TRANSFERRED_OUT
    assert old.ended_on is not None
    assert new is not None
    assert new.status == MemberStatus.ACTIVE
    assert (new.org, new.workplace, new.joined_on) == (world.target, place, old.joined_on)
    assert (new.name, new.id_number, new.mobile, new.user_id) == (
        old.name,
        old.id_number,
        old.mobile,
        old.user_id,
    )
    assert (new.is_gig_worker, new.gig_platform, new.gig_occupation) == (True, "美团", "delivery_rider")
    assert active_rows(old) == [new]
    kinds = list(MemberEvent.objects.of_person(old.id_number_index).values_list("kind", flat=True))
    assert kinds == ["transfer_requested", "transferred_out", "transferred_in"]
    assert [(h.from_status, h.to_status) for h in transfer.history.all()] == [
        ("", "requested"),
        ("requested", "approved"),
    ]
    assert AuditEvent.objects.filter(action="members.approve_transfer", object_id=str(transfer.pk)).exists()
    assert AuditEvent.objects.filter(action="members.transferred_in", object_id=str(new.pk)).exists()
    assert world.target.name in outbox_messages(MOBILE)[0]
    # the union's coverage figures are recounted after the move
    assert DBTaskResult.objects.filter(task_path="gonghui.orgs.tasks.refresh_coverage_task").exists()


def test_a_closed_transfer_says_why_it_cannot_be_accepted(world: World) -> None:
    transfer = approve_transfer(open_transfer(world), actor=world.target_officer)
    with pytest.raises(InvalidTransition) as refused:
        approve_transfer(transfer, actor=world.target_officer)
    assert refused.value.message == "当前状态为“已完成”，不能执行“同意转入”。"
    assert len(active_rows(world.member)) == 1


@pytest.mark.parametrize("who", ["target_officer", "parent_officer"])
def test_officers_of_the_target_and_above_may_accept(world: World, who: str) -> None:
    transfer = approve_transfer(open_transfer(world), actor=getattr(world, who))
    assert transfer.status == TransferStatus.APPROVED


@pytest.mark.parametrize("who", ["source_officer", "viewer_at_target"])
def test_the_source_and_a_read_only_officer_of_the_target_cannot_accept(world: World, who: str) -> None:
    transfer = open_transfer(world)
    with pytest.raises(Forbidden):
        approve_transfer(transfer, actor=getattr(world, who))
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED
    assert len(active_rows(world.member)) == 1


def test_an_officer_of_neither_union_does_not_see_the_transfer(world: World) -> None:
    transfer = open_transfer(world)
    with pytest.raises(NotFound):
        approve_transfer(transfer, actor=world.sibling_officer)


def test_the_member_cannot_accept_their_own_transfer(world: World) -> None:
    account = make_member(MOBILE)
    transfer = open_transfer(world, actor=account)
    with pytest.raises(Forbidden):
        approve_transfer(transfer, actor=account)


def test_a_membership_that_ended_meanwhile_cannot_be_moved(world: World) -> None:
    transfer = open_transfer(world)
    Member.objects.filter(pk=world.member.pk).update(status=MemberStatus.LEFT)
    with pytest.raises(Conflict):
        approve_transfer(transfer, actor=world.target_officer)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


# --- rejecting and cancelling ------------------------------------------------------------------


def test_the_target_rejects_with_a_reason_and_the_member_is_told_it(
    world: World, django_capture_on_commit_callbacks
) -> None:
    transfer = open_transfer(world)
    with django_capture_on_commit_callbacks(execute=True):
        reject_transfer(transfer, actor=world.target_officer, reason="不在本单位工作")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reject_reason) == (TransferStatus.REJECTED, "不在本单位工作")
    assert "不在本单位工作" in outbox_messages(MOBILE)[0]
    assert MemberEvent.objects.filter(member=world.member, kind=MemberEventKind.TRANSFER_REJECTED).exists()
    assert active_rows(world.member) == [world.member]


@pytest.mark.parametrize("reason", ["", "   ", "\u3000"])
def test_a_rejection_needs_a_reason(world: World, reason: str) -> None:
    transfer = open_transfer(world)
    with pytest.raises(ValidationFailed) as refused:
        reject_transfer(transfer, actor=world.target_officer, reason=reason)
    assert "reason" in refused.value.fields
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


def test_the_source_cannot_reject(world: World) -> None:
    with pytest.raises(Forbidden):
        reject_transfer(open_transfer(world), actor=world.source_officer, reason="不同意")


@pytest.mark.parametrize("who", ["requester", "member", "source_officer", "parent_officer"])
def test_who_may_cancel(world: World, who: str, django_capture_on_commit_callbacks) -> None:
    requester = world.target_officer
    transfer = open_transfer(world, actor=requester)
    actor = {
        "requester": requester,
        "member": make_member(MOBILE),
        "source_officer": world.source_officer,
        "parent_officer": world.parent_officer,
    }[who]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_transfer(transfer, actor=actor)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED
    assert world.target.name in outbox_messages(MOBILE)[0]
    assert MemberEvent.objects.filter(member=world.member, kind=MemberEventKind.TRANSFER_CANCELLED).exists()


@pytest.mark.parametrize("who", ["target_officer_not_requester", "stranger", "sibling_officer"])
def test_who_may_not_cancel(world: World, who: str) -> None:
    transfer = open_transfer(world)  # asked by the source officer
    actor = {
        "target_officer_not_requester": world.target_officer,
        "stranger": make_member("13700000004"),
        "sibling_officer": world.sibling_officer,
    }[who]
    with pytest.raises((Forbidden, NotFound)):
        cancel_transfer(transfer, actor=actor)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


def test_the_actions_offered_follow_authority(world: World) -> None:
    transfer = open_transfer(world)
    assert available_actions(world.target_officer, transfer) == [
        TransferAction.APPROVE,
        TransferAction.REJECT,
    ]
    assert available_actions(world.source_officer, transfer) == [TransferAction.CANCEL]
    assert available_actions(world.parent_officer, transfer) == list(TransferAction)
    assert available_actions(world.sibling_officer, transfer) == []
    assert available_actions(make_member(MOBILE), transfer) == [TransferAction.CANCEL]


def test_an_unknown_action_is_bad_input(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        transfer_action(open_transfer(world), action="delete", actor=world.parent_officer)
    assert "action" in refused.value.fields


# --- illegal steps ---------------------------------------------------------------------------------

ILLEGAL = [
    (status, action)
    for status in TransferStatus.values
    for action in TransferAction.values
    if not TRANSFER_TRANSITIONS.allows(action, status)
]


@settings(
    max_examples=len(ILLEGAL) * 3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(step=st.sampled_from(ILLEGAL), comment=st.text(max_size=30))
def test_every_illegal_step_is_refused_and_changes_nothing(
    world: World, step: tuple[str, str], comment: str
) -> None:
    # given: a transfer in `status`, and an officer who holds every authority over it
    status, action = step
    transfer = Transfer.objects.filter(member=world.member).first() or open_transfer(world)
    Transfer.objects.filter(pk=transfer.pk).update(status=status)
    counts = (MemberEvent.objects.count(), AuditEvent.objects.count(), transfer.history.count())
    # when / then
    with pytest.raises(InvalidTransition):
        transfer_action(transfer, action=action, actor=world.parent_officer, comment=comment, reason="理由")
    assert Transfer.objects.get(pk=transfer.pk).status == status
    assert (MemberEvent.objects.count(), AuditEvent.objects.count(), transfer.history.count()) == counts
    assert len(active_rows(world.member)) == 1


# --- two acceptances at the same moment (PostgreSQL row locks) --------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_the_same_moment_open_one_membership() -> None:
    import threading

    world = build_world()
    transfer = open_transfer(world)
    officers = [
        world.target_officer,
        world.parent_officer,
        officer_at(world.target, "beta.second", Role.UNION_OFFICER),
    ]
    start = threading.Barrier(len(officers))
    outcomes: list[str] = []

    def accept(officer: User) -> None:
        try:
            start.wait()
            approve_transfer(transfer, actor=officer)
            outcomes.append("accepted")
        except InvalidTransition:
            outcomes.append("refused")
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["accepted", "refused", "refused"]
    assert len(active_rows(world.member)) == 1
    assert Member.objects.filter(id_number_index=world.member.id_number_index).count() == 2


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_accepting_while_the_member_leaves_ends_in_one_state() -> None:
    import threading

    from gonghui.members.services.transfers import leave_union

    world = build_world()
    account = make_member(MOBILE)
    transfer = open_transfer(world, actor=account)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run(step) -> None:
        try:
            start.wait()
            step()
            outcomes.append("done")
        except (InvalidTransition, Conflict):
            outcomes.append("refused")
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    steps = [
        lambda: approve_transfer(transfer, actor=world.target_officer),
        lambda: leave_union(world.member, actor=account, reason="个人原因"),
    ]
    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "refused"]
    final = Transfer.objects.get(pk=transfer.pk).status
    active = active_rows(world.member)
    if final == TransferStatus.APPROVED:
        assert len(active) == 1
        assert active[0].org_id == world.target.pk
    else:
        assert final == TransferStatus.CANCELLED
        assert active == []


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_leave_one_open_transfer() -> None:
    import threading

    world = build_world()
    targets = [world.target, world.tree.joint]
    start = threading.Barrier(len(targets))
    outcomes: list[str] = []

    def ask(target: Org) -> None:
        try:
            start.wait()
            request_transfer(world.member, actor=world.parent_officer, to_org=target)
            outcomes.append("asked")
        except Conflict as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["asked", "transfer_open"]
    assert Transfer.objects.filter(member=world.member, status=TransferStatus.REQUESTED).count() == 1
