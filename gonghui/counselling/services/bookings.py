"""Booking a counsellor's slot, cancelling, closing a session (held / did not come), notes.

A slot is booked once: the booking flips it with `UPDATE slot SET status = 'booked' WHERE
status = 'open'`, and only whoever's UPDATE changed the row writes a booking (the partial
unique index on live bookings per slot stands behind it). A member's cancellation, allowed up
to `MEMBER_CANCEL_BEFORE` ahead, opens the slot again; the counsellor may cancel any time with
a reason, which withdraws the slot, and the member is told by SMS.

Audit events name the action and the booking's id only: never the member, the topic, the
message, the reason or the notes. They carry no org, so no officer's audit view lists them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, NotFound, RateLimited, ValidationFailed
from gonghui.core.inputs import clean_multiline
from gonghui.core.ratelimit import over_limit
from gonghui.core.sms import send_sms
from gonghui.counselling.models import (
    Booking,
    BookingStatus,
    CancelledBy,
    Counsellor,
    SessionNote,
    Slot,
    SlotStatus,
    Topic,
)
from gonghui.counselling.selectors import counsellor_of, serving_ancestors
from gonghui.members.models import Member
from gonghui.members.services.selfservice import current_membership

MEMBER_CANCEL_BEFORE = timedelta(hours=2)
MESSAGE_MAX = 1000
REASON_MAX = 300
NOTE_MAX = 10_000
# A member's presses per minute across the portal and the API.
BOOKINGS_PER_MINUTE = 10
# A member holds at most this many upcoming sessions at once, so nobody blocks a counsellor's week.
MAX_UPCOMING = 3


def require_member(actor: User) -> Member:
    """The actor's active membership; NotFound `no_membership` when there is none."""
    member = current_membership(actor) if isinstance(actor, User) else None
    if member is None:
        raise NotFound(
            _("Counselling is for members of the union. We found no active membership of yours."),
            code="no_membership",
        )
    return member


def _when(slot: Slot) -> str:
    return date_format(timezone.localtime(slot.starts_at), "DATETIME_FORMAT")


def _text_member(member_id: int, text: str) -> None:
    mobile = Member.objects.filter(pk=member_id).values_list("mobile", flat=True).first()
    if mobile:
        transaction.on_commit(lambda: send_sms(mobile, text))


def _audit(actor: Any, action: str, booking: Booking, before: str, after: str) -> None:
    record_audit(actor=actor, action=action, obj=booking, changes={"status": [before, after]}, org=None)


def book_slot(slot_id: int, *, actor: User, topic: str, message: str = "") -> Booking:
    """Book an open slot for the signed-in member, with an optional message to the counsellor."""
    if over_limit("counselling.bookings", actor.pk, limit=BOOKINGS_PER_MINUTE, seconds=60):
        raise RateLimited(_("Too many requests. Please wait a moment and try again."))
    member = require_member(actor)
    slot = (
        Slot.objects.bookable()
        .filter(pk=slot_id, counsellor__org__path__in=serving_ancestors(member))
        .select_related("counsellor")
        .first()
    )
    if slot is None:
        if Slot.objects.filter(pk=slot_id, counsellor__org__path__in=serving_ancestors(member)).exists():
            raise Conflict(_("This time is no longer available. Choose another one."), code="slot_taken")
        raise NotFound(_("There is no such slot."))
    errors = FieldErrors()
    if topic not in Topic.values:
        errors.add("topic", _("Choose what you would like to talk about."))
    message = clean_multiline(message, field="message", max_length=MESSAGE_MAX, errors=errors)
    errors.raise_if_any()
    upcoming = Booking.objects.filter(
        person_index=member.id_number_index, status=BookingStatus.BOOKED, slot__starts_at__gt=timezone.now()
    ).count()
    if upcoming >= MAX_UPCOMING:
        raise Conflict(
            _("You already have %(n)d sessions coming up. Cancel one or wait until it has taken place.")
            % {"n": MAX_UPCOMING},
            code="too_many_bookings",
        )
    try:
        with transaction.atomic():
            if not Slot.objects.filter(pk=slot.pk, status=SlotStatus.OPEN).update(status=SlotStatus.BOOKED):
                raise Conflict(_("This time is no longer available. Choose another one."), code="slot_taken")
            booking = Booking.objects.create(
                slot=slot,
                member=member,
                user=actor,
                person_index=member.id_number_index,
                topic=topic,
                message=message,
            )
            _audit(actor, "counselling.book", booking, "", BookingStatus.BOOKED)
    except IntegrityError:
        raise Conflict(
            _("This time is no longer available. Choose another one."), code="slot_taken"
        ) from None
    return booking


def member_may_cancel(booking: Booking) -> bool:
    return (
        booking.status == BookingStatus.BOOKED
        and timezone.now() <= booking.slot.starts_at - MEMBER_CANCEL_BEFORE
    )


