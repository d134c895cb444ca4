"""Counselling for tests: counsellors with sign-ins, slots and bookings as rows."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.counselling.models import Booking, BookingStatus, Counsellor, Mode, Slot, SlotStatus, Topic
from gonghui.members.models import Member
from gonghui.orgs.models import Org

_serial = count(1)

__all__ = ["make_booking", "make_counsellor", "make_member_with_account", "make_slot"]

PASSWORD = "Counsel-pass-2026"


def make_counsellor(org: Org, **fields: Any) -> Counsellor:
    serial = next(_serial)
    user = User.objects.create_user(
        username=f"counsellor{serial}", password=PASSWORD, display_name="李老师", kind=AccountKind.OFFICER
    )
    values: dict[str, Any] = {
        "display_name": f"李老师{serial}",
        "qualifications": "国家二级心理咨询师",
        **fields,
    }
    return Counsellor.objects.create(user=user, org=org, **values)


def make_slot(
    counsellor: Counsellor,
    *,
    starts_in: timedelta = timedelta(days=2),
    mode: str = Mode.IN_PERSON,
    status: str = SlotStatus.OPEN,
    **fields: Any,
) -> Slot:
    # Distinct start times for one counsellor's slots, all within a second of `starts_in`.
    start = (timezone.now() + starts_in).replace(microsecond=next(_serial) % 1_000_000)
    return Slot.objects.create(
        counsellor=counsellor,
        starts_at=start,
        duration_minutes=fields.pop("duration_minutes", 50),
        mode=mode,
        location="" if mode == Mode.ONLINE else fields.pop("location", "东区职工服务中心 3 楼心理咨询室"),
        status=status,
        **fields,
    )


def make_booking(
    slot: Slot,
    member: Member,
    user: User,
    *,
    status: str = BookingStatus.BOOKED,
    topic: str = Topic.WORK_STRESS,
    message: str = "最近加班多，睡不好",
) -> Booking:
    """A booking stored directly (the booking tests check the services); a live one books its slot."""
    if status != BookingStatus.CANCELLED:
        Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.BOOKED)
        slot.status = SlotStatus.BOOKED
    return Booking.objects.create(
        slot=slot,
        member=member,
        user=user,
        person_index=member.id_number_index,
        topic=topic,
        message=message,
        status=status,
    )
