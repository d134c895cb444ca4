"""Publishing a counsellor's bookable hours (slots), one or a weekly series, and withdrawing an
open one. The counsellor does this at their desk, or an officer managing counselling at the
counsellor's union does it for them.

A series is all or nothing: when one of its slots would overlap a slot the counsellor already
has (or lie in the past), none is published and the clashing times are named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, NotFound
from gonghui.core.inputs import text_problem
from gonghui.core.text import normalize_text
from gonghui.counselling.models import Counsellor, Mode, Slot, SlotStatus
from gonghui.counselling.selectors import counsellor_of
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

MIN_MINUTES = 15
MAX_MINUTES = 240
MAX_WEEKS = 26
LOCATION_MAX = 200
# Hours are published at most this far ahead.
MAX_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class SlotInput:
    starts_at: datetime | None
    duration_minutes: int | None
    mode: str
    location: str = ""
    weeks: int = 1


def _slot_counsellor(actor: Any, counsellor_id: int) -> Counsellor:
    """The counsellor if the actor is that counsellor or manages counselling at their union."""
    own = counsellor_of(actor)
    if own is not None and own.pk == counsellor_id:
        counsellor: Counsellor | None = Counsellor.objects.select_for_update().get(pk=own.pk)
    else:
        counsellor = (
            visible(Counsellor, actor, Perm.COUNSELLING_MANAGE)
            .select_for_update(of=("self",))
            .filter(pk=counsellor_id)
            .first()
        )
    if counsellor is None:
        raise NotFound(_("There is no such counsellor."))
    return counsellor


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@transaction.atomic
def publish_slots(counsellor_id: int, *, actor: Any, data: SlotInput) -> list[Slot]:
    """Publish one slot, or the same hour each week for `weeks` weeks."""
    # Locking the counsellor row serialises publishing for them, so the overlap check holds.
    counsellor = _slot_counsellor(actor, counsellor_id)
    if not counsellor.is_active:
        raise Conflict(_("This counsellor is no longer active."), code="counsellor_inactive")
    errors = FieldErrors()
    now = timezone.now()
    if data.starts_at is None:
        errors.add("starts_at", _("Enter the date and time the session starts."))
    elif data.starts_at <= now:
        errors.add("starts_at", _("The session must start in the future."))
    elif data.starts_at > now + MAX_AHEAD:
        errors.add("starts_at", _("Publish hours at most a year ahead."))
    minutes = data.duration_minutes
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors.add(
            "duration_minutes",
            _("A session lasts %(min)d to %(max)d minutes.") % {"min": MIN_MINUTES, "max": MAX_MINUTES},
        )
    location = normalize_text(data.location or "")
    if data.mode not in Mode.values:
        errors.add("mode", _("Choose online or in person."))
    elif not counsellor.offers(data.mode):
        errors.add("mode", _("This counsellor does not offer sessions this way."))
    elif data.mode == Mode.IN_PERSON:
        problem = text_problem(location, max_length=LOCATION_MAX, required=True)
        if problem:
            errors.add("location", problem)
    else:
        location = ""
    if not 1 <= data.weeks <= MAX_WEEKS:
        errors.add("weeks", _("Repeat for 1 to %(n)d weeks.") % {"n": MAX_WEEKS})
    errors.raise_if_any()
    assert data.starts_at is not None
    assert minutes is not None
    starts = [data.starts_at + timedelta(weeks=week) for week in range(data.weeks)]
    length = timedelta(minutes=minutes)
    existing = list(
        counsellor.slots.exclude(status=SlotStatus.CANCELLED)
        .filter(starts_at__lt=starts[-1] + length, starts_at__gt=starts[0] - timedelta(minutes=MAX_MINUTES))
        .only("starts_at", "duration_minutes")
    )
    clashes = [
        start
        for start in starts
        if any(start < slot.ends_at and slot.starts_at < start + length for slot in existing)
    ]
    # A withdrawn slot keeps its start time (unique per counsellor): it is opened again instead.
    withdrawn = {
        slot.starts_at: slot
        for slot in counsellor.slots.filter(status=SlotStatus.CANCELLED, starts_at__in=starts)
    }
    if clashes:
        raise Conflict(
            _("These times overlap hours the counsellor already has: %(times)s.")
            % {"times": "、".join(_when(start) for start in clashes)},
            code="slot_overlap",
        )
    slots: list[Slot] = []
    for start in starts:
        slot = withdrawn.get(start)
        if slot is None:
            slot = Slot.objects.create(
                counsellor=counsellor,
                starts_at=start,
                duration_minutes=minutes,
                mode=data.mode,
                location=location,
            )
        else:
            slot.status, slot.duration_minutes, slot.mode, slot.location = (
                SlotStatus.OPEN,
                minutes,
                data.mode,
                location,
            )
            slot.save(update_fields=["status", "duration_minutes", "mode", "location"])
        slots.append(slot)
    record_audit(
        actor=actor,
        action="counselling.publish_slots",
        obj=counsellor,
        changes={"slots": [None, [slot.pk for slot in slots]]},
        org=counsellor.org,
    )
    return slots


@transaction.atomic
def withdraw_slot(slot_id: int, *, actor: Any) -> Slot:
    """Take an open slot off the list. A booked one is cancelled through its booking, with the
    member told; withdrawing it here is refused."""
    counsellor_id = Slot.objects.filter(pk=slot_id).values_list("counsellor_id", flat=True).first()
    if counsellor_id is None:
        raise NotFound(_("There is no such slot."))
    counsellor = _slot_counsellor(actor, counsellor_id)
    slot = Slot.objects.select_for_update().get(pk=slot_id)
    if slot.status == SlotStatus.BOOKED and counsellor.user_id != getattr(actor, "pk", None):
        # Officers never see booked slots (a booking's time is the member's business).
        raise NotFound(_("There is no such slot."))
    if slot.status == SlotStatus.BOOKED:
        raise Conflict(
            _("This slot is booked. Cancel the booking at the counsellor's desk; the member is told."),
            code="slot_booked",
        )
    if slot.status == SlotStatus.CANCELLED:
        return slot
    slot.status = SlotStatus.CANCELLED
    slot.save(update_fields=["status"])
    record_audit(
        actor=actor,
        action="counselling.withdraw_slot",
        obj=slot,
        changes={"status": [SlotStatus.OPEN, SlotStatus.CANCELLED]},
        org=counsellor.org,
    )
    return slot
