"""The .ics feed: RFC 5545 lines (CRLF, folded at 75 octets, escaped text, UTC times), parsed
back here by a small unfolding reader, and only my confirmed events in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from gonghui.events.models import EventStatus, SignUpStatus
from gonghui.events.services.calendar import calendar_signups, escape_text, fold, ics_document
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup

pytestmark = pytest.mark.django_db


def unfold(document: str) -> list[str]:
    assert "\n" not in document.replace("\r\n", ""), "bare LF in the feed"
    return document.replace("\r\n ", "").split("\r\n")[:-1]


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def events_of(document: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for line in unfold(document):
        if line == "BEGIN:VEVENT":
            found.append({})
        elif found and ":" in line and line != "END:VEVENT":
            name, value = line.split(":", 1)
            found[-1][name] = value
    return found


def test_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "疗休养" * 40
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert folded.replace("\r\n ", "") == line


def test_text_is_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_the_feed_has_my_confirmed_events_only_in_utc(tree):
    mine = make_event(tree.east, title="千岛湖疗休养, 第一期; 含餐", description="第一行\n第二行" + "长" * 60)
    waiting = make_event(tree.east, title="候补中的活动")
    cancelled = make_event(tree.east, title="取消的活动")
    member, user = make_member_with_account(tree.acme)
    signup = make_signup(mine, member, user)
    make_signup(waiting, member, user, status=SignUpStatus.WAITING, queue_number=1)
    make_signup(cancelled, member, user)
    cancelled.status = EventStatus.CANCELLED
    cancelled.save()

    document = ics_document(
        calendar_signups(user), now=datetime(2026, 7, 1, 8, 0, tzinfo=UTC), host="example.org"
    )

    lines = unfold(document)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    [event] = events_of(document)
    assert event["UID"] == f"signup-{signup.pk}@example.org"
    assert event["DTSTAMP"] == "20260701T080000Z"
    assert event["DTSTART"] == mine.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert event["DTEND"].endswith("Z")
    assert unescape(event["SUMMARY"]) == "千岛湖疗休养, 第一期; 含餐"
    assert unescape(event["DESCRIPTION"]).endswith("第一行\n第二行" + "长" * 60)
    assert all(len(raw.encode()) <= 75 for raw in document.split("\r\n"))


def test_an_empty_feed_is_still_a_calendar(tree):
    _member, user = make_member_with_account(tree.acme)
    lines = unfold(ics_document(calendar_signups(user), now=timezone.now() + timedelta(days=1)))
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "BEGIN:VEVENT" not in lines
