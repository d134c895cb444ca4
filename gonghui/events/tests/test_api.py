"""The events API: public list and detail, and the officers' operations with their refusals as
`{code, message, fields}` (never a 500)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.events.models import Allocation, Event, EventStatus, SignUp, SignUpStatus
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup
from gonghui.members.card import issue_card_token

pytestmark = pytest.mark.django_db
API = "/api/v1/events"


def _post(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _new(tree: Any, **changes: Any) -> dict[str, Any]:
    opens = timezone.now() + timedelta(days=1)
    return {
        "organiser": tree.east.code,
        "kind": "summer_childcare",
        "title": "暑期爱心托管班",
        "address": "东区青少年宫",
        "starts_at": (opens + timedelta(days=30)).isoformat(),
        "ends_at": (opens + timedelta(days=60)).isoformat(),
        "signup_opens_at": opens.isoformat(),
        "signup_closes_at": (opens + timedelta(days=10)).isoformat(),
        "places": 50,
        "fee": "300.00",
        "allocation": "first_come",
        "max_age": 60,
        **changes,
    }


def test_the_public_list_and_detail_need_no_sign_in(tree):
    event = make_event(tree.east, title="职工体检")
    draft = make_event(tree.east, status=EventStatus.DRAFT)
    body = Client().get(API).json()
    assert [item["id"] for item in body["items"]] == [event.pk]
    assert body["items"][0]["places_left"] == 10
    assert body["items"][0]["fee"] == "0.00"
    assert Client().get(f"{API}/{event.pk}").json()["title"] == "职工体检"
    assert Client().get(f"{API}/{draft.pk}").status_code == 404
    assert Client().get(f"{API}/0").status_code == 422
    assert Client().get(f"{API}?kind=party").status_code == 422


def test_an_officer_creates_publishes_and_reads_an_event(tree, east_client):
    response = _post(east_client, f"{API}/manage", _new(tree))
    assert response.status_code == 201, response.content
    event_id = response.json()["id"]
    assert Event.objects.get(pk=event_id).status == "draft"

    published = _post(east_client, f"{API}/manage/{event_id}/actions", {"action": "publish"})
    assert published.json()["status"] == "published"
    listed = east_client.get(f"{API}/manage").json()
    assert event_id in [item["id"] for item in listed["items"]]


def test_bad_input_gets_field_errors_and_writes_nothing(tree, east_client):
    response = _post(
        east_client,
        f"{API}/manage",
        _new(tree, title="", places=0, signup_closes_at=(timezone.now() + timedelta(days=365)).isoformat()),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "places" in body["fields"]
    service_refusal = _post(east_client, f"{API}/manage", _new(tree, organiser="W", title="x"))
    assert service_refusal.status_code == 422
    assert "organiser" in service_refusal.json()["fields"]
    window = _post(
        east_client,
        f"{API}/manage",
        _new(tree, signup_closes_at=(timezone.now() + timedelta(days=365)).isoformat()),
    )
    assert window.status_code == 422
    assert "signup_closes_at" in window.json()["fields"]
    assert _post(east_client, f"{API}/manage", ["not", "an", "object"]).status_code == 422
    assert Event.objects.count() == 0


def test_illegal_actions_are_conflicts(tree, east_client):
    event = make_event(tree.east)
    response = _post(east_client, f"{API}/manage/{event.pk}/actions", {"action": "publish"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert _post(east_client, f"{API}/manage/{event.pk}/actions", {"action": "explode"}).status_code == 422
    draw = _post(east_client, f"{API}/manage/{event.pk}/actions", {"action": "draw"})
    assert draw.status_code == 409
    assert draw.json()["code"] == "not_a_lottery"


def test_update_of_a_published_event_refuses_frozen_fields(tree, east_client):
    event = make_event(tree.east)
    body = _new(tree, title="改了标题")
    response = _post(east_client, f"{API}/manage/{event.pk}", body, method="put")
    assert response.status_code == 422
    assert "title" in response.json()["fields"]


def test_lottery_draw_through_the_api(tree, east_client):
    event = make_event(tree.east, places=1, allocation=Allocation.LOTTERY)
    for _ in range(3):
        member, user = make_member_with_account(tree.acme)
        make_signup(event, member, user, status=SignUpStatus.ENTERED, code=f"C{member.pk:09d}")
    Event.objects.filter(pk=event.pk).update(signup_closes_at=timezone.now() - timedelta(minutes=1))

    response = _post(east_client, f"{API}/manage/{event.pk}/actions", {"action": "draw"})
    assert response.status_code == 200
    assert response.json()["drawn"]
    statuses = sorted(SignUp.objects.values_list("status", flat=True))
    assert statuses == ["confirmed", "waiting", "waiting"]


def test_sign_up_list_promote_remove_and_check_in(tree, east_client):
    event = make_event(tree.east, places=1)
    first, first_user = make_member_with_account(tree.acme)
    second, second_user = make_member_with_account(tree.acme)
    held = make_signup(event, first, first_user)
    waiting = make_signup(event, second, second_user, status=SignUpStatus.WAITING, queue_number=1)

    listing = east_client.get(f"{API}/manage/{event.pk}/signups?status=waiting").json()
    assert [row["id"] for row in listing["items"]] == [waiting.pk]
    assert listing["items"][0]["name"] != second.name  # masked

    missing_reason = _post(east_client, f"{API}/manage/signups/{held.pk}/remove", {})
    assert missing_reason.status_code == 422
    removed = _post(east_client, f"{API}/manage/signups/{held.pk}/remove", {"reason": "本人申请"})
    assert removed.json()["promoted"]["id"] == waiting.pk

    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=now - timedelta(days=2),
        signup_closes_at=now - timedelta(hours=3),
        starts_at=now - timedelta(hours=1),
    )
    checked = _post(east_client, f"{API}/manage/{event.pk}/check-in", {"token": issue_card_token(second)})
    assert checked.status_code == 200
    assert checked.json()["signup"]["status"] == "attended"
    again = _post(east_client, f"{API}/manage/{event.pk}/check-in", {"token": issue_card_token(second)})
    assert again.status_code == 409
    assert again.json()["code"] == "already_checked_in"
    stranger = _post(east_client, f"{API}/manage/{event.pk}/check-in", {"token": issue_card_token(first)})
    assert stranger.json()["code"] == "not_signed_up"
    nothing = _post(east_client, f"{API}/manage/{event.pk}/check-in", {})
    assert nothing.status_code == 422
    assert "card_number" in nothing.json()["fields"]


def test_the_participation_report(tree, east_client):
    event = make_event(tree.east, title="文体活动")
    member, user = make_member_with_account(tree.acme, is_gig_worker=True)
    make_signup(event, member, user, status=SignUpStatus.ATTENDED)
    year = timezone.localtime(event.starts_at).year

    report = east_client.get(f"{API}/manage/report?year={year}").json()
    assert report["totals"]["attended"] == 1
    gig = next(row for row in report["categories"] if row["figures"]["signups"])
    assert gig["figures"]["attended"] == 1
    assert east_client.get(f"{API}/manage/report?year=1800").status_code == 422