def _locked_booking(booking_id: int, **lookup: Any) -> Booking:
    """The booking with its slot, slot row locked first (the order booking itself uses)."""
    slot_id = Booking.objects.filter(pk=booking_id, **lookup).values_list("slot_id", flat=True).first()
    if slot_id is None:
        raise NotFound(_("There is no such booking."))
    Slot.objects.select_for_update().filter(pk=slot_id).get()
    return Booking.objects.select_for_update().select_related("slot", "slot__counsellor").get(pk=booking_id)


@transaction.atomic
def cancel_as_member(booking_id: int, *, actor: User) -> Booking:
    """The member gives up their session, up to two hours before it; the slot opens again."""
    booking = _locked_booking(booking_id, user=actor)
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(_("This booking cannot be cancelled any more."), code="not_cancellable")
    if not member_may_cancel(booking):
        raise Conflict(
            _(
                "A session can be cancelled online up to 2 hours before it starts. "
                "Please call the counselling office."
            ),
            code="too_late",
        )
    booking.status, booking.cancelled_by, booking.ended_at = (
        BookingStatus.CANCELLED,
        CancelledBy.MEMBER,
        timezone.now(),
    )
    booking.save(update_fields=["status", "cancelled_by", "ended_at"])
    Slot.objects.filter(pk=booking.slot_id).update(status=SlotStatus.OPEN)
    _audit(actor, "counselling.cancel_by_member", booking, BookingStatus.BOOKED, BookingStatus.CANCELLED)
    return booking


def _desk_counsellor(actor: Any) -> Counsellor:
    counsellor = counsellor_of(actor)
    if counsellor is None:
        raise NotFound(_("There is no such booking."))
    return counsellor


def end_for_counsellor(booking: Booking, *, actor: Any, reason: str) -> None:
    """Cancel a booked session from the counsellor's side (the booking and its slot locked by
    the caller): the slot is withdrawn and the member is texted once this commits."""
    booking.status, booking.cancelled_by = BookingStatus.CANCELLED, CancelledBy.COUNSELLOR
    booking.cancel_reason, booking.ended_at = reason, timezone.now()
    booking.save(update_fields=["status", "cancelled_by", "cancel_reason", "ended_at"])
    Slot.objects.filter(pk=booking.slot_id).update(status=SlotStatus.CANCELLED)
    _audit(actor, "counselling.cancel_by_counsellor", booking, BookingStatus.BOOKED, BookingStatus.CANCELLED)
    # The reason stays out of the text: a shared phone must not show it.
    _text_member(
        booking.member_id,
        _(
            "[%(site)s] Your counselling session on %(time)s has been cancelled by the counsellor. "
            "See the member portal for details and to book another time."
        )
        % {"site": settings.GONGHUI_SITE_NAME, "time": _when(booking.slot)},
    )


@transaction.atomic
def cancel_as_counsellor(booking_id: int, *, actor: Any, reason: str) -> Booking:
    """The counsellor calls a session off, at any time before it is closed, saying why."""
    counsellor = _desk_counsellor(actor)
    booking = _locked_booking(booking_id, slot__counsellor=counsellor)
    errors = FieldErrors()
    reason = clean_multiline(reason, field="reason", max_length=REASON_MAX, errors=errors)
    if not reason and not errors:
        errors.add("reason", _("Say why the session is cancelled; the member reads it."))
    errors.raise_if_any()
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(_("This booking cannot be cancelled any more."), code="not_cancellable")
    end_for_counsellor(booking, actor=actor, reason=reason)
    return booking


CLOSING = (BookingStatus.DONE, BookingStatus.NO_SHOW)


@transaction.atomic
def close_session(booking_id: int, *, actor: Any, outcome: str) -> Booking:
    """The counsellor records that the session was held, or that the member did not come."""
    counsellor = _desk_counsellor(actor)
    if outcome not in CLOSING:
        raise ValidationFailed(
            _("Some of the data is not valid. See the fields."),
            fields={"outcome": [_("Choose whether the session was held or the member did not come.")]},
        )
    booking = _locked_booking(booking_id, slot__counsellor=counsellor)
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(_("This session has already been closed or cancelled."), code="not_open")
    if timezone.now() < booking.slot.starts_at:
        raise Conflict(_("The session has not started yet."), code="not_started")
    booking.status, booking.ended_at = outcome, timezone.now()
    booking.save(update_fields=["status", "ended_at"])
    _audit(actor, "counselling.close_session", booking, BookingStatus.BOOKED, outcome)
    return booking


@transaction.atomic
def write_note(booking_id: int, *, actor: Any, text: str) -> SessionNote:
    """Save the counsellor's notes on a session (replacing the previous text)."""
    counsellor = _desk_counsellor(actor)
    booking = _locked_booking(booking_id, slot__counsellor=counsellor)
    errors = FieldErrors()
    text = clean_multiline(text, field="text", max_length=NOTE_MAX, errors=errors)
    if not text and not errors:
        errors.add("text", _("Write the notes, or leave the page without saving."))
    errors.raise_if_any()
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict(_("A cancelled session has no notes."), code="cancelled")
    note, created = SessionNote.objects.update_or_create(booking=booking, defaults={"text": text})
    record_audit(
        actor=actor,
        action="counselling.write_note",
        obj=booking,
        changes={"note": ["" if created else "***", "***"]},
        org=None,
    )
    return note
