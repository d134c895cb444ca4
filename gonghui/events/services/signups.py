"""Signing up for events, the waiting list, the lottery draw, and the organisers' corrections.

Places are exact because the database holds them (see models.py):

- first come: a place is taken by `UPDATE event SET taken = taken + 1 WHERE taken < places`;
  whoever it does not let in is put on the waiting list with the next `queue_number`;
- a freed place (a cancellation, a removal) goes to the first waiting person in the same
  transaction, and they are told by SMS once it commits;
- every write that moves a place locks the event row first and the sign-up row second, in that
  order everywhere, so two of them never wait for each other; the first waiting row is taken
  with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so a waiting row an officer is removing at that
  moment is passed over rather than waited for;
- a lottery event collects entries in its window; the draw ranks them by the published rule of
  the benefits lottery (`entries_digest`, `ticket`, `rank_entries`): the first `places` get a
  place and the rest are the waiting list in ticket order.

A member's own sign-up and cancellation are not audit events: the sign-up row is the record
(as for benefits claims). The organisers' draw, promotions, removals and check-ins are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.benefits.codes import ENTRY_CODE_LENGTH, random_code
from gonghui.benefits.services.lottery import entries_digest, rank_entries
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from gonghui.core.ratelimit import over_limit
from gonghui.core.sms import send_sms
from gonghui.core.text import normalize_text
from gonghui.events.models import LIVE_STATUSES, Event, EventStatus, SignUp, SignUpStatus
from gonghui.events.services.eligibility import eligible_member, quota_year
from gonghui.members import card
from gonghui.members.models import Member
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

# Presses per member per minute across the portal and the API.
SIGNUPS_PER_MINUTE = 20
REASON_MAX = 300
# Check-in opens this long before the event starts (people queue at the door).
CHECK_IN_EARLY_HOURS = 6


class SignUpRefused(Conflict):
    """Not open, closed, the yearly quota: the event's answer, nothing written."""


@dataclass(frozen=True)
class SignUpOutcome:
    signup: SignUp
    created: bool


@dataclass(frozen=True)
class DrawOutcome:
    entries: int
    confirmed: int
    waiting: int


def waiting_position(signup: SignUp) -> int | None:
    """1 for the first person on the waiting list; None when not waiting."""
    if signup.status != SignUpStatus.WAITING or signup.queue_number is None:
        return None
    ahead = SignUp.objects.filter(
        event_id=signup.event_id, status=SignUpStatus.WAITING, queue_number__lt=signup.queue_number
    ).count()
    return ahead + 1


def _site_text(template: str, **values: Any) -> str:
    return template % {"site": settings.GONGHUI_SITE_NAME, **values}


def _text_member(member_id: int, text: str) -> None:
    """Text the member once the transaction has committed (no number, no text)."""
    mobile = Member.objects.filter(pk=member_id).values_list("mobile", flat=True).first()
    if mobile:
        transaction.on_commit(lambda: send_sms(mobile, text))


def _when(event: Event) -> str:
    return date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")


def _text_place(signup: SignUp, event: Event) -> None:
    _text_member(
        signup.member_id,
        _site_text(
            _(
                "[%(site)s] You have a place at “%(title)s”, %(time)s, %(address)s. If you cannot "
                "come, please cancel in the member portal so that the next person gets it."
            ),
            title=event.title,
            time=_when(event),
            address=event.address,
        ),
    )


# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().select_related("org").get(pk=event_id)


def _next_queue_number(event: Event) -> int:
    # The UPDATE locks the event row to the commit, so no other sign-up can draw the same number.
    Event.objects.filter(pk=event.pk).update(waiting_seq=F("waiting_seq") + 1)
    number: int = Event.objects.filter(pk=event.pk).values_list("waiting_seq", flat=True).get()
    return number


def _waiting(event: Event) -> QuerySet[SignUp]:
    rows = SignUp.objects.filter(event=event, status=SignUpStatus.WAITING).order_by("queue_number", "id")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return rows


def _confirm(signup: SignUp, event: Event) -> bool:
    """Give `signup` a place (the caller has one for it). False, and the sign-up cancelled with
    the reason, when the person meanwhile holds a place on another recuperation trip that year."""
    now = timezone.now()
    try:
        with transaction.atomic():
            SignUp.objects.filter(pk=signup.pk).update(
                status=SignUpStatus.CONFIRMED, confirmed_at=now, quota_year=quota_year(event)
            )
    except IntegrityError:
        SignUp.objects.filter(pk=signup.pk).update(
            status=SignUpStatus.CANCELLED,
            ended_at=now,
            reason=_("Already has a place on another recuperation trip this year."),
        )
        return False
    signup.status, signup.confirmed_at, signup.quota_year = SignUpStatus.CONFIRMED, now, quota_year(event)
    return True


