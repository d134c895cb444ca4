"""The console pages: officers manage counsellors and hours and see counts, never a booking; the
counsellor's desk shows their own sessions with content, notes and the buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.counselling.models import Booking, BookingStatus, Counsellor, SessionNote, Slot, SlotStatus
from gonghui.counselling.tests.factories import (
    make_booking,
    make_counsellor,
    make_member_with_account,
    make_slot,
)
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db

CONSOLE = "/console/counselling"


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_officer_creates_a_counsellor_and_publishes_hours(tree: Tree, east_client: Client) -> None:
    data = {
        "org": "E",
        "display_name": "王老师",
        "qualifications": "国家二级心理咨询师",
        "offers_in_person": "on",
        "username": "wang.counsellor",
        "password": "Quiet-harbour-2026",
    }
    response = east_client.post(f"{CONSOLE}/new/", data)
    assert response.status_code == 302
    counsellor = Counsellor.objects.get()
    assert (counsellor.offers_online, counsellor.offers_in_person) == (False, True)
    starts = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = east_client.post(
        f"{CONSOLE}/{counsellor.pk}/slots/",
        {"starts_at": starts, "duration_minutes": 50, "mode": "in_person", "location": "三楼", "weeks": 3},
    )
    assert response.status_code == 302
    assert counsellor.slots.count() == 3


def test_bad_counsellor_and_slot_forms_are_422(tree: Tree, east_client: Client) -> None:
    response = east_client.post(
        f"{CONSOLE}/new/", {"org": "W", "display_name": "", "username": "1", "password": ""}
    )
    assert response.status_code == 422
    assert not Counsellor.objects.exists()
    counsellor = make_counsellor(tree.east)
    for data in (
        {},
        {"starts_at": "yesterday", "duration_minutes": 50, "mode": "online", "weeks": 1},
        {"starts_at": "2020-01-01T10:00", "duration_minutes": 50, "mode": "online", "weeks": 1},
        {"starts_at": "2030-01-01T10:00", "duration_minutes": 50, "mode": "in_person", "weeks": 1},
    ):
        assert east_client.post(f"{CONSOLE}/{counsellor.pk}/slots/", data).status_code == 422
    assert not Slot.objects.exists()


def test_officer_pages_show_no_booking(tree: Tree, east_client: Client) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme, name="张秀英")
    booked = make_slot(counsellor)
    make_booking(booked, member, user, message="家里的事想聊聊")
    open_slot = make_slot(counsellor)
    page = east_client.get(f"{CONSOLE}/{counsellor.pk}/").content.decode()
    assert f'data-row-id="{open_slot.pk}"' in page
    assert f'data-row-id="{booked.pk}"' not in page
    report = east_client.get(f"{CONSOLE}/report/").content.decode()
    for text in (page, report):
        assert "张秀英" not in text
        assert "家里的事" not in text
    assert "<td>1</td>" in report
    assert east_client.post(f"{CONSOLE}/slots/{booked.pk}/withdraw/").status_code == 404
    assert east_client.get(f"{CONSOLE}/desk/").status_code == 404
    assert east_client.get(f"{CONSOLE}/report/", {"year": "x"}).status_code == 200


def test_the_desk(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    member, user = make_member_with_account(tree.acme, name="张秀英")
    booking = make_booking(
        make_slot(counsellor, starts_in=timedelta(hours=-1)), member, user, message="家里的事"
    )
    other = make_booking(make_slot(make_counsellor(tree.east)), member, user)
    desk = _client(counsellor.user)
    page = desk.get(f"{CONSOLE}/desk/").content.decode()
    assert "张秀英" in page
    assert "家里的事" in page
    assert desk.get(f"{CONSOLE}/desk/bookings/{other.pk}/").status_code == 404
    url = f"{CONSOLE}/desk/bookings/{booking.pk}/"
    assert desk.post(url, {"action": "note", "text": ""}).status_code == 422
    assert desk.post(url, {"action": "note", "text": "首次来访"}).status_code == 302
    assert SessionNote.objects.get(booking=booking).text == "首次来访"
    assert "首次来访" in desk.get(url).content.decode()
    assert desk.post(url, {"action": "cancel", "reason": ""}).status_code == 422
    assert desk.post(url, {"action": "done"}).status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DONE
    assert desk.post(url, {"action": "bogus"}).status_code == 302
    assert desk.post(url, {"action": "no_show"}, follow=True).status_code == 200
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DONE


def test_desk_publishes_and_withdraws(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    desk = _client(counsellor.user)
    starts = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = desk.post(
        f"{CONSOLE}/desk/", {"starts_at": starts, "duration_minutes": 50, "mode": "online", "weeks": 1}
    )
    assert response.status_code == 302
    slot = counsellor.slots.get()
    assert desk.post(f"{CONSOLE}/desk/slots/{slot.pk}/withdraw/").status_code == 302
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.CANCELLED
    foreign = make_slot(make_counsellor(tree.east))
    assert desk.post(f"{CONSOLE}/desk/slots/{foreign.pk}/withdraw/").status_code == 404
    assert Slot.objects.get(pk=foreign.pk).status == SlotStatus.OPEN


def test_the_counsellor_reaches_no_officer_page(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    desk = _client(counsellor.user)
    assert desk.get(f"{CONSOLE}/{counsellor.pk}/").status_code == 404
    page = desk.get(f"{CONSOLE}/").content.decode()
    assert f'data-row-id="{counsellor.pk}"' not in page


def test_a_counsellor_signing_in_lands_on_the_desk(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    response = _client(counsellor.user).get("/console/")
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}/desk/"
