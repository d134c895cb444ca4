"""Personal API tokens and /me through the API, against the real database and cache."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts import services
from gonghui.accounts.models import ApiToken, User, hash_token
from gonghui.accounts.tests.factories import make_member, make_officer
from gonghui.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def post_json(client: Client, url: str, data: object, headers: dict[str, str] | None = None) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def new_token(user: User, name: str = "script", days: int = 30) -> tuple[ApiToken, str]:
    return services.create_api_token(actor=user, name=name, expires_in_days=days)


@pytest.fixture
def member() -> User:
    return make_member("13800138000", display_name="李华")


@pytest.fixture
def session(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_token_lifecycle_create_use_list_revoke(session, member):
    # Given a signed-in member who creates a token over the API
    response = post_json(session, "/api/v1/tokens", {"name": "  报表 脚本 ", "expires_in_days": 30})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    created = response.json()
    raw = created.pop("token")
    assert raw.startswith("gh_")
    assert created["name"] == "报表 脚本"
    assert created["prefix"] == raw[:10]
    assert created["is_usable"] is True
    assert created["revoked_at"] is None
    assert created["last_used_at"] is None

    # When a script uses it, it acts as that member
    script = Client()
    me = script.get("/api/v1/me", headers=bearer(raw))
    assert me.status_code == 200
    assert me.json()["id"] == member.pk

    # The list shows the token but never its value again
    listed = script.get("/api/v1/tokens", headers=bearer(raw))
    assert listed.status_code == 200
    [item] = listed.json()
    assert item == {**created, "last_used_at": item["last_used_at"]}
    assert item["last_used_at"] is not None
    assert raw not in listed.content.decode()

    # After revoking it, the token no longer works
    revoked = script.delete(f"/api/v1/tokens/{created['id']}", headers=bearer(raw))
    assert revoked.status_code == 204
    assert revoked.content == b""
    assert script.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    token = ApiToken.objects.get(pk=created["id"])
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="accounts.revoke_api_token", object_id=str(token.pk)).exists()


def test_only_the_hash_of_a_token_is_stored(member):
    token, raw = new_token(member)
    assert token.token_hash == hash_token(raw)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 - our own table name
        stored = [str(value) for row in cursor.fetchall() for value in row]
        cursor.execute(f"SELECT * FROM {AuditEvent._meta.db_table}")  # noqa: S608
        audited = [str(value) for row in cursor.fetchall() for value in row]
    assert not any(raw in value for value in stored + audited)
    assert not any(raw[10:] in value for value in stored)  # not even the secret part


def test_me_shows_a_member_only_with_a_masked_mobile(member):
    _token, raw = new_token(member)
    response = Client().get("/api/v1/me", headers=bearer(raw))
    assert response.json() == {
        "id": member.pk,
        "username": "138****8000",
        "display_name": "李华",
        "kind": "member",
        "masked_mobile": "138****8000",
        "otp_enabled": False,
    }
    assert "13800138000" not in response.content.decode()


def test_me_shows_an_officer_with_username_and_two_factor_state():
    officer = make_officer("zhang.san", display_name="张三")
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    _token, raw = new_token(officer)
    body = Client().get("/api/v1/me", headers=bearer(raw)).json()
    assert body["username"] == "zhang.san"
    assert body["kind"] == "officer"
    assert body["otp_enabled"] is True


def test_an_expired_token_is_refused(member):
    token, raw = new_token(member, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_token_of_a_deactivated_user_is_refused(member):
    _token, raw = new_token(member)
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_last_used_at_is_recorded_at_most_once_a_minute(member):
    token, raw = new_token(member)
    client = Client()
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first

    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    client.get("/api/v1/me", headers=bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > two_minutes_ago + timedelta(minutes=1)


def test_someone_elses_token_answers_404_exactly_like_a_missing_one(member):
    other = make_member("13900139000")
    theirs, _their_raw = new_token(other)
    _mine, raw = new_token(member)
    client = Client()
    someone_elses = client.delete(f"/api/v1/tokens/{theirs.pk}", headers=bearer(raw))
    missing = client.delete("/api/v1/tokens/987654321", headers=bearer(raw))
    assert someone_elses.status_code == missing.status_code == 404
    assert someone_elses.json() == missing.json()
    assert someone_elses.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_list_holds_only_your_own_tokens(member):
    new_token(make_member("13900139000"), name="not yours")
    _token, raw = new_token(member, name="yours")
    names = [item["name"] for item in Client().get("/api/v1/tokens", headers=bearer(raw)).json()]
    assert names == ["yours"]


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("ＡＰＩ　脚本", "API 脚本"),
        (" " * 30 + "x" * 60 + " " * 30, "x" * 60),
        ("a", "a"),
        ("😀 bot", "😀 bot"),
    ],
)
def test_names_are_normalised_before_their_length_is_checked(session, name, stored):
    response = post_json(session, "/api/v1/tokens", {"name": name, "expires_in_days": 7})
    assert response.status_code == 201, response.content
    assert ApiToken.objects.get().name == stored


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "expires_in_days": 30},
        {"name": " \u3000\t ", "expires_in_days": 30},
        {"name": "\u200b", "expires_in_days": 30},
        {"name": "x" * 61, "expires_in_days": 30},
        {"name": "bad\x00name", "expires_in_days": 30},
        {"name": "bell\x07", "expires_in_days": 30},
        {"name": "half \ud800 surrogate", "expires_in_days": 30},
        {"name": 12, "expires_in_days": 30},
        {"name": None, "expires_in_days": 30},
        {"name": ["x"], "expires_in_days": 30},
        {"expires_in_days": 30},
    ],
    ids=repr,
)
def test_bad_names_are_refused_with_a_name_error(session, payload):
    response = post_json(session, "/api/v1/tokens", payload)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["name"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 367, 10**30, "30", 30.0, 7.5, True, None, [30]], ids=repr)
def test_bad_lifetimes_are_refused_with_an_expires_in_days_error(session, days):
    response = post_json(session, "/api/v1/tokens", {"name": "x", "expires_in_days": days})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["expires_in_days"]


@pytest.mark.parametrize("days", [1, 366])
def test_lifetimes_of_one_day_to_a_year_and_a_day_are_accepted(session, days):
    before = timezone.now()
    response = post_json(session, "/api/v1/tokens", {"name": "x", "expires_in_days": days})
    assert response.status_code == 201
    expires_at = ApiToken.objects.get().expires_at
    assert expires_at is not None
    assert before + timedelta(days=days) <= expires_at <= timezone.now() + timedelta(days=days)


@pytest.mark.parametrize("token_id", [0, 2**63])
def test_token_ids_out_of_range_are_refused_before_the_database(session, token_id):
    response = session.delete(f"/api/v1/tokens/{token_id}")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["token_id"]


def test_creating_tokens_is_rate_limited_per_user(session, member):
    # Invalid requests count too: the limit is on attempts.
    for _ in range(30):
        assert post_json(session, "/api/v1/tokens", {"name": ""}).status_code == 422
    response = post_json(session, "/api/v1/tokens", {"name": "x", "expires_in_days": 1})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Another user is not affected.
    other = Client()
    other.force_login(make_member("13900139000"))
    assert post_json(other, "/api/v1/tokens", {"name": "x", "expires_in_days": 1}).status_code == 201
