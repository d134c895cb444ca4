"""The counselling API end to end: officers, the counsellor's desk and the member, with the
answers to bad input (422 with fields, 404, 409), never a 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.counselling.models import Booking, BookingStatus, Counsellor, Slot, SlotStatus
from gonghui.counselling.tests.factories import (
    make_booking,
    make_counsellor,
    make_member_with_account,
    make_slot,
)
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db

API = "/api/v1/counselling"


def _signed_in(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _future(days: int = 3) -> str:
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0).isoformat()


def test_officer_opens_a_counsellor_who_signs_in_to_the_desk(tree: Tree, east_client: Client) -> None:
    response = _post(
        east_client,
        f"{API}/counsellors",
        {
            "org": "E",
            "username": "liu.counsellor",
            "password": "Quiet-harbour-2026",
            "display_name": "刘老师",
            "qualifications": "国家二级心理咨询师",
            "offers_in_person": False,
        },
    )
    assert response.status_code == 201, response.content
    counsellor_id = response.json()["id"]
    response = _post(
        east_client,
        f"{API}/counsellors/{counsellor_id}/slots",
        {"starts_at": _future(), "duration_minutes": 50, "mode": "online", "weeks": 2},
    )
    assert response.status_code == 201
    assert len(response.json()["items"]) == 2
    desk = _signed_in(Counsellor.objects.get(pk=counsellor_id).user)
    response = desk.get(f"{API}/desk/slots")
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"org": "E", "username": "x", "password": "p", "display_name": "", "qualifications": ""},
        {
            "org": "W",
            "username": "abc.def",
            "password": "Quiet-harbour-2026",
            "display_name": "王",
            "qualifications": "x",
        },
        {"org": "E" * 40, "username": "abc", "password": 1, "display_name": ["a"], "qualifications": None},
    ],
)
def test_bad_counsellor_input_is_422(tree: Tree, east_client: Client, payload: dict[str, Any]) -> None:
    response = _post(east_client, f"{API}/counsellors", payload)
    assert response.status_code == 422
    assert {"code", "message"} <= set(response.json())
    assert not Counsellor.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"starts_at": "tomorrow", "duration_minutes": 50, "mode": "online"},
        {"starts_at": _future(), "duration_minutes": 500, "mode": "online"},
        {"starts_at": _future(), "duration_minutes": 50, "mode": "phone"},
        {"starts_at": _future(), "duration_minutes": 50, "mode": "in_person"},
        {"starts_at": _future(), "duration_minutes": 50, "mode": "online", "weeks": 100},
    ],
)
def test_bad_slot_input_is_422(tree: Tree, east_client: Client, payload: dict[str, Any]) -> None:
    counsellor = make_counsellor(tree.east)
    assert _post(east_client, f"{API}/counsellors/{counsellor.pk}/slots", payload).status_code == 422
    assert not Slot.objects.exists()


def test_deactivate_and_withdraw(tree: Tree, east_client: Client) -> None:
    counsellor = make_counsellor(tree.east)
    slot = make_slot(counsellor)
    response = _post(east_client, f"{API}/slots/{slot.pk}/withdraw", {})
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    response = _post(east_client, f"{API}/counsellors/{counsellor.pk}/deactivate", {})
    assert (response.status_code, response.json()["active"]) == (200, False)
    response = _post(
        east_client,
        f"{API}/counsellors/{counsellor.pk}/slots",
        {"starts_at": _future(), "duration_minutes": 50, "mode": "online"},
    )
    assert (response.status_code, response.json()["code"]) == (409, "counsellor_inactive")
    assert _post(east_client, f"{API}/slots/999999/withdraw", {}).status_code == 404


def test_report_filters_by_year(tree: Tree, east_client: Client) -> None:
    member, user = make_member_with_account(tree.acme)
    make_booking(make_slot(make_counsellor(tree.east)), member, user)
    year = timezone.localdate().year
    assert len(east_client.get(f"{API}/report", {"year": year}).json()["rows"]) >= 1
    assert east_client.get(f"{API}/report", {"year": 2001}).json()["rows"] == []
    assert east_client.get(f"{API}/report", {"year": "abc"}).status_code == 422


# --- the member ---------------------------------------------------------------------------------


def test_member_books_and_cancels(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    slot = make_slot(counsellor)
    west_slot = make_slot(make_counsellor(tree.west))
    _, user = make_member_with_account(tree.acme)
    client = _signed_in(user)
    listed = client.get(f"{API}/me/slots").json()["items"]
    assert [item["id"] for item in listed] == [slot.pk]
    assert west_slot.pk not in [item["id"] for item in listed]
    response = _post(
        client, f"{API}/me/bookings", {"slot": slot.pk, "topic": "career", "message": "想换岗位"}
    )
    assert response.status_code == 201
    booking = response.json()
    assert (booking["message"], booking["cancellable"], booking["status"]) == ("想换岗位", True, "booked")
    assert client.get(f"{API}/me/slots").json()["items"] == []
    response = _post(client, f"{API}/me/bookings/{booking['id']}/cancel", {})
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    response = _post(client, f"{API}/me/bookings/{booking['id']}/cancel", {})
    assert (response.status_code, response.json()["code"]) == (409, "not_cancellable")


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"slot": "x", "topic": "career"}, 422),
        ({"slot": 0, "topic": "career"}, 422),
        ({"slot": 1, "topic": "gossip"}, 422),
        ({"slot": 999999, "topic": "career"}, 404),
        ({"slot": 1, "topic": "career", "message": "a" * 3000}, 422),
    ],
)
def test_bad_booking_input(tree: Tree, payload: dict[str, Any], status: int) -> None:
    make_slot(make_counsellor(tree.east))
    _, user = make_member_with_account(tree.acme)
    response = _post(_signed_in(user), f"{API}/me/bookings", payload)
    assert response.status_code == status
    assert not Booking.objects.exists()


def test_taken_slot_is_409(tree: Tree) -> None:
    slot = make_slot(make_counsellor(tree.east))
    member, other = make_member_with_account(tree.acme)
    make_booking(slot, member, other)
    _, user = make_member_with_account(tree.acme)
    response = _post(_signed_in(user), f"{API}/me/bookings", {"slot": slot.pk, "topic": "career"})
    assert (response.status_code, response.json()["code"]) == (409, "slot_taken")


def test_an_account_without_membership(tree: Tree) -> None:
    user = User.objects.create_member(mobile="13700009999", password="Member-pass-2026")
    response = _signed_in(user).get(f"{API}/me/slots")
    assert (response.status_code, response.json()["code"]) == (404, "no_membership")


# --- the desk -----------------------------------------------------------------------------------


def test_desk_closes_and_notes(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme)
    booking = make_booking(make_slot(counsellor, starts_in=timedelta(hours=-2)), member, user)
    desk = _signed_in(counsellor.user)
    response = desk.put(
        f"{API}/desk/bookings/{booking.pk}/note", json.dumps({"text": "首次来访"}), "application/json"
    )
    assert (response.status_code, response.json()["note"]) == (200, "首次来访")
    response = _post(desk, f"{API}/desk/bookings/{booking.pk}/close", {"outcome": "done"})
    assert (response.status_code, response.json()["status"]) == (200, BookingStatus.DONE)
    assert _post(desk, f"{API}/desk/bookings/{booking.pk}/close", {"outcome": "maybe"}).status_code == 422
    assert _post(desk, f"{API}/desk/bookings/{booking.pk}/cancel", {"reason": "x"}).status_code == 409
    response = _post(
        desk,
        f"{API}/desk/slots",
        {"starts_at": _future(), "duration_minutes": 50, "mode": "in_person", "location": "三楼"},
    )
    assert response.status_code == 201
    assert Slot.objects.filter(counsellor=counsellor, status=SlotStatus.OPEN).count() == 1
