"""The registry's building blocks: adding and ending memberships leaves an event, an audit entry
and a coverage refresh; one active membership per person, with a clear refusal."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.idnumbers import make_id_number, parse_id_number
from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, MemberEvent, MemberEventKind, MemberStatus, mobile_index
from gonghui.members.services.registry import (
    ActiveElsewhere,
    Categories,
    NewMember,
    active_membership,
    add_member,
    end_membership,
)
from gonghui.members.tests.factories import make_members
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db

WOMAN = parse_id_number(make_id_number("330203", date(1990, 5, 17), 124, "female"))


def test_adding_a_member_derives_birth_date_and_sex_and_records_the_event(tree: Tree) -> None:
    officer = officer_at(tree.acme, "acme.officer")
    member = add_member(
        NewMember(
            name="李芳",
            id_number=WOMAN,
            org=tree.acme,
            mobile="13800000001",
            categories=Categories(is_gig_worker=True, gig_occupation="courier", gig_platform="顺丰"),
            joined_on=date(2026, 3, 1),
        ),
        actor=officer,
    )
    member.refresh_from_db()
    assert (member.birth_date, member.sex, member.is_female_worker) == (date(1990, 5, 17), "female", True)
    assert member.mobile_index == mobile_index("13800000001")
    assert (member.gig_occupation, member.gig_platform) == ("courier", "顺丰")
    event = MemberEvent.objects.get(member=member)
    assert (event.kind, event.org, event.actor, event.id_number_index) == (
        MemberEventKind.JOINED,
        tree.acme,
        officer,
        member.id_number_index,
    )
    assert AuditEvent.objects.filter(action="members.joined", object_id=str(member.pk)).exists()


def test_platform_details_are_dropped_for_someone_who_is_not_a_gig_worker(tree: Tree) -> None:
    member = add_member(
        NewMember(
            name="李芳",
            id_number=WOMAN,
            org=tree.acme,
            categories=Categories(gig_occupation="courier", gig_platform="x"),
        ),
        actor=None,
    )
    assert (member.is_gig_worker, member.gig_occupation, member.gig_platform) == (False, "", "")


def test_a_person_active_elsewhere_is_refused_with_the_union_named(tree: Tree) -> None:
    add_member(NewMember(name="李芳", id_number=WOMAN, org=tree.acme), actor=None)
    with pytest.raises(ActiveElsewhere) as refused:
        add_member(NewMember(name="李芳", id_number=WOMAN, org=tree.beta), actor=None)
    assert refused.value.code == "active_elsewhere"
    assert tree.acme.name in refused.value.message
    assert Member.objects.filter(org=tree.beta).count() == 0


@pytest.mark.parametrize("org_name", ["east", "group"])
def test_federations_and_union_groups_hold_no_members(tree: Tree, org_name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_member(NewMember(name="李芳", id_number=WOMAN, org=getattr(tree, org_name)), actor=None)
    assert "org" in refused.value.fields
    assert not Member.objects.exists()


def test_an_unknown_platform_work_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationFailed):
        add_member(
            NewMember(
                name="李芳",
                id_number=WOMAN,
                org=tree.acme,
                categories=Categories(is_gig_worker=True, gig_occupation="x"),
            ),
            actor=None,
        )


def test_ending_a_membership_frees_the_person_to_join_again(tree: Tree) -> None:
    first = add_member(NewMember(name="李芳", id_number=WOMAN, org=tree.acme), actor=None)
    end_membership(first, actor=None, status=MemberStatus.LEFT, reason="本人申请", kind=MemberEventKind.LEFT)
    first.refresh_from_db()
    assert (first.status, first.end_reason) == (MemberStatus.LEFT, "本人申请")
    assert first.ended_on is not None
    assert active_membership(WOMAN) is None

    second = add_member(NewMember(name="李芳", id_number=WOMAN, org=tree.beta), actor=None)
    assert active_membership(WOMAN) == second
    kinds = list(MemberEvent.objects.of_person(second.id_number_index).values_list("kind", flat=True))
    assert kinds == [MemberEventKind.JOINED, MemberEventKind.LEFT, MemberEventKind.JOINED]


def test_an_ended_membership_cannot_end_again(tree: Tree) -> None:
    member = make_members(tree.acme, 1)[0]
    end_membership(
        member, actor=None, status=MemberStatus.DECEASED, reason="病故", kind=MemberEventKind.DECEASED
    )
    with pytest.raises(Conflict):
        end_membership(member, actor=None, status=MemberStatus.LEFT, reason="x", kind=MemberEventKind.LEFT)