def promote_next(event: Event) -> SignUp | None:
    """Give one freed place to the first waiting person who may take it, and text them. The
    caller holds the event row lock and has a place to hand over; None when nobody waits."""
    if event.status != EventStatus.PUBLISHED or timezone.now() >= event.starts_at:
        return None
    while True:
        candidate = _waiting(event).first()
        if candidate is None:
            return None
        if _confirm(candidate, event):
            _text_place(candidate, event)
            return candidate


def _free_place(event: Event) -> SignUp | None:
    """A place of `event` was given up: it goes to the next waiting person, or back to the pool."""
    promoted = promote_next(event)
    if promoted is None:
        Event.objects.filter(pk=event.pk).update(taken=F("taken") - 1)
        event.taken -= 1
    return promoted


def fill_free_places(event: Event) -> list[SignUp]:
    """After the places were raised: the waiting list moves up into the new places."""
    promoted: list[SignUp] = []
    while event.taken < event.places:
        signup = promote_next(event)
        if signup is None:
            break
        Event.objects.filter(pk=event.pk).update(taken=F("taken") + 1)
        event.taken += 1
        promoted.append(signup)
    return promoted


# --------------------------------------------------------------------------------------------
# The member's sign-up and cancellation
# --------------------------------------------------------------------------------------------


def check_rate(user: User) -> None:
    if over_limit("events.signups", user.pk, limit=SIGNUPS_PER_MINUTE, seconds=60):
        raise RateLimited(_("Too many requests. Please wait a moment and try again."))


def open_event(event_id: int) -> Event:
    """The published event with this id if its sign-up is open now; otherwise the refusal a member
    should read. Drafts and unknown events are "not found"."""
    event = Event.objects.listed().select_related("org", "eligible_org").filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("There is no such event."))
    if event.status != EventStatus.PUBLISHED:
        raise SignUpRefused(_("Sign-up for this event has closed."), code="signup_closed")
    state = event.signup_state()
    if state == "upcoming":
        opens = date_format(timezone.localtime(event.signup_opens_at), "DATETIME_FORMAT")
        raise SignUpRefused(
            _("Sign-up has not opened yet. It opens at %(time)s.") % {"time": opens}, code="signup_not_open"
        )
    if state == "ended":
        raise SignUpRefused(_("Sign-up for this event has closed."), code="signup_closed")
    return event


def _live_signup(event: Event, person_index: str) -> SignUp | None:
    found: SignUp | None = SignUp.objects.live().filter(event=event, person_index=person_index).first()
    return found


def quota_refusal(event: Event) -> SignUpRefused:
    return SignUpRefused(
        _(
            "You already have a place on a recuperation trip in %(year)s: each member may go on one "
            "recuperation trip a year."
        )
        % {"year": quota_year(event)},
        code="yearly_quota",
    )


def sign_up(event_id: int, *, actor: User) -> SignUpOutcome:
    """Sign the actor up: a place, the waiting list, or (lottery) an entry to the draw. Pressing
    again returns the sign-up the person already has (created=False); a refusal writes nothing."""
    check_rate(actor)
    event = open_event(event_id)
    member = eligible_member(event, actor)
    existing = _live_signup(event, member.id_number_index)
    if existing is not None:
        return SignUpOutcome(existing, created=False)
    now = timezone.now()
    fields: dict[str, Any] = {
        "event": event,
        "member": member,
        "org_id": member.org_id,
        "person_index": member.id_number_index,
        "user": actor,
        "created_at": now,
    }
    try:
        with transaction.atomic():
            if event.is_lottery:
                signup = SignUp.objects.create(
                    status=SignUpStatus.ENTERED, code=random_code(ENTRY_CODE_LENGTH), **fields
                )
            elif Event.objects.filter(pk=event.pk, taken__lt=F("places")).update(taken=F("taken") + 1):
                signup = SignUp.objects.create(
                    status=SignUpStatus.CONFIRMED, confirmed_at=now, quota_year=quota_year(event), **fields
                )
            else:
                signup = SignUp.objects.create(
                    status=SignUpStatus.WAITING, queue_number=_next_queue_number(event), **fields
                )
    except IntegrityError:
        # A second press of the same person won the race, or the person took a place on another
        # recuperation trip of the year at this very moment.
        existing = _live_signup(event, member.id_number_index)
        if existing is not None:
            return SignUpOutcome(existing, created=False)
        raise quota_refusal(event) from None
    return SignUpOutcome(signup, created=True)


def _locked_signup(signup_id: int, lookup: dict[str, Any]) -> tuple[Event, SignUp]:
    """The sign-up and its event, locked event first (see the module's docstring)."""
    event_id = SignUp.objects.filter(pk=signup_id, **lookup).values_list("event_id", flat=True).first()
    if event_id is None:
        raise NotFound(_("There is no such sign-up."))
    event = _lock_event(event_id)
    signup = SignUp.objects.select_for_update().get(pk=signup_id)
    return event, signup


