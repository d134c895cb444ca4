"""The member's own events API: sign up (201, then 200 for a second press), cancel, rate once,
my list with the waiting position, the calendar address; refusals as `{code, message, fields}`."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.events.models import CalendarFeed, Event, EventStatus, SignUpStatus
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup

pytestmark = pytest.mark.django_db
ME = "/api/v1/events/me"


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_sign_up_twice_cancel_and_my_list(tree):
    event = make_event(tree.east, places=1)
    (_a, first), (_b, second) = make_member_with_account(tree.acme), make_member_with_account(tree.acme)
    first_client, second_client = _client(first), _client(second)

    created = _post(first_client, f"{ME}/signups", {"event": event.pk})
    assert created.status_code == 201
    assert created.json()["status"] == "confirmed"
    assert _post(first_client, f"{ME}/signups", {"event": event.pk}).status_code == 200
    waiting = _post(second_client, f"{ME}/signups", {"event": event.pk}).json()
    assert (waiting["status"], waiting["waiting_position"]) == ("waiting", 1)

    cancelled = _post(first_client, f"{ME}/signups/{created.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    mine = second_client.get(ME).json()["items"]
    assert [(item["status"], item["event"]["id"]) for item in mine] == [("confirmed", event.pk)]


def test_refusals(tree):
    event = make_event(tree.east, sex="female")
    _member, user = make_member_with_account(tree.acme, sex="male")
    client = _client(user)

    refused = _post(client, f"{ME}/signups", {"event": event.pk})
    assert refused.status_code == 422
    assert refused.json()["code"] == "not_eligible"
    assert refused.json()["message"]
    assert _post(client, f"{ME}/signups", {"event": 999999}).status_code == 404
    assert _post(client, f"{ME}/signups", {"event": "x"}).status_code == 422
    assert _post(client, f"{ME}/signups", {}).status_code == 422
    assert _post(client, f"{ME}/signups/999999/cancel").status_code == 404


def test_an_officer_without_membership_is_told_so(tree, east_client):
    event = make_event(tree.east)
    response = _post(east_client, f"{ME}/signups", {"event": event.pk})
    assert response.status_code == 422
    assert response.json()["code"] == "not_eligible"


def test_feedback_once_for_attended_only(tree):
    event = make_event(tree.east)
    member, user = make_member_with_account(tree.acme)
    signup = make_signup(event, member, user)
    client = _client(user)

    not_yet = _post(client, f"{ME}/signups/{signup.pk}/feedback", {"rating": 5})
    assert not_yet.status_code == 409
    assert not_yet.json()["code"] == "not_attended"
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=now - timedelta(days=3),
        signup_closes_at=now - timedelta(days=2),
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(hours=2),
        status=EventStatus.CLOSED,
    )
    signup.status = SignUpStatus.ATTENDED
    signup.save()

    assert _post(client, f"{ME}/signups/{signup.pk}/feedback", {"rating": 6}).status_code == 422
    assert (
        _post(client, f"{ME}/signups/{signup.pk}/feedback", {"rating": 4, "comment": "很好"}).status_code
        == 201
    )
    again = _post(client, f"{ME}/signups/{signup.pk}/feedback", {"rating": 1})
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"
    assert client.get(ME).json()["items"][0]["rated"] is True


def test_calendar_address_renew_and_revoke(tree):
    _member, user = make_member_with_account(tree.acme)
    client = _client(user)
    first = _post(client, f"{ME}/calendar").json()["url"]
    second = _post(client, f"{ME}/calendar").json()["url"]
    assert first != second
    assert second.endswith(".ics")
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    assert client.delete(f"{ME}/calendar").status_code == 204
    assert not CalendarFeed.objects.exists()


def test_anonymous_callers_are_refused():
    assert Client().get(ME).status_code == 401
    assert _post(Client(), f"{ME}/signups", {"event": 1}).status_code == 401
