"""The self-service API (/api/v1/membership): the caller's own records only, errors as
{code, message, fields}, nothing of another person's."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, make_member
from gonghui.core.sms import outbox_messages
from gonghui.members.models import Member, MemberEventKind, MemberStatus
from gonghui.members.services.registry import record_event
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import OfficerPosition
from gonghui.orgs.tests.factories import Tree, make_term, send_json

pytestmark = pytest.mark.django_db

MOBILE = "13800138000"
ID_NUMBER = "330203199001011236"
OTHER_MOBILE = "13700007777"
OTHER_ID = "330203198505051237"
NEW_MOBILE = "13900001111"


@pytest.fixture
def me(tree: Tree) -> User:
    """A member of acme with a portal account; another person is a member of beta."""
    user = make_member(MOBILE, display_name="张伟明")
    other_user = make_member(OTHER_MOBILE, display_name="李秘密")
    mine = member_row(tree.acme, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE)
    mine.user = user
    theirs = member_row(tree.beta, name="李秘密", id_number=OTHER_ID, mobile=OTHER_MOBILE)
    theirs.user = other_user
    Member.objects.bulk_create([mine, theirs])
    record_event(mine, MemberEventKind.JOINED, actor=None, note="网上入会")
    record_event(theirs, MemberEventKind.JOINED, actor=None, note="别人的备注")
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _assert_nothing_of_the_other(body: str) -> None:
    assert OTHER_ID not in body
    assert "李秘密" not in body
    assert "别人的备注" not in body
    assert "东区乙公司工会" not in body


def test_my_membership_is_masked_with_facts_from_the_id_number(
    me: User, django_assert_max_num_queries
) -> None:
    client = _client(me)

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/membership")

    body = response.json()
    assert response.status_code == 200
    assert (body["name"], body["masked_id_number"], body["masked_mobile"]) == (
        "张伟明",
        "330203********1236",
        "138****8000",
    )
    assert (body["birth_date"], body["sex"]) == ("1990-01-01", "male")
    assert body["union"]["name"] == "东区甲公司工会"
    assert body["categories"]["is_model_worker"] is False
    _assert_nothing_of_the_other(response.content.decode())


def test_an_account_without_a_membership_gets_404_no_membership(tree: Tree) -> None:
    response = _client(make_member("13600006666")).get("/api/v1/membership")

    assert response.status_code == 404
    assert response.json()["code"] == "no_membership"


def test_an_ended_membership_gets_404_no_active_membership(me: User) -> None:
    Member.objects.filter(user=me).update(status=MemberStatus.LEFT)

    response = _client(me).get("/api/v1/membership")

    assert (response.status_code, response.json()["code"]) == (404, "no_active_membership")


def test_anonymous_callers_get_401(tree: Tree) -> None:
    assert Client().get("/api/v1/membership").status_code == 401


def test_my_union_and_its_committee(tree: Tree, me: User) -> None:
    make_term(tree.acme, "王建国", OfficerPosition.CHAIR, contact_phone="13512345678")

    response = _client(me).get("/api/v1/membership/union")

    body = response.json()
    assert body["union"]["name"] == "东区甲公司工会"
    assert body["parent_name"] == "东湖街道总工会"
    assert body["officers"] == [{"name": "王建国", "position": "主席"}]
    assert "13512345678" not in response.content.decode()


def test_changing_my_categories(me: User) -> None:
    body = {"is_gig_worker": True, "gig_occupation": "ride_hailing", "gig_platform": " 滴滴出行 "}

    response = send_json(_client(me), "PATCH", "/api/v1/membership/categories", body)

    assert response.status_code == 200
    categories = response.json()["categories"]
    assert (categories["gig_occupation"], categories["gig_platform"]) == ("ride_hailing", "滴滴出行")
    assert Member.objects.get(user=me).gig_platform == "滴滴出行"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"is_gig_worker": True}, "gig_occupation"),
        ({"gig_occupation": "astronaut"}, "gig_occupation"),
        ({"is_gig_worker": None}, "is_gig_worker"),
        ({"is_model_worker": True}, "is_model_worker"),  # not the member's to declare
    ],
)
def test_bad_categories_get_field_errors_and_change_nothing(
    me: User, body: dict[str, Any], field: str
) -> None:
    response = send_json(_client(me), "PATCH", "/api/v1/membership/categories", body)

    assert response.status_code == 422
    assert set(response.json()) >= {"code", "message", "fields"}
    assert any(field in key for key in response.json()["fields"])
    member = Member.objects.get(user=me)
    assert (member.is_gig_worker, member.is_model_worker) == (False, False)


def test_my_history_pages_and_holds_only_my_events(me: User) -> None:
    member = Member.objects.get(user=me)
    for n in range(3):
        record_event(member, MemberEventKind.UPDATED, actor=me, note=f"第{n}次")
    client = _client(me)

    first = client.get("/api/v1/membership/history?limit=2").json()
    second = client.get("/api/v1/membership/history", {"limit": 2, "page": first["next_page"]}).json()

    notes = [item["note"] for item in first["items"] + second["items"]]
    assert notes == ["第2次", "第1次", "第0次", "网上入会"]
    assert second["next_page"] is None
    assert first["items"][0]["by"] == "本人"
    _assert_nothing_of_the_other(
        json.dumps(first, ensure_ascii=False) + json.dumps(second, ensure_ascii=False)
    )


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_exporting_all_my_data(me: User, file_format: str) -> None:
    response = _client(me).get(f"/api/v1/membership/export?format={file_format}")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    if file_format == "json":
        text = response.content.decode()
        assert json.loads(text)["memberships"][0]["id_number"] == ID_NUMBER
    else:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        text = json.dumps(
            [workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names],
            ensure_ascii=False,
        )
        assert ID_NUMBER in text
    _assert_nothing_of_the_other(text)


def test_changing_my_mobile_number_in_two_calls(me: User, django_capture_on_commit_callbacks) -> None:
    client = _client(me)

    sent = send_json(client, "POST", "/api/v1/membership/mobile/code", {"mobile": NEW_MOBILE})
    code = re.search(r"\d{6}", outbox_messages(NEW_MOBILE, limit=1)[0])
    assert code
    with django_capture_on_commit_callbacks(execute=True):
        changed = send_json(
            client,
            "POST",
            "/api/v1/membership/mobile",
            {"mobile": NEW_MOBILE, "code": code.group(0), "password": PASSWORD},
        )

    assert (sent.status_code, sent.json()) == (202, {"sent_to": "139****1111"})
    assert (changed.status_code, changed.json()) == (200, {"masked_mobile": "139****1111"})
    assert User.objects.get(pk=me.pk).username == NEW_MOBILE
    assert "139****1111" in outbox_messages(MOBILE, limit=1)[0]


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        ("/api/v1/membership/mobile/code", {"mobile": "12345"}, 422, "mobile"),
        ("/api/v1/membership/mobile/code", {"mobile": OTHER_MOBILE}, 409, "mobile"),
        (
            "/api/v1/membership/mobile",
            {"mobile": NEW_MOBILE, "code": "123456", "password": "wrong"},
            422,
            "password",
        ),
        (
            "/api/v1/membership/mobile",
            {"mobile": NEW_MOBILE, "code": "123456", "password": PASSWORD},
            422,
            "code",
        ),
    ],
)
def test_bad_mobile_changes_get_field_errors(
    me: User, url: str, body: dict[str, Any], status: int, field: str
) -> None:
    response = send_json(_client(me), "POST", url, body)

    assert response.status_code == status
    assert field in response.json()["fields"]
    assert User.objects.get(pk=me.pk).mobile == MOBILE
