"""REST API of counselling (/api/v1/counselling).

For officers holding counselling.manage at the offering union or above: the counsellors in
their scope, opening a counsellor's sign-in and switching it off, publishing and withdrawing
hours (open and withdrawn slots only: a booked slot would tell when someone has a session), and
`/report`, the counts of bookings by month, union, mode, topic and outcome. No officer
operation returns a booking. Out-of-scope counsellors and slots are 404, exactly like missing
ones.

For counsellors, under `/desk`: their own hours and bookings with the member's message, closing
a session, cancelling one with a reason (the member is texted), and their session notes. An
account that is not an active counsellor finds no booking there (404).

Errors are `{code, message, fields}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound
from gonghui.core.inputs import CleanText
from gonghui.counselling.models import (
    Booking,
    BookingStatus,
    CancelledBy,
    Counsellor,
    Mode,
    Slot,
    SlotStatus,
    Topic,
)
from gonghui.counselling.selectors import booking_counts, bookings_of_counsellor, counsellor_of, officer_slots
from gonghui.counselling.services import bookings, counsellors, slots
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["counselling"])


class CounsellorOut(Schema):
    id: int
    username: str
    display_name: str
    qualifications: str
    org: str = Field(description="The offering union's name.")
    offers_online: bool
    offers_in_person: bool
    active: bool


class CounsellorListOut(PageOut):
    items: list[CounsellorOut]


class CounsellorIn(Schema):
    org: str = Field(max_length=32, description="Code of the offering union.")
    username: CleanText = Field(max_length=40)
    password: str = Field(max_length=128)
    display_name: CleanText = Field(max_length=counsellors.DISPLAY_NAME_MAX)
    qualifications: CleanText = Field(max_length=counsellors.QUALIFICATIONS_MAX)
    offers_online: bool = True
    offers_in_person: bool = True


class SlotOut(Schema):
    id: int
    counsellor_id: int
    counsellor: str
    starts_at: datetime
    duration_minutes: int
    mode: Mode
    location: str
    status: SlotStatus


class SlotListOut(PageOut):
    items: list[SlotOut]


class SlotIn(Schema):
    starts_at: datetime
    duration_minutes: int = Field(ge=slots.MIN_MINUTES, le=slots.MAX_MINUTES)
    mode: Mode
    location: CleanText = Field("", max_length=slots.LOCATION_MAX)
    weeks: int = Field(
        1, ge=1, le=slots.MAX_WEEKS, description="1 for one slot; n for the same hour n weeks."
    )

    def data(self) -> slots.SlotInput:
        return slots.SlotInput(
            starts_at=self.starts_at,
            duration_minutes=self.duration_minutes,
            mode=self.mode,
            location=self.location,
            weeks=self.weeks,
        )


class SlotsOut(Schema):
    items: list[SlotOut]


class CountOut(Schema):
    month: str = Field(description="YYYY-MM, local time.")
    org: str
    mode: Mode
    topic: Topic
    status: BookingStatus
    count: int


class ReportOut(Schema):
    year: int | None
    rows: list[CountOut]


class ReportQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class DeskBookingOut(Schema):
    id: int
    slot: SlotOut
    member_name: str
    topic: Topic
    message: str
    status: BookingStatus
    cancelled_by: CancelledBy | Literal[""]
    cancel_reason: str
    note: str
    created_at: datetime


class DeskBookingListOut(PageOut):
    items: list[DeskBookingOut]


class ReasonIn(Schema):
    reason: str = Field(max_length=bookings.REASON_MAX * 2)


class CloseIn(Schema):
    outcome: Literal["done", "no_show"]


class NoteIn(Schema):
    text: str = Field(max_length=bookings.NOTE_MAX * 2)


def counsellor_out(counsellor: Counsellor) -> dict[str, Any]:
    return {
        "id": counsellor.pk,
        "username": counsellor.user.username,
        "display_name": counsellor.display_name,
        "qualifications": counsellor.qualifications,
        "org": counsellor.org.name,
        "offers_online": counsellor.offers_online,
        "offers_in_person": counsellor.offers_in_person,
        "active": counsellor.is_active,
    }


def slot_out(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "counsellor_id": slot.counsellor_id,
        "counsellor": slot.counsellor.display_name,
        "starts_at": slot.starts_at,
        "duration_minutes": slot.duration_minutes,
        "mode": slot.mode,
        "location": slot.location,
        "status": slot.status,
    }


def desk_booking_out(booking: Booking) -> dict[str, Any]:
    note = getattr(booking, "note", None)
    return {
        "id": booking.pk,
        "slot": slot_out(booking.slot),
        "member_name": booking.member.name,
        "topic": booking.topic,
        "message": booking.message,
        "status": booking.status,
        "cancelled_by": booking.cancelled_by,
        "cancel_reason": booking.cancel_reason,
        "note": note.text if note is not None else "",
        "created_at": booking.created_at,
    }


def _counsellors(request: HttpRequest) -> Any:
    return visible(Counsellor, request_user(request), Perm.COUNSELLING_MANAGE).select_related("org", "user")


def _org(request: HttpRequest, code: str) -> Org:
    return org_in_scope(request_user(request), Perm.COUNSELLING_MANAGE, code, field="org")


# --- officers ----------------------------------------------------------------------------------


@router.get("/counsellors", response=CounsellorListOut, summary="Counsellors in my scope (officers)")
def counsellor_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, items = page_of(_counsellors(request).order_by("display_name", "id"), page)
    return {**header, "items": [counsellor_out(counsellor) for counsellor in items]}


@router.post("/counsellors", response={201: CounsellorOut}, summary="Open a counsellor's sign-in")
def counsellor_create(request: HttpRequest, payload: CounsellorIn) -> Status[dict[str, Any]]:
    org = _org(request, payload.org)
    counsellor = counsellors.create_counsellor(
        actor=request_user(request),
        org_id=org.pk,
        username=payload.username,
        password=payload.password,
        display_name=payload.display_name,
        qualifications=payload.qualifications,
        offers_online=payload.offers_online,
        offers_in_person=payload.offers_in_person,
    )
    return Status(201, counsellor_out(counsellor))


@router.get("/counsellors/{counsellor_id}", response=CounsellorOut, summary="One counsellor")
def counsellor_detail(request: HttpRequest, counsellor_id: PathId) -> dict[str, Any]:
    return counsellor_out(
        get_visible(_counsellors(request), request_user(request), Perm.COUNSELLING_MANAGE, pk=counsellor_id)
    )


@router.post(
    "/counsellors/{counsellor_id}/deactivate", response=CounsellorOut, summary="Switch a counsellor off"
)
def counsellor_deactivate(request: HttpRequest, counsellor_id: PathId) -> dict[str, Any]:
    counsellors.deactivate_counsellor(counsellor_id, actor=request_user(request))
    return counsellor_out(_counsellors(request).get(pk=counsellor_id))


@router.post(
    "/counsellors/{counsellor_id}/slots",
    response={201: SlotsOut},
    summary="Publish a slot or a weekly series",
)
def slot_publish(request: HttpRequest, counsellor_id: PathId, payload: SlotIn) -> Status[dict[str, Any]]:
    published = slots.publish_slots(counsellor_id, actor=request_user(request), data=payload.data())
    return Status(201, {"items": [slot_out(slot) for slot in published]})


@router.get("/slots", response=SlotListOut, summary="Open and withdrawn slots in my scope (officers)")
def slot_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, items = page_of(officer_slots(request_user(request)), page)
    return {**header, "items": [slot_out(slot) for slot in items]}


@router.post("/slots/{slot_id}/withdraw", response=SlotOut, summary="Withdraw an open slot")
def slot_withdraw(request: HttpRequest, slot_id: PathId) -> dict[str, Any]:
    slot = slots.withdraw_slot(slot_id, actor=request_user(request))
    return slot_out(Slot.objects.select_related("counsellor").get(pk=slot.pk))


@router.get("/report", response=ReportOut, summary="Counts of bookings (no individual booking)")
def report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    rows = booking_counts(request_user(request), year=query.year)
    return {"year": query.year, "rows": [row.__dict__ for row in rows]}


# --- the counsellor's desk ---------------------------------------------------------------------


def _desk(request: HttpRequest) -> Counsellor:
    counsellor = counsellor_of(request_user(request))
    if counsellor is None:
        raise NotFound(_("This page is for counsellors."), code="not_a_counsellor")
    return counsellor


def _desk_booking(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    booking = bookings_of_counsellor(_desk(request)).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return desk_booking_out(booking)


@router.get("/desk/slots", response=SlotListOut, summary="My hours (counsellors)")
def desk_slots(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    counsellor = _desk(request)
    rows = counsellor.slots.select_related("counsellor").order_by("-starts_at", "-id")
    header, items = page_of(rows, page)
    return {**header, "items": [slot_out(slot) for slot in items]}


@router.post("/desk/slots", response={201: SlotsOut}, summary="Publish my hours (counsellors)")
def desk_publish(request: HttpRequest, payload: SlotIn) -> Status[dict[str, Any]]:
    counsellor = _desk(request)
    published = slots.publish_slots(counsellor.pk, actor=request_user(request), data=payload.data())
    return Status(201, {"items": [slot_out(slot) for slot in published]})


@router.get("/desk/bookings", response=DeskBookingListOut, summary="My bookings, with their content")
def desk_bookings(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, items = page_of(bookings_of_counsellor(_desk(request)), page)
    return {**header, "items": [desk_booking_out(booking) for booking in items]}


@router.get("/desk/bookings/{booking_id}", response=DeskBookingOut, summary="One of my bookings")
def desk_booking(request: HttpRequest, booking_id: PathId) -> dict[str, Any]:
    return _desk_booking(request, booking_id)


@router.post("/desk/bookings/{booking_id}/cancel", response=DeskBookingOut, summary="Cancel a session")
def desk_cancel(request: HttpRequest, booking_id: PathId, payload: ReasonIn) -> dict[str, Any]:
    bookings.cancel_as_counsellor(booking_id, actor=request_user(request), reason=payload.reason)
    return _desk_booking(request, booking_id)


@router.post("/desk/bookings/{booking_id}/close", response=DeskBookingOut, summary="Session held / no show")
def desk_close(request: HttpRequest, booking_id: PathId, payload: CloseIn) -> dict[str, Any]:
    bookings.close_session(booking_id, actor=request_user(request), outcome=payload.outcome)
    return _desk_booking(request, booking_id)


@router.put("/desk/bookings/{booking_id}/note", response=DeskBookingOut, summary="Save my session notes")
def desk_note(request: HttpRequest, booking_id: PathId, payload: NoteIn) -> dict[str, Any]:
    bookings.write_note(booking_id, actor=request_user(request), text=payload.text)
    return _desk_booking(request, booking_id)
