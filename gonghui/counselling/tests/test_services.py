"""Counsellors, hours and bookings through the services: what each write does, who may do it,
and that every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.counselling.models import Booking, BookingStatus, Counsellor, Mode, SessionNote, Slot, SlotStatus
from gonghui.counselling.services import bookings, counsellors, slots
from gonghui.counselling.tests.factories import (
    make_booking,
    make_counsellor,
    make_member_with_account,
    make_slot,
)
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db


def _create(actor: User, tree: Tree, **overrides: object) -> Counsellor:
    values: dict[str, object] = {
        "org_id": tree.east.pk,
        "username": "wang.counsellor",
        "password": "Quiet-harbour-2026",
        "display_name": "王老师",
        "qualifications": "国家二级心理咨询师，十年企业心理服务经验",
        "offers_online": True,
        "offers_in_person": False,
    }
    values.update(overrides)
    return counsellors.create_counsellor(actor=actor, **values)  # type: ignore[arg-type]


def _slot_input(**overrides: object) -> slots.SlotInput:
    values: dict[str, object] = {
        "starts_at": (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0),
        "duration_minutes": 50,
        "mode": Mode.IN_PERSON,
        "location": "东区职工服务中心 3 楼",
        "weeks": 1,
    }
    values.update(overrides)
    return slots.SlotInput(**values)  # type: ignore[arg-type]


# --- counsellors ---------------------------------------------------------------------------------


def test_create_counsellor_opens_a_roleless_sign_in(tree: Tree, east_admin: User) -> None:
    counsellor = _create(east_admin, tree)
    user = counsellor.user
    assert user.is_officer
    assert user.check_password("Quiet-harbour-2026")
    assert not user.role_grants.exists()
    assert counsellor.org == tree.east
    event = AuditEvent.objects.get(action="counselling.create_counsellor")
    assert event.org_path == tree.east.path


def test_create_counsellor_reports_every_bad_field(tree: Tree, east_admin: User) -> None:
    _create(east_admin, tree)
    with pytest.raises(ValidationFailed) as caught:
        _create(
            east_admin,
            tree,
            username="wang.counsellor",
            password="",
            display_name=" ",
            qualifications="x" * 301,
            offers_online=False,
            offers_in_person=False,
        )
    assert set(caught.value.fields) == {
        "username",
        "password",
        "display_name",
        "qualifications",
        "offers_online",
    }
    assert Counsellor.objects.count() == 1


def test_create_counsellor_outside_scope_is_not_found(tree: Tree, east_admin: User) -> None:
    with pytest.raises(NotFound):
        _create(east_admin, tree, org_id=tree.west.pk)
    case_handler = officer_at(tree.east, "east.case", Role.CASE_HANDLER)
    with pytest.raises(NotFound):
        _create(case_handler, tree)
    assert not Counsellor.objects.exists()


def test_deactivate_withdraws_open_hours_and_cancels_sessions_with_sms(
    tree: Tree, east_admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    counsellor = make_counsellor(tree.east)
    open_slot = make_slot(counsellor)
    past = make_slot(counsellor, starts_in=timedelta(days=-1))
    member, user = make_member_with_account(tree.acme, "13700001111")
    booking = make_booking(make_slot(counsellor), member, user)
    with django_capture_on_commit_callbacks(execute=True):
        assert counsellors.deactivate_counsellor(counsellor.pk, actor=east_admin)
    counsellor.refresh_from_db()
    counsellor.user.refresh_from_db()
    assert not counsellor.is_active
    assert not counsellor.user.is_active
    assert Slot.objects.get(pk=open_slot.pk).status == SlotStatus.CANCELLED
    assert Slot.objects.get(pk=past.pk).status == SlotStatus.OPEN
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (BookingStatus.CANCELLED, "counsellor")
    assert len(outbox_messages("13700001111")) == 1
    assert AuditEvent.objects.get(action="counselling.deactivate_counsellor").note == (
        "slots withdrawn: 1, sessions cancelled: 1"
    )
    assert not counsellors.deactivate_counsellor(counsellor.pk, actor=east_admin)


# --- hours ---------------------------------------------------------------------------------------


def test_publish_a_weekly_series(tree: Tree, east_admin: User) -> None:
    counsellor = make_counsellor(tree.east)
    published = slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input(weeks=4))
    assert len(published) == 4
    assert [slot.starts_at - published[0].starts_at for slot in published] == [
        timedelta(weeks=week) for week in range(4)
    ]
    assert {slot.status for slot in published} == {SlotStatus.OPEN}


def test_the_counsellor_publishes_their_own_hours(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    other = make_counsellor(tree.east)
    assert slots.publish_slots(counsellor.pk, actor=counsellor.user, data=_slot_input())
    with pytest.raises(NotFound):
        slots.publish_slots(other.pk, actor=counsellor.user, data=_slot_input())


def test_an_overlapping_series_publishes_nothing(tree: Tree, east_admin: User) -> None:
    counsellor = make_counsellor(tree.east)
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    first = slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input(starts_at=start))[0]
    with pytest.raises(Conflict) as caught:
        slots.publish_slots(
            counsellor.pk,
            actor=east_admin,
            data=_slot_input(starts_at=first.starts_at - timedelta(weeks=1, minutes=20), weeks=3),
        )
    assert caught.value.code == "slot_overlap"
    assert counsellor.slots.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
        ({"starts_at": timezone.now() + timedelta(days=400)}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"mode": "phone"}, "mode"),
        ({"location": ""}, "location"),
        ({"location": "三楼\x00"}, "location"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 27}, "weeks"),
    ],
)
def test_bad_hours_are_refused(
    tree: Tree, east_admin: User, overrides: dict[str, object], field: str
) -> None:
    counsellor = make_counsellor(tree.east)
    with pytest.raises(ValidationFailed) as caught:
        slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input(**overrides))
    assert field in caught.value.fields
    assert not counsellor.slots.exists()


def test_a_mode_the_counsellor_does_not_offer_is_refused(tree: Tree, east_admin: User) -> None:
    counsellor = make_counsellor(tree.east, offers_in_person=False)
    with pytest.raises(ValidationFailed) as caught:
        slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input())
    assert "mode" in caught.value.fields
    online = slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input(mode=Mode.ONLINE))[0]
    assert online.location == ""


def test_withdraw_and_republish(tree: Tree, east_admin: User) -> None:
    counsellor = make_counsellor(tree.east)
    slot = slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input())[0]
    assert slots.withdraw_slot(slot.pk, actor=east_admin).status == SlotStatus.CANCELLED
    again = slots.publish_slots(counsellor.pk, actor=east_admin, data=_slot_input(starts_at=slot.starts_at))
    assert [s.pk for s in again] == [slot.pk]
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.OPEN


def test_a_booked_slot_is_not_withdrawn(tree: Tree, east_admin: User) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme)
    slot = make_slot(counsellor)
    make_booking(slot, member, user)
    with pytest.raises(NotFound):  # the officer does not see booked slots at all
        slots.withdraw_slot(slot.pk, actor=east_admin)
    with pytest.raises(Conflict):
        slots.withdraw_slot(slot.pk, actor=counsellor.user)
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.BOOKED


# --- bookings ------------------------------------------------------------------------------------


def test_book_a_slot(tree: Tree) -> None:
    slot = make_slot(make_counsellor(tree.east))
    member, user = make_member_with_account(tree.acme)
    booking = bookings.book_slot(slot.pk, actor=user, topic="emotions", message="  心情低落\n\n想找人聊聊  ")
    assert booking.member == member
    assert booking.message == "心情低落\n\n想找人聊聊"
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.BOOKED
    event = AuditEvent.objects.get(action="counselling.book")
    assert event.org_path == ""
    assert "心情" not in str(event.changes) + event.object_repr + event.note
    assert "emotions" not in str(event.changes)


def test_the_message_is_encrypted_at_rest(tree: Tree) -> None:
    from django.db import connection

    slot = make_slot(make_counsellor(tree.east))
    _, user = make_member_with_account(tree.acme)
    booking = bookings.book_slot(slot.pk, actor=user, topic="emotions", message="心情低落")
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM counselling_booking WHERE id = %s", [booking.pk])
        (stored,) = cursor.fetchone()
    assert "心情" not in stored


def test_a_booked_slot_cannot_be_booked_again(tree: Tree) -> None:
    slot = make_slot(make_counsellor(tree.east))
    _, first = make_member_with_account(tree.acme)
    _, second = make_member_with_account(tree.acme)
    bookings.book_slot(slot.pk, actor=first, topic="career")
    with pytest.raises(Conflict) as caught:
        bookings.book_slot(slot.pk, actor=second, topic="career")
    assert caught.value.code == "slot_taken"
    assert Booking.objects.count() == 1


def test_slots_of_other_unions_and_non_members(tree: Tree) -> None:
    west_slot = make_slot(make_counsellor(tree.west))
    _, user = make_member_with_account(tree.acme)
    with pytest.raises(NotFound):
        bookings.book_slot(west_slot.pk, actor=user, topic="career")
    with pytest.raises(NotFound):
        bookings.book_slot(999_999, actor=user, topic="career")
    officer = officer_at(tree.east, "east.other")
    with pytest.raises(NotFound) as caught:
        bookings.book_slot(make_slot(make_counsellor(tree.east)).pk, actor=officer, topic="career")
    assert caught.value.code == "no_membership"
    assert not Booking.objects.exists()


def test_past_withdrawn_and_inactive_slots_are_not_bookable(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    inactive = make_counsellor(tree.east, is_active=False)
    _, user = make_member_with_account(tree.acme)
    for slot in (
        make_slot(counsellor, starts_in=timedelta(hours=-1)),
        make_slot(counsellor, status=SlotStatus.CANCELLED),
        make_slot(inactive),
    ):
        with pytest.raises(Conflict):
            bookings.book_slot(slot.pk, actor=user, topic="career")
    assert not Booking.objects.exists()


def test_bad_booking_input(tree: Tree) -> None:
    slot = make_slot(make_counsellor(tree.east))
    _, user = make_member_with_account(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        bookings.book_slot(slot.pk, actor=user, topic="gossip", message="x" * 1001)
    assert set(caught.value.fields) == {"topic", "message"}
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.OPEN


def test_at_most_three_upcoming_sessions(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    _, user = make_member_with_account(tree.acme)
    for _ in range(bookings.MAX_UPCOMING):
        bookings.book_slot(make_slot(counsellor).pk, actor=user, topic="career")
    with pytest.raises(Conflict) as caught:
        bookings.book_slot(make_slot(counsellor).pk, actor=user, topic="career")
    assert caught.value.code == "too_many_bookings"


def test_member_cancels_and_the_slot_opens_again(tree: Tree) -> None:
    slot = make_slot(make_counsellor(tree.east))
    _, user = make_member_with_account(tree.acme)
    _, other = make_member_with_account(tree.acme)
    booking = bookings.book_slot(slot.pk, actor=user, topic="career")
    with pytest.raises(NotFound):
        bookings.cancel_as_member(booking.pk, actor=other)
    cancelled = bookings.cancel_as_member(booking.pk, actor=user)
    assert (cancelled.status, cancelled.cancelled_by) == (BookingStatus.CANCELLED, "member")
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.OPEN
    assert bookings.book_slot(slot.pk, actor=other, topic="career").status == BookingStatus.BOOKED
    with pytest.raises(Conflict):
        bookings.cancel_as_member(booking.pk, actor=user)


def test_member_cannot_cancel_within_two_hours(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    booking = make_booking(
        make_slot(make_counsellor(tree.east), starts_in=timedelta(minutes=90)), member, user
    )
    with pytest.raises(Conflict) as caught:
        bookings.cancel_as_member(booking.pk, actor=user)
    assert caught.value.code == "too_late"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_counsellor_cancels_with_a_reason_and_the_member_is_texted(
    tree: Tree, django_capture_on_commit_callbacks: Any
) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme, "13700002222")
    booking = make_booking(make_slot(counsellor, starts_in=timedelta(minutes=30)), member, user)
    with pytest.raises(ValidationFailed):
        bookings.cancel_as_counsellor(booking.pk, actor=counsellor.user, reason="  ")
    with pytest.raises(NotFound):
        bookings.cancel_as_counsellor(booking.pk, actor=make_counsellor(tree.east).user, reason="有事")
    with django_capture_on_commit_callbacks(execute=True):
        bookings.cancel_as_counsellor(booking.pk, actor=counsellor.user, reason="临时外出培训")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "临时外出培训")
    assert Slot.objects.get(pk=booking.slot_id).status == SlotStatus.CANCELLED
    texts = outbox_messages("13700002222")
    assert len(texts) == 1
    assert "临时外出培训" not in texts[0]


def test_close_a_session(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme)
    future = make_booking(make_slot(counsellor), member, user)
    held = make_booking(make_slot(counsellor, starts_in=timedelta(hours=-1)), member, user)
    with pytest.raises(Conflict):
        bookings.close_session(future.pk, actor=counsellor.user, outcome="done")
    with pytest.raises(ValidationFailed):
        bookings.close_session(held.pk, actor=counsellor.user, outcome="booked")
    assert bookings.close_session(held.pk, actor=counsellor.user, outcome="no_show").status == "no_show"
    with pytest.raises(Conflict):
        bookings.close_session(held.pk, actor=counsellor.user, outcome="done")


def test_notes(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme)
    booking = make_booking(make_slot(counsellor), member, user)
    bookings.write_note(booking.pk, actor=counsellor.user, text="首次来访，焦虑明显")
    bookings.write_note(booking.pk, actor=counsellor.user, text="建议两周后复谈")
    assert SessionNote.objects.get(booking=booking).text == "建议两周后复谈"
    with pytest.raises(ValidationFailed):
        bookings.write_note(booking.pk, actor=counsellor.user, text="")
    with pytest.raises(NotFound):
        bookings.write_note(booking.pk, actor=user, text="会员不能写")
    events = AuditEvent.objects.filter(action="counselling.write_note")
    assert events.count() == 2
    assert all("焦虑" not in str(event.changes) and "复谈" not in str(event.changes) for event in events)
