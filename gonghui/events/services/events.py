"""Event authoring: creating and editing events, publishing, closing and cancelling them.

Each function takes the acting user as keyword-only `actor`, runs in one transaction, checks
permission first (an event outside the actor's scope is 404, exactly like a missing one; one the
actor may see but not change is 403), validates every field at once, writes and records an audit
event.

What may change when:

- a draft: everything;
- a published event: the description, the address and map position, and more places (never
  fewer: people hold them). New places go to the waiting list at once, in its order;
- a closed or cancelled event: nothing.

Closing is for after the event: the confirmed people who did not check in become "did not come".
Cancelling tells everyone holding a place or waiting, by SMS.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden
from gonghui.core.money import MAX_AMOUNT, to_money
from gonghui.core.sms import send_sms
from gonghui.core.text import normalize_text
from gonghui.events.models import (
    EVENT_TRANSITIONS,
    LIVE_STATUSES,
    MAX_PLACES,
    Allocation,
    Event,
    EventAction,
    EventHistory,
    EventKind,
    EventStatus,
    SignUp,
    SignUpStatus,
)
from gonghui.events.services.signups import fill_free_places
from gonghui.members.categories import MemberCategory
from gonghui.members.models import Member, Sex
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

TITLE_MAX = 100
DESCRIPTION_MAX = 5000
ADDRESS_MAX = 200
MAX_AGE = 120

# What a published event keeps as members saw it (see the module's docstring).
FROZEN_WHEN_PUBLISHED = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "signup_opens_at",
    "signup_closes_at",
    "fee",
    "allocation",
    "eligible_org_id",
    "categories",
    "sex",
    "min_age",
    "max_age",
)
AUDITED_FIELDS = (*FROZEN_WHEN_PUBLISHED, "description", "address", "latitude", "longitude", "places")


@dataclass
class EventData:
    """Everything an event form sends. `eligible_org` is a code (empty: the organiser itself)."""

    kind: str
    title: str
    address: str
    starts_at: datetime | None
    ends_at: datetime | None
    signup_opens_at: datetime | None
    signup_closes_at: datetime | None
    places: int | None
    allocation: str
    fee: Decimal | None = Decimal("0.00")
    description: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    eligible_org: str = ""
    categories: Sequence[str] = field(default_factory=list)
    sex: str = ""
    min_age: int | None = None
    max_age: int | None = None


def _org_by_code(code: str) -> Org | None:
    code = normalize_text(code or "").upper()
    found: Org | None = Org.objects.filter(code__iexact=code).first() if code else None
    return found


def _check_text(errors: FieldErrors, name: str, value: str, maximum: int, required: str | None) -> str:
    text = normalize_text(value or "") if name != "description" else (value or "").strip()
    if not text and required:
        errors.add(name, required)
    elif len(text) > maximum:
        errors.add(name, _("At most %(max)s characters.") % {"max": maximum})
    return text


def _check_times(data: EventData, errors: FieldErrors) -> None:
    for name, message in (
        ("starts_at", _("Give the time the event starts.")),
        ("ends_at", _("Give the time the event ends.")),
        ("signup_opens_at", _("Give the time sign-up opens.")),
        ("signup_closes_at", _("Give the time sign-up closes.")),
    ):
        if getattr(data, name) is None:
            errors.add(name, message)
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        errors.add("ends_at", _("The event must end after it starts."))
    if data.signup_opens_at and data.signup_closes_at and data.signup_closes_at <= data.signup_opens_at:
        errors.add("signup_closes_at", _("Sign-up must close after it opens."))
    if data.signup_closes_at and data.starts_at and data.signup_closes_at > data.starts_at:
        errors.add("signup_closes_at", _("Sign-up must close before the event starts."))


def _check_position(data: EventData, errors: FieldErrors) -> None:
    if (data.latitude is None) != (data.longitude is None):
        errors.add("latitude", _("Give both the latitude and the longitude, or neither."))
    if data.latitude is not None and not Decimal(-90) <= data.latitude <= Decimal(90):
        errors.add("latitude", _("The latitude is between -90 and 90."))
    if data.longitude is not None and not Decimal(-180) <= data.longitude <= Decimal(180):
        errors.add("longitude", _("The longitude is between -180 and 180."))


def _check_eligibility(org: Org, data: EventData, errors: FieldErrors) -> Org:
    eligible_org = org
    if normalize_text(data.eligible_org or ""):
        found = _org_by_code(data.eligible_org)
        if found is None or not found.path.startswith(org.path):
            errors.add(
                "eligible_org", _("Give the code of %(org)s or of a union under it.") % {"org": org.name}
            )
        else:
            eligible_org = found
    if any(code not in MemberCategory.values for code in data.categories or []):
        errors.add("categories", _("Choose categories from the list."))
    if data.sex and data.sex not in Sex.values:
        errors.add("sex", _("Choose women, men or everyone."))
    for name in ("min_age", "max_age"):
        age = getattr(data, name)
        if age is not None and not 0 <= age <= MAX_AGE:
            errors.add(name, _("An age is a whole number from 0 to %(max)s.") % {"max": MAX_AGE})
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        errors.add("max_age", _("The maximum age cannot be below the minimum age."))
    return eligible_org


def _aware(value: datetime | None) -> datetime | None:
    """A time given without a zone (an API client's "2026-07-01T08:00") is local time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _clean(org: Org, data: EventData, errors: FieldErrors) -> dict[str, Any]:
    """Check every rule of an event's data, collecting all problems in `errors`."""
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        setattr(data, name, _aware(getattr(data, name)))
    if data.kind not in EventKind.values:
        errors.add("kind", _("Choose the kind of event."))
    title = _check_text(errors, "title", data.title, TITLE_MAX, _("Give the event a title."))
    description = _check_text(errors, "description", data.description, DESCRIPTION_MAX, None)
    address = _check_text(
        errors, "address", data.address, ADDRESS_MAX, _("Give the address where it takes place.")
    )
    _check_times(data, errors)
    _check_position(data, errors)
    if data.places is None or not 1 <= data.places <= MAX_PLACES:
        errors.add("places", _("The places are a whole number from 1 to %(max)s.") % {"max": MAX_PLACES})
    fee = data.fee if data.fee is not None else Decimal("0.00")
    if fee < 0:
        errors.add("fee", _("The fee cannot be negative."))
    elif fee > MAX_AMOUNT or to_money(fee) != fee:
        errors.add("fee", _("The fee is an amount in yuan with at most two decimals."))
    if data.allocation not in Allocation.values:
        errors.add("allocation", _("Choose first come, first served or a lottery."))
    eligible_org = _check_eligibility(org, data, errors)
    return {
        "kind": data.kind,
        "title": title,
        "description": description,
        "address": address,
        "latitude": data.latitude,
        "longitude": data.longitude,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "signup_opens_at": data.signup_opens_at,
        "signup_closes_at": data.signup_closes_at,
        "places": data.places,
        "fee": to_money(fee) if not errors.fields.get("fee") else fee,
        "allocation": data.allocation,
        "eligible_org_id": eligible_org.pk,
        "categories": list(dict.fromkeys(data.categories or [])),
        "sex": data.sex or "",
        "min_age": data.min_age,
        "max_age": data.max_age,
    }


def _require_change(actor: Any, org: Org) -> None:
    if not has_perm_at(actor, Perm.EVENTS_CHANGE, org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may manage its events.")
            % {"org": org.name}
        )


def _locked(event: Event | int, actor: Any) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    return get_visible(
        Event.objects.select_for_update(of=("self",)).select_related("org"), actor, Perm.EVENTS_VIEW, pk=pk
    )


def _history(event: Event, from_status: str, actor: Any, comment: str = "") -> None:
    EventHistory.objects.create(
        event=event, from_status=from_status, to_status=event.status, actor=actor, comment=comment
    )


@transaction.atomic
def create_event(org: Org, *, actor: Any, data: EventData) -> Event:
    """A new event of `org`, in draft."""
    _require_change(actor, org)
    errors = FieldErrors()
    values = _clean(org, data, errors)
    errors.raise_if_any()
    event = Event.objects.create(org=org, created_by=actor, status=EventStatus.DRAFT, **values)
    _history(event, "", actor)
    record_audit(actor=actor, action="events.create_event", obj=event, org=org)
    return event


@transaction.atomic
def update_event(event: Event | int, *, actor: Any, data: EventData) -> Event:
    """Change an event: everything in a draft; in a published event only what the module's
    docstring lists (anything else is refused on its field, with nothing written)."""
    event = _locked(event, actor)
    _require_change(actor, event.org)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Conflict(
            _("The event is “%(status)s”: it can no longer be changed.")
            % {"status": event.get_status_display()}
        )
    errors = FieldErrors()
    values = _clean(event.org, data, errors)
    published = event.status == EventStatus.PUBLISHED
    if published:
        frozen = _("This cannot be changed once the event is published.")
        for name in FROZEN_WHEN_PUBLISHED:
            old, new = getattr(event, name), values[name]
            if (
                isinstance(old, datetime)
                and isinstance(new, datetime)
                and abs((new - old).total_seconds()) < 60
            ):
                values[name] = old  # the form shows minutes: the stored seconds are no change
            elif new != old:
                errors.add(name.removesuffix("_id"), frozen)
        if values["places"] is not None and values["places"] < event.places:
            errors.add("places", _("A published event can get more places, not fewer."))
    errors.raise_if_any()
    before = snapshot(event, AUDITED_FIELDS)
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    if published:
        fill_free_places(event)
    record_audit(
        actor=actor,
        action="events.update_event",
        obj=event,
        org=event.org,
        changes=changes_between(before, snapshot(event, AUDITED_FIELDS)),
    )
    return event


def _transition(event: Event | int, action: str, actor: Any) -> tuple[Event, str]:
    event = _locked(event, actor)
    EVENT_TRANSITIONS.lookup(action)
    _require_change(actor, event.org)  # every action's permission is EVENTS_CHANGE on the organiser
    EVENT_TRANSITIONS.require(action, event.status)
    return event, event.status


def _data_of(event: Event) -> EventData:
    return EventData(
        kind=event.kind,
        title=event.title,
        description=event.description,
        address=event.address,
        latitude=event.latitude,
        longitude=event.longitude,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        signup_opens_at=event.signup_opens_at,
        signup_closes_at=event.signup_closes_at,
        places=event.places,
        fee=event.fee,
        allocation=event.allocation,
        eligible_org=Org.objects.filter(pk=event.eligible_org_id).values_list("code", flat=True).get(),
        categories=list(event.categories or []),
        sex=event.sex,
        min_age=event.min_age,
        max_age=event.max_age,
    )


def _finish(event: Event, before: str, actor: Any, comment: str, action: str, **extra: list[Any]) -> Event:
    comment = normalize_text(comment or "")
    _history(event, before, actor, comment)
    record_audit(
        actor=actor,
        action=f"events.{action}",
        obj=event,
        org=event.org,
        changes={"status": [before, event.status], **extra},
        note=comment,
    )
    return event


@transaction.atomic
def publish_event(event: Event | int, *, actor: Any, comment: str = "") -> Event:
    """Publish a draft: every rule is checked again, sign-up must not have closed, and a lottery
    gets its public seed (before anyone enters, so it cannot be chosen to favour an entry)."""
    event, before = _transition(event, EventAction.PUBLISH, actor)
    errors = FieldErrors()
    _clean(event.org, _data_of(event), errors)
    if event.signup_closes_at <= timezone.now():
        errors.add("signup_closes_at", _("Sign-up has already closed: change its close time first."))
    errors.raise_if_any(_("The event cannot be published yet. See the problems below."))
    event.status = EVENT_TRANSITIONS[EventAction.PUBLISH].target
    event.published_at = timezone.now()
    if event.is_lottery:
        event.seed = secrets.token_hex(32)
    event.save(update_fields=["status", "published_at", "seed", "updated_at"])
    return _finish(event, before, actor, comment, "publish_event", seed=["", event.seed])


@transaction.atomic
def close_event(event: Event | int, *, actor: Any, comment: str = "") -> Event:
    """Close an event that has ended: confirmed people who did not check in did not come; people
    still waiting or in an undrawn draw are cancelled."""
    event, before = _transition(event, EventAction.CLOSE, actor)
    if timezone.now() < event.ends_at:
        raise Conflict(
            _("An event is closed after it has ended. To call it off, cancel it."), code="not_ended"
        )
    now = timezone.now()
    no_show = SignUp.objects.filter(event=event, status=SignUpStatus.CONFIRMED).update(
        status=SignUpStatus.NO_SHOW
    )
    SignUp.objects.filter(event=event, status__in=(SignUpStatus.WAITING, SignUpStatus.ENTERED)).update(
        status=SignUpStatus.CANCELLED, ended_at=now, reason=_("The event has ended.")
    )
    event.status = EVENT_TRANSITIONS[EventAction.CLOSE].target
    event.save(update_fields=["status", "updated_at"])
    return _finish(event, before, actor, comment, "close_event", no_show=[0, no_show])


@transaction.atomic
def cancel_event(event: Event | int, *, actor: Any, comment: str = "") -> Event:
    """Call the event off: every sign-up is cancelled (a recuperation place is given back to the
    person's yearly quota) and everyone who held a place or waited is told by SMS."""
    event, before = _transition(event, EventAction.CANCEL, actor)
    signups = SignUp.objects.filter(event=event, status__in=LIVE_STATUSES)
    member_ids = list(signups.values_list("member_id", flat=True))
    reason = normalize_text(comment or "") or _("The event was cancelled.")
    signups.update(
        status=SignUpStatus.CANCELLED, ended_at=timezone.now(), quota_year=None, reason=reason[:300]
    )
    event.status = EVENT_TRANSITIONS[EventAction.CANCEL].target
    event.taken = 0
    event.save(update_fields=["status", "taken", "updated_at"])
    text = _("[%(site)s] We are sorry: “%(title)s” has been cancelled. %(reason)s") % {
        "site": settings.GONGHUI_SITE_NAME,
        "title": event.title,
        "reason": reason,
    }
    mobiles = [
        mobile
        for mobile in Member.objects.filter(pk__in=member_ids).values_list("mobile", flat=True)
        if mobile
    ]

    def tell_everyone() -> None:
        for mobile in mobiles:
            send_sms(mobile, text)

    transaction.on_commit(tell_everyone)
    return _finish(event, before, actor, comment, "cancel_event", signups=[len(member_ids), 0])