CANCELLABLE = (SignUpStatus.ENTERED, SignUpStatus.CONFIRMED, SignUpStatus.WAITING)


def _end_signup(event: Event, signup: SignUp, status: str, reason: str) -> SignUp | None:
    """Cancel or remove `signup`; its place, if it held one, moves on. The promoted sign-up."""
    held = signup.status == SignUpStatus.CONFIRMED
    signup.status, signup.ended_at, signup.quota_year, signup.reason = status, timezone.now(), None, reason
    signup.save(update_fields=["status", "ended_at", "quota_year", "reason"])
    return _free_place(event) if held else None


@transaction.atomic
def cancel_signup(signup_id: int, *, actor: User) -> SignUp | None:
    """The member gives up their sign-up before the event starts; a place they held goes to the
    first person waiting, in the same transaction. Returns who was promoted."""
    event, signup = _locked_signup(signup_id, {"user": actor})
    if signup.status not in CANCELLABLE:
        raise Conflict(_("This sign-up cannot be cancelled any more."), code="not_cancellable")
    if timezone.now() >= event.starts_at:
        raise Conflict(_("The event has started: the sign-up can no longer be cancelled."), code="started")
    return _end_signup(event, signup, SignUpStatus.CANCELLED, "")


# --------------------------------------------------------------------------------------------
# The organisers
# --------------------------------------------------------------------------------------------


def _require_change(actor: Any, event: Event) -> None:
    if not has_perm_at(actor, Perm.EVENTS_CHANGE, event.org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may manage its events.")
            % {"org": event.org.name}
        )


def _officer_signup(signup_id: int, actor: Any) -> tuple[Event, SignUp]:
    """The sign-up, if its event is in the actor's scope (404 otherwise), locked; Forbidden when
    the actor may see but not manage the event."""
    event, signup = _locked_signup(signup_id, {"event__in": visible(Event, actor, Perm.EVENTS_VIEW)})
    _require_change(actor, event)
    return event, signup


def clean_reason(reason: str) -> str:
    text = normalize_text(reason or "")
    if not text:
        message = _("Give the reason: it is kept with the sign-up.")
        raise ValidationFailed(message, fields={"reason": [message]})
    if len(text) > REASON_MAX:
        message = _("At most %(max)s characters.") % {"max": REASON_MAX}
        raise ValidationFailed(message, fields={"reason": [message]})
    return text


@transaction.atomic
def promote_signup(signup_id: int, *, actor: Any, reason: str) -> SignUp:
    """Give a waiting person a place out of turn, with the reason: a free place if there is one,
    otherwise one place more for this person."""
    event, signup = _officer_signup(signup_id, actor)
    text = clean_reason(reason)
    if signup.status != SignUpStatus.WAITING:
        raise Conflict(_("Only a person on the waiting list can be given a place."), code="not_waiting")
    if event.status != EventStatus.PUBLISHED:
        raise Conflict(_("The event is no longer open."), code="event_not_open")
    added = event.taken >= event.places
    if added:
        Event.objects.filter(pk=event.pk).update(places=F("places") + 1, taken=F("taken") + 1)
    else:
        Event.objects.filter(pk=event.pk).update(taken=F("taken") + 1)
    try:
        with transaction.atomic():
            SignUp.objects.filter(pk=signup.pk).update(
                status=SignUpStatus.CONFIRMED,
                confirmed_at=timezone.now(),
                quota_year=quota_year(event),
                reason=text,
            )
    except IntegrityError:
        raise quota_refusal(event) from None
    signup.refresh_from_db()
    _text_place(signup, event)
    record_audit(
        actor=actor,
        action="events.promote_signup",
        obj=signup,
        org=event.org,
        changes={"status": [SignUpStatus.WAITING, signup.status], "places_added": [0, int(added)]},
        note=text,
    )
    return signup


@transaction.atomic
def remove_signup(signup_id: int, *, actor: Any, reason: str) -> SignUp | None:
    """Take a sign-up off the event, with the reason; a place it held goes to the next person
    waiting. Returns who was promoted."""
    event, signup = _officer_signup(signup_id, actor)
    text = clean_reason(reason)
    if signup.status not in CANCELLABLE:
        raise Conflict(_("This sign-up can no longer be removed."), code="not_removable")
    before = signup.status
    promoted = _end_signup(event, signup, SignUpStatus.REMOVED, text)
    record_audit(
        actor=actor,
        action="events.remove_signup",
        obj=signup,
        org=event.org,
        changes={"status": [before, signup.status]},
        note=text,
    )
    return promoted


# --------------------------------------------------------------------------------------------
# The draw
# --------------------------------------------------------------------------------------------


