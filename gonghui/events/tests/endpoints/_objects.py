"""The objects the scoped endpoints act on: events and sign-ups of the scoping world's own union."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.events.models import Event, EventStatus, SignUp, SignUpStatus
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopeWorld


def local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def draft(org: Org) -> Event:
    return make_event(org, status=EventStatus.DRAFT)


def signup(org: Org, status: str = SignUpStatus.CONFIRMED) -> SignUp:
    event = make_event(org, places=1)
    member, user = make_member_with_account(org)
    return make_signup(event, member, user, status=status, queue_number=1 if status == "waiting" else None)


def waiting(org: Org) -> SignUp:
    return signup(org, SignUpStatus.WAITING)


def started_signup(org: Org) -> SignUp:
    """A confirmed sign-up of an event that started an hour ago (check-in is open)."""
    row = signup(org)
    now = timezone.now()
    Event.objects.filter(pk=row.event_id).update(
        signup_opens_at=now - timedelta(days=2),
        signup_closes_at=now - timedelta(hours=2),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    return row


def event_with_signup(org: Org) -> Event:
    return signup(org).event


def report_year(event: Event) -> int:
    return timezone.localtime(event.starts_at).year


def form_data(world: ScopeWorld, obj: Any, *, organiser: bool = True) -> dict[str, Any]:
    opens = timezone.now() + timedelta(days=1)
    data: dict[str, Any] = {
        "kind": "health_check",
        "title": "2027年职工体检",
        "address": "东区人民医院",
        "starts_at": local(opens + timedelta(days=10)),
        "ends_at": local(opens + timedelta(days=10, hours=4)),
        "signup_opens_at": local(opens),
        "signup_closes_at": local(opens + timedelta(days=5)),
        "places": "30",
        "fee": "0",
        "allocation": "first_come",
    }
    if organiser:
        data["organiser"] = world.own.code
    return data
