"""Events for tests: events in any state, members with portal accounts, sign-ups as rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.events.models import Allocation, Event, EventKind, EventStatus, SignUp, SignUpStatus
from gonghui.members.models import Member
from gonghui.orgs.models import Org

_serial = count(1)

__all__ = ["make_event", "make_member_with_account", "make_signup"]


def make_event(
    org: Org,
    *,
    places: int = 10,
    kind: str = EventKind.HEALTH_CHECK,
    allocation: str = Allocation.FIRST_COME,
    status: str = EventStatus.PUBLISHED,
    signup_opens_in: timedelta = timedelta(hours=-1),
    signup_lasts: timedelta = timedelta(days=2),
    starts_after_signup: timedelta = timedelta(days=1),
    lasts: timedelta = timedelta(hours=3),
    **fields: Any,
) -> Event:
    """An event of `org` for its whole subtree, sign-up open now unless told otherwise; lottery
    events get a seed as publishing would."""
    opens = timezone.now() + signup_opens_in
    closes = opens + signup_lasts
    starts = closes + starts_after_signup
    values: dict[str, Any] = {
        "title": "2026年职工健康体检",
        "description": "空腹前往，带好会员卡",
        "address": "东区人民医院体检中心",
        "fee": Decimal("0.00"),
        **fields,
    }
    if allocation == Allocation.LOTTERY and status != EventStatus.DRAFT:
        values.setdefault("seed", f"{next(_serial):064x}")
    return Event.objects.create(
        org=org,
        eligible_org=values.pop("eligible_org", org),
        kind=kind,
        allocation=allocation,
        status=status,
        places=places,
        signup_opens_at=opens,
        signup_closes_at=closes,
        starts_at=starts,
        ends_at=starts + lasts,
        published_at=None if status == EventStatus.DRAFT else timezone.now(),
        **values,
    )


def make_signup(
    event: Event, member: Member, user: User, *, status: str = SignUpStatus.CONFIRMED, **fields: Any
) -> SignUp:
    """A sign-up stored directly (the services are what the sign-up tests check); a confirmed one
    takes one of the event's places."""
    if status == SignUpStatus.CONFIRMED:
        Event.objects.filter(pk=event.pk).update(taken=event.taken + 1)
        event.taken += 1
    return SignUp.objects.create(
        event=event,
        member=member,
        org=member.org,
        person_index=member.id_number_index,
        user=user,
        status=status,
        **fields,
    )
