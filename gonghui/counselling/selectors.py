"""Reads of counselling, and the privacy rule in one place.

The rule: a booking's content — its topic, the member's message, the cancellation reason and
the counsellor's notes — is read only through `content_visible_to` / `bookings_of_member` /
`bookings_of_counsellor`, which answer for the booking's own member and its own counsellor and
nobody else (no officer role, not even a superuser, reaches it). Officers holding
`Perm.COUNSELLING_MANAGE` get `booking_counts`: numbers by month, union, mode and topic, with
no names, ids or dates of single bookings. Notes are the counsellor's working notes: their
member does not see them either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.counselling.models import Booking, Counsellor, Slot, SlotStatus
from gonghui.members.models import Member
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

# A member sees at most this many open slots at once (a union's counsellors publish far fewer).
OPEN_SLOTS_LIMIT = 300
MY_BOOKINGS_LIMIT = 200


def counsellor_of(user: Any) -> Counsellor | None:
    """The counsellor the signed-in account is, if it is one and still active."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return None
    return Counsellor.objects.active().select_related("org").filter(user=user).first()


def content_visible_to(booking: Booking, user: Any) -> bool:
    """Whether `user` may read what `booking` is about: its member or its counsellor only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(booking.user_id == user.pk or booking.slot.counsellor.user_id == user.pk)


def notes_visible_to(booking: Booking, user: Any) -> bool:
    """The session notes: the booking's counsellor alone."""
    return bool(getattr(user, "is_authenticated", False) and booking.slot.counsellor.user_id == user.pk)


def bookings_of_member(user: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(user=user)
        .select_related("slot", "slot__counsellor")
        .order_by("-slot__starts_at", "-id")
    )


def bookings_of_counsellor(counsellor: Counsellor) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(slot__counsellor=counsellor)
        .select_related("slot", "member", "note")
        .order_by("-slot__starts_at", "-id")
    )


def serving_ancestors(member: Member) -> list[str]:
    """The tree paths of the member's union and the unions above it: a counsellor of any of
    them serves the member."""
    path, steplen = member.org.path, member.org.steplen
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def open_slots_for(member: Member) -> QuerySet[Slot]:
    """The future open slots of active counsellors offered to the member's union."""
    return (
        Slot.objects.bookable()
        .filter(counsellor__org__path__in=serving_ancestors(member))
        .select_related("counsellor", "counsellor__org")
        .order_by("starts_at", "id")
    )


def officer_slots(user: Any) -> QuerySet[Slot]:
    """The slots an officer manages: open and withdrawn ones. A booked slot would tell when a
    booking is, so it is left out; the counts report covers bookings."""
    return (
        visible(Slot, user, Perm.COUNSELLING_MANAGE)
        .exclude(status=SlotStatus.BOOKED)
        .select_related("counsellor", "counsellor__org")
        .order_by("-starts_at", "-id")
    )


@dataclass(frozen=True)
class CountRow:
    month: str  # "2026-05"
    org: str  # the offering union's name
    mode: str
    topic: str
    status: str
    count: int


def booking_counts(user: Any, *, year: int | None = None) -> list[CountRow]:
    """How many bookings the officer's counsellors had, by month, offering union, mode, topic
    and outcome: aggregates only."""
    rows = visible(Booking, user, Perm.COUNSELLING_MANAGE)
    if year is not None:
        rows = rows.filter(slot__starts_at__year=year)
    grouped = (
        rows.annotate(month=TruncMonth("slot__starts_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "slot__counsellor__org__name", "slot__mode", "topic", "status")
        .annotate(n=Count("id"))
        .order_by("month", "slot__counsellor__org__name", "slot__mode", "topic", "status")
    )
    return [
        CountRow(
            month=f"{row['month']:%Y-%m}",
            org=row["slot__counsellor__org__name"],
            mode=row["slot__mode"],
            topic=row["topic"],
            status=row["status"],
            count=row["n"],
        )
        for row in grouped
    ]
