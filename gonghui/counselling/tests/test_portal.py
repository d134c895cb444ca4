"""The member portal pages: the open hours, booking with a message, my bookings, cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.counselling.models import Booking, BookingStatus, SlotStatus
from gonghui.counselling.tests.factories import (
    make_booking,
    make_counsellor,
    make_member_with_account,
    make_slot,
)
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_sign_in_first(client: Client) -> None:
    response = client.get("/counselling/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_book_see_and_cancel(tree: Tree) -> None:
    counsellor = make_counsellor(tree.east)
    slot = make_slot(counsellor)
    west = make_slot(make_counsellor(tree.west))
    _, user = make_member_with_account(tree.acme)
    client = _client(user)
    page = client.get("/counselling/").content.decode()
    assert f'data-slot-id="{slot.pk}"' in page
    assert f'data-slot-id="{west.pk}"' not in page
    assert client.get(f"/counselling/slots/{west.pk}/book/").status_code == 404
    assert client.get(f"/counselling/slots/{slot.pk}/book/").status_code == 200
    response = client.post(
        f"/counselling/slots/{slot.pk}/book/", {"topic": "emotions", "message": "最近睡不好"}
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.topic, booking.message) == ("emotions", "最近睡不好")
    page = client.get("/counselling/mine/").content.decode()
    assert f'data-booking-id="{booking.pk}"' in page
    assert "最近睡不好" in page
    assert client.post(f"/counselling/mine/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.slot.status == SlotStatus.OPEN


@pytest.mark.parametrize("data", [{}, {"topic": "gossip"}, {"topic": "career", "message": "x" * 1001}])
def test_bad_booking_input_is_shown(tree: Tree, data: dict[str, str]) -> None:
    slot = make_slot(make_counsellor(tree.east))
    _, user = make_member_with_account(tree.acme)
    response = _client(user).post(f"/counselling/slots/{slot.pk}/book/", data)
    assert response.status_code == 422
    assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_is_404_and_books_nothing(tree: Tree) -> None:
    slot = make_slot(make_counsellor(tree.east))
    member, other = make_member_with_account(tree.acme)
    make_booking(slot, member, other)
    _, user = make_member_with_account(tree.acme)
    assert _client(user).post(f"/counselling/slots/{slot.pk}/book/", {"topic": "career"}).status_code == 404
    assert Booking.objects.count() == 1


def test_a_late_cancellation_is_refused_on_the_page(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    booking = make_booking(make_slot(make_counsellor(tree.east), starts_in=timedelta(hours=1)), member, user)
    client = _client(user)
    page = client.get("/counselling/mine/").content.decode()
    assert f'action="/counselling/mine/{booking.pk}/cancel/"' not in page
    response = client.post(f"/counselling/mine/{booking.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    _, stranger = make_member_with_account(tree.acme)
    assert _client(stranger).post(f"/counselling/mine/{booking.pk}/cancel/").status_code == 404


def test_an_account_without_membership_is_told(tree: Tree) -> None:
    user = User.objects.create_member(mobile="13700008888", password="Member-pass-2026")
    response = _client(user).get("/counselling/")
    assert response.status_code == 200
    assert "data-slot-id" not in response.content.decode()
