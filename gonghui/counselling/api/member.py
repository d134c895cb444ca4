"""REST API of the signed-in member's counselling (/api/v1/counselling/me): the open slots of
the counsellors serving my union, booking one with an optional message, my bookings (with what
I wrote; never the counsellor's notes) and cancelling one up to two hours before.

Refusals: 404 `no_membership`, `not_found`; 409 `slot_taken`, `too_many_bookings`,
`not_cancellable`, `too_late`; 422 with the fields; 429 `rate_limited`. A refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PathId
from gonghui.counselling.models import Booking, BookingStatus, CancelledBy, Mode, Slot, Topic
from gonghui.counselling.selectors import (
    MY_BOOKINGS_LIMIT,
    OPEN_SLOTS_LIMIT,
    bookings_of_member,
    open_slots_for,
)
from gonghui.counselling.services import bookings
from gonghui.counselling.services.bookings import require_member

router = Router(tags=["counselling"])


class OpenSlotOut(Schema):
    id: int
    counsellor: str
    qualifications: str
    org: str = Field(description="The union offering the service.")
    starts_at: datetime
    duration_minutes: int
    mode: Mode
    location: str


class OpenSlotsOut(Schema):
    items: list[OpenSlotOut]


class MyBookingOut(Schema):
    id: int
    slot: OpenSlotOut
    topic: Topic
    message: str
    status: BookingStatus
    cancelled_by: CancelledBy | Literal[""]
    cancel_reason: str = Field(description="The counsellor's reason, when they cancelled.")
    cancellable: bool
    created_at: datetime


class MyBookingsOut(Schema):
    items: list[MyBookingOut]


class BookingIn(Schema):
    slot: Id
    topic: Topic
    message: str = Field("", max_length=bookings.MESSAGE_MAX * 2)


def open_slot_out(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "counsellor": slot.counsellor.display_name,
        "qualifications": slot.counsellor.qualifications,
        "org": slot.counsellor.org.name,
        "starts_at": slot.starts_at,
        "duration_minutes": slot.duration_minutes,
        "mode": slot.mode,
        "location": slot.location,
    }


def my_booking_out(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "slot": open_slot_out(booking.slot),
        "topic": booking.topic,
        "message": booking.message,
        "status": booking.status,
        "cancelled_by": booking.cancelled_by,
        "cancel_reason": booking.cancel_reason,
        "cancellable": bookings.member_may_cancel(booking),
        "created_at": booking.created_at,
    }


def _mine(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    booking = (
        bookings_of_member(request_user(request)).select_related("slot__counsellor__org").get(pk=booking_id)
    )
    return my_booking_out(booking)


@router.get("", response=MyBookingsOut, summary="My counselling bookings, the latest first")
def my_bookings(request: HttpRequest) -> dict[str, Any]:
    rows = bookings_of_member(request_user(request)).select_related("slot__counsellor__org")
    return {"items": [my_booking_out(booking) for booking in rows[:MY_BOOKINGS_LIMIT]]}


@router.get("/slots", response=OpenSlotsOut, summary="Open slots of the counsellors serving my union")
def open_slots(request: HttpRequest) -> dict[str, Any]:
    member = require_member(request_user(request))
    return {"items": [open_slot_out(slot) for slot in open_slots_for(member)[:OPEN_SLOTS_LIMIT]]}


@router.post("/bookings", response={201: MyBookingOut}, summary="Book a slot")
def book(request: HttpRequest, payload: BookingIn) -> Status[dict[str, Any]]:
    booking = bookings.book_slot(
        payload.slot, actor=request_user(request), topic=payload.topic, message=payload.message
    )
    return Status(201, _mine(request, booking.pk))


@router.post("/bookings/{booking_id}/cancel", response=MyBookingOut, summary="Cancel my booking")
def cancel(request: HttpRequest, booking_id: PathId) -> dict[str, Any]:
    bookings.cancel_as_member(booking_id, actor=request_user(request))
    return _mine(request, booking_id)
