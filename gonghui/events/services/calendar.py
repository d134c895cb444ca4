"""The member's calendar: an .ics feed of their confirmed events at a personal address.

The address carries a random token (256 bits) and nothing else, so a calendar app can fetch it
without signing in; making a new address revokes the old one at once.

The feed is RFC 5545 written by hand (no library is pinned for it): CRLF line ends, lines folded
at 75 octets without splitting a UTF-8 character, TEXT values escaped (backslash, semicolon,
comma, newline), times in UTC (`…Z`), a stable UID per sign-up and a DTSTAMP."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.events.models import CalendarFeed, EventStatus, SignUp, SignUpStatus

FEED_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED)


@transaction.atomic
def renew_calendar_feed(*, actor: User) -> CalendarFeed:
    """A new personal calendar address for the actor; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(
        user=actor, defaults={"token": token, "created_at": timezone.now()}
    )
    record_audit(actor=actor, action="events.renew_calendar_feed", obj=feed)
    return feed


@transaction.atomic
def revoke_calendar_feed(*, actor: User) -> bool:
    """The actor's calendar address stops working; False when there was none."""
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    if deleted:
        record_audit(actor=actor, action="events.revoke_calendar_feed")
    return bool(deleted)


def feed_owner(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    return feed.user if feed is not None and feed.user.is_active else None


def escape_text(value: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1): CRLF and a space before each
    continuation, never inside a UTF-8 character."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # the leading space counts in a continuation
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_signups(user: User) -> Iterable[SignUp]:
    return (
        SignUp.objects.filter(user=user, status__in=FEED_STATUSES)
        .exclude(event__status=EventStatus.CANCELLED)
        .select_related("event", "event__org")
        .order_by("event__starts_at", "id")[:500]
    )


def ics_document(signups: Iterable[SignUp], *, now: datetime | None = None, host: str = "gonghui") -> str:
    stamp = utc_stamp(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Gonghui//Events//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(str(settings.GONGHUI_SITE_NAME))}",
    ]
    for signup in signups:
        event = signup.event
        lines += [
            "BEGIN:VEVENT",
            f"UID:signup-{signup.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(event.starts_at)}",
            f"DTEND:{utc_stamp(event.ends_at)}",
            f"SUMMARY:{escape_text(event.title)}",
            f"LOCATION:{escape_text(event.address)}",
            f"DESCRIPTION:{escape_text(event.org.name + chr(10) + event.description)}",
        ]
        if event.latitude is not None and event.longitude is not None:
            lines.append(f"GEO:{event.latitude};{event.longitude}")
        lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