def _locked_event(event: Event | int, actor: Any) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    return get_visible(
        Event.objects.select_for_update(of=("self",)).select_related("org"), actor, Perm.EVENTS_VIEW, pk=pk
    )


@transaction.atomic
def draw_event(event: Event | int, *, actor: Any) -> DrawOutcome:
    """Close a lottery's entries: rank them by the published rule; the first `places` who may
    take a place get one, the others wait in ticket order."""
    event = _locked_event(event, actor)
    _require_change(actor, event)
    if not event.is_lottery:
        raise Conflict(_("Only a lottery event is drawn."), code="not_a_lottery")
    if event.status != EventStatus.PUBLISHED:
        raise Conflict(_("Only a published event can be drawn."), code="event_not_open")
    if event.drawn_at is not None:
        raise Conflict(_("The lottery of this event has already been drawn."), code="already_drawn")
    if timezone.now() < event.signup_closes_at:
        raise Conflict(_("The lottery can be drawn only after sign-up closes."), code="signup_open")
    entries = {
        signup.code: signup for signup in SignUp.objects.filter(event=event, status=SignUpStatus.ENTERED)
    }
    ranked = rank_entries(event.seed, {event.pk: list(entries)}, {event.pk: len(entries)})
    confirmed = 0
    waiting: list[SignUp] = []
    for row in ranked:
        signup = entries[row.code]
        if confirmed < event.places:
            if _confirm(signup, event):
                confirmed += 1
                _text_place(signup, event)
            continue
        signup.status, signup.queue_number = SignUpStatus.WAITING, len(waiting) + 1
        waiting.append(signup)
    SignUp.objects.bulk_update(waiting, ["status", "queue_number"], batch_size=500)
    event.taken, event.waiting_seq = confirmed, len(waiting)
    event.entries_digest = entries_digest(list(entries))
    event.drawn_at = timezone.now()
    event.save(update_fields=["taken", "waiting_seq", "entries_digest", "drawn_at", "updated_at"])
    record_audit(
        actor=actor,
        action="events.draw",
        obj=event,
        org=event.org,
        changes={"entries_digest": ["", event.entries_digest], "taken": [0, confirmed]},
        note=f"{len(entries)} / {confirmed} / {len(waiting)}",
    )
    return DrawOutcome(entries=len(entries), confirmed=confirmed, waiting=len(waiting))


# --------------------------------------------------------------------------------------------
# Check-in at the door, by the member card
# --------------------------------------------------------------------------------------------


def _card_member(token: str, number: str) -> Member:
    """The active membership a scanned QR token or a typed card number stands for."""
    token = (token or "").strip()
    return card.card_member(token) if token else card.card_number_member(number)


@dataclass(frozen=True)
class CheckIn:
    signup: SignUp
    member_name: str


@transaction.atomic
def check_in(event: Event | int, *, actor: Any, token: str = "", card_number: str = "") -> CheckIn:
    """Mark the card holder as attended, once. A person not signed up, or only waiting, is told so."""
    if not (token or "").strip() and not (card_number or "").strip():
        message = _("Scan the member card or type its number.")
        raise ValidationFailed(message, fields={"card_number": [message]})
    event = _locked_event(event, actor)
    _require_change(actor, event)
    if event.status != EventStatus.PUBLISHED:
        raise Conflict(_("Check-in is only possible while the event is published."), code="event_not_open")
    now = timezone.now()
    if now < event.starts_at - timedelta(hours=CHECK_IN_EARLY_HOURS):
        raise Conflict(
            _("Check-in opens %(hours)s hours before the event starts.") % {"hours": CHECK_IN_EARLY_HOURS},
            code="check_in_not_open",
        )
    member = _card_member(token, card_number)
    signup = (
        SignUp.objects.select_for_update()
        .filter(event=event, person_index=member.id_number_index, status__in=LIVE_STATUSES)
        .first()
    )
    name = member.masked_name
    if signup is None:
        raise Conflict(_("%(name)s has not signed up for this event.") % {"name": name}, code="not_signed_up")
    if signup.status == SignUpStatus.ATTENDED:
        at = date_format(timezone.localtime(signup.attended_at), "TIME_FORMAT") if signup.attended_at else ""
        raise Conflict(
            _("%(name)s has already checked in (at %(time)s).") % {"name": name, "time": at},
            code="already_checked_in",
        )
    if signup.status in (SignUpStatus.WAITING, SignUpStatus.ENTERED):
        raise Conflict(
            _("%(name)s is on the waiting list and has no place at this event.") % {"name": name},
            code="no_place",
        )
    signup.status, signup.attended_at = SignUpStatus.ATTENDED, now
    signup.save(update_fields=["status", "attended_at"])
    record_audit(
        actor=actor,
        action="events.check_in",
        obj=signup,
        org=event.org,
        changes={"status": [SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED]},
    )
    return CheckIn(signup=signup, member_name=name)
