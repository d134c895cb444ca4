"""The privacy rule, for each kind of visitor: what a booking is about reaches its member and its
counsellor only; officers who manage counselling (and superusers) get counts, never a booking,
a name or a booked slot's time."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.core.models import AuditEvent
from gonghui.counselling.models import Booking, SessionNote
from gonghui.counselling.selectors import booking_counts, content_visible_to, notes_visible_to
from gonghui.counselling.tests.factories import (
    make_booking,
    make_counsellor,
    make_member_with_account,
    make_slot,
)
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db

API = "/api/v1/counselling"
MESSAGE = "和丈夫关系紧张，想聊聊"
NOTE = "来访者情绪稳定，建议复谈"


@pytest.fixture
def world(tree: Tree) -> dict[str, Any]:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme, name="张秀英")
    booking = make_booking(make_slot(counsellor, starts_in=timedelta(days=5)), member, user, message=MESSAGE)
    SessionNote.objects.create(booking=booking, text=NOTE)
    _, other_member = make_member_with_account(tree.acme)
    superuser = User.objects.create_superuser("root.admin", "Root-admin-2026!")
    return {
        "booking": booking,
        "member": user,
        "other_member": other_member,
        "counsellor": counsellor.user,
        "other_counsellor": make_counsellor(tree.east).user,
        "officer": officer_at(tree.east, "east.manager"),
        "superuser": superuser,
    }


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        sign_in_verified(client, user)
    return client


def _get(user: User | None, url: str) -> tuple[int, str]:
    response = _client(user).get(url)
    return response.status_code, response.content.decode()


def _leaks(body: str) -> bool:
    decoded = json.dumps(json.loads(body), ensure_ascii=False) if body.startswith(("{", "[")) else body
    return any(secret in decoded for secret in (MESSAGE, NOTE, "张秀英", "relationships"))


@pytest.mark.parametrize(
    ("who", "content", "notes"),
    [
        ("member", True, False),
        ("counsellor", True, True),
        ("other_member", False, False),
        ("other_counsellor", False, False),
        ("officer", False, False),
        ("superuser", False, False),
    ],
)
def test_the_rule(world: dict[str, Any], who: str, content: bool, notes: bool) -> None:
    booking = Booking.objects.select_related("slot__counsellor").get(pk=world["booking"].pk)
    assert content_visible_to(booking, world[who]) is content
    assert notes_visible_to(booking, world[who]) is notes


def test_the_member_sees_their_message_but_not_the_notes(world: dict[str, Any]) -> None:
    status, body = _get(world["member"], f"{API}/me")
    assert status == 200
    [item] = json.loads(body)["items"]
    assert item["message"] == MESSAGE
    assert NOTE not in body


def test_another_member_sees_nothing(world: dict[str, Any]) -> None:
    status, body = _get(world["other_member"], f"{API}/me")
    assert status == 200
    assert json.loads(body)["items"] == []
    response = _client(world["other_member"]).post(f"{API}/me/bookings/{world['booking'].pk}/cancel")
    assert response.status_code == 404


def test_the_counsellor_sees_message_and_notes(world: dict[str, Any]) -> None:
    status, body = _get(world["counsellor"], f"{API}/desk/bookings/{world['booking'].pk}")
    assert status == 200
    data = json.loads(body)
    assert (data["message"], data["note"], data["member_name"]) == (MESSAGE, NOTE, "张秀英")


@pytest.mark.parametrize("who", ["other_counsellor", "officer", "superuser", "member"])
def test_nobody_else_reaches_the_desk(world: dict[str, Any], who: str) -> None:
    booking = world["booking"]
    for url in (f"{API}/desk/bookings", f"{API}/desk/bookings/{booking.pk}"):
        status, body = _get(world[who], url)
        assert status in {200, 404}
        assert not _leaks(body)
    client = _client(world[who])
    for url, data in (
        (f"{API}/desk/bookings/{booking.pk}/cancel", {"reason": "x"}),
        (f"{API}/desk/bookings/{booking.pk}/close", {"outcome": "done"}),
    ):
        assert client.post(url, json.dumps(data), content_type="application/json").status_code == 404
    response = client.put(
        f"{API}/desk/bookings/{booking.pk}/note", json.dumps({"text": "x"}), "application/json"
    )
    assert response.status_code == 404
    assert SessionNote.objects.get(booking=booking).text == NOTE


def test_anonymous_is_asked_to_sign_in(world: dict[str, Any]) -> None:
    for url in (f"{API}/me", f"{API}/desk/bookings", f"{API}/report"):
        assert _get(None, url)[0] == 401


@pytest.mark.parametrize("who", ["officer", "superuser"])
def test_officers_get_counts_only(world: dict[str, Any], who: str) -> None:
    status, body = _get(world[who], f"{API}/report")
    assert status == 200
    rows = json.loads(body)["rows"]
    assert [(row["topic"], row["mode"], row["status"], row["count"]) for row in rows] == [
        ("work_stress", "in_person", "booked", 1)
    ]
    assert set(rows[0]) == {"month", "org", "mode", "topic", "status", "count"}
    assert not _leaks(body)
    # The booked slot is not among the hours they manage: its time would date the booking.
    status, body = _get(world[who], f"{API}/slots")
    assert world["booking"].slot_id not in [item["id"] for item in json.loads(body)["items"]]


def test_counts_follow_the_officers_scope(world: dict[str, Any], tree: Tree) -> None:
    west = officer_at(tree.west, "west.manager")
    assert booking_counts(west) == []
    assert sum(row.count for row in booking_counts(world["officer"])) == 1


def test_the_audit_log_holds_no_content(world: dict[str, Any]) -> None:
    counsellor_client = _client(world["counsellor"])
    booking = world["booking"]
    response = counsellor_client.put(
        f"{API}/desk/bookings/{booking.pk}/note", json.dumps({"text": "第二次记录：好转"}), "application/json"
    )
    assert response.status_code == 200
    response = counsellor_client.post(
        f"{API}/desk/bookings/{booking.pk}/cancel", json.dumps({"reason": "身体不适"}), "application/json"
    )
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(action__startswith="counselling."))
    assert {event.action for event in events} == {
        "counselling.write_note",
        "counselling.cancel_by_counsellor",
    }
    for event in events:
        text = json.dumps([event.changes, event.object_repr, event.note], ensure_ascii=False)
        assert not any(secret in text for secret in ("好转", "身体不适", MESSAGE, "张秀英"))
        assert event.org_path == ""
