"""The officers' API of funds and grants: money as decimal strings, errors as
{code, message, fields}, insufficient funds and four-eyes as stable codes, nothing written on a
refusal, and never a 500 whatever the body."""

from __future__ import annotations

import pytest

from gonghui.assistance.models import Fund, FundEntry, Grant, GrantStatus
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import (
    assert_ledger_consistent,
    handler_at,
    keeper_at,
    make_file_on_record,
    make_grant,
    make_member,
)
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at, send_json

pytestmark = pytest.mark.django_db

FUNDS = "/api/v1/assistance/funds"
GRANTS = "/api/v1/assistance/grants"


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def keeper(tree):
    return client_for(keeper_at(tree.east))


@pytest.fixture
def handler(tree):
    return client_for(handler_at(tree.acme))


def test_funds_list_detail_and_ledger_show_money_as_strings(tree, keeper):
    fund = fund_with(tree.east, "1000.00")
    body = keeper.get(FUNDS).json()
    assert body["count"] == 1
    assert body["items"][0]["balance"] == "1000.00"
    assert body["items"][0]["may_keep"] is True
    assert keeper.get(f"{FUNDS}/{fund.pk}").json()["kind"] == "federation"
    ledger = keeper.get(f"{FUNDS}/{fund.pk}/ledger").json()
    assert ledger["items"][0]["amount"] == "1000.00"
    assert ledger["items"][0]["balance_after"] == "1000.00"
    assert keeper.get(f"{FUNDS}?status=nonsense").status_code == 422


def test_opening_paying_in_correcting_and_closing(tree, keeper):
    created = send_json(keeper, "post", FUNDS, {"org": tree.east.pk, "name": "东区帮扶基金"})
    assert created.status_code == 201
    fund_id = created.json()["id"]
    paid = send_json(keeper, "post", f"{FUNDS}/{fund_id}/deposit", {"amount": "500.00", "memo": "财政拨款"})
    assert paid.status_code == 201
    assert paid.json()["balance_after"] == "500.00"
    refused = send_json(keeper, "post", f"{FUNDS}/{fund_id}/correct", {"amount": "-600.00", "reason": "冲正"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_funds"
    fixed = send_json(
        keeper, "post", f"{FUNDS}/{fund_id}/correct", {"amount": "-500.00", "reason": "退回财政"}
    )
    assert fixed.json()["balance_after"] == "0.00"
    closed = send_json(keeper, "post", f"{FUNDS}/{fund_id}/close", {"reason": "停用"})
    assert closed.json()["status"] == "closed"
    late = send_json(keeper, "post", f"{FUNDS}/{fund_id}/deposit", {"amount": "1", "memo": "拨款"})
    assert late.status_code == 409
    assert late.json()["code"] == "fund_closed"
    assert_ledger_consistent(Fund.objects.get(pk=fund_id))


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "0", "memo": "x"},
        {"amount": "-1", "memo": "x"},
        {"amount": "1.001", "memo": "x"},
        {"amount": "NaN", "memo": "x"},
        {"amount": "1e30", "memo": "x"},
        {"amount": 1.5, "memo": ""},
        {"amount": "1", "memo": "x", "booked_on": "2999-01-01"},
        {"amount": "1", "memo": "x", "extra": 1},
        {"amount": None},
        [],
    ],
)
def test_bad_money_in_answers_a_clear_error_and_writes_nothing(tree, keeper, body):
    fund = fund_with(tree.east, "10.00")
    response = send_json(keeper, "post", f"{FUNDS}/{fund.pk}/deposit", body)
    assert 400 <= response.status_code < 500
    error = response.json()
    assert set(error) == {"code", "message", "fields"}
    assert FundEntry.objects.filter(fund=fund).count() == 1


def test_a_viewer_may_not_pay_in(tree):
    fund = fund_with(tree.east, "10.00")
    viewer = client_for(handler_at(tree.east))
    response = send_json(viewer, "post", f"{FUNDS}/{fund.pk}/deposit", {"amount": "1", "memo": "拨款"})
    assert response.status_code == 403
    assert viewer.get(f"{FUNDS}/{fund.pk}").json()["may_keep"] is False


def test_a_grant_proposed_approved_and_reversed_through_the_api(tree, keeper, handler):
    fund = fund_with(tree.east, "1000.00")
    member = make_member(tree.acme, name="陈大伟")
    proposed = send_json(
        handler,
        "post",
        GRANTS,
        {
            "fund": fund.pk,
            "id_number": member.id_number,
            "purpose": "living",
            "amount": "300",
            "reason": "生活困难",
        },
    )
    assert proposed.status_code == 201
    body = proposed.json()
    assert body["amount"] == "300.00"
    assert body["recipient"]["name"] == "陈大伟"
    assert "*" in body["recipient"]["id_number"]
    assert body["actions"] == []
    grant_id = body["id"]
    assert keeper.get(f"{GRANTS}/{grant_id}").json()["actions"] == ["approve", "reject"]
    approved = send_json(keeper, "post", f"{GRANTS}/{grant_id}/approve", {"note": "同意"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["entries"][0]["amount"] == "-300.00"
    again = send_json(keeper, "post", f"{GRANTS}/{grant_id}/approve", {})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    reversed_ = send_json(keeper, "post", f"{GRANTS}/{grant_id}/reverse", {"reason": "重复发放"})
    assert reversed_.json()["status"] == "reversed"
    assert [entry["kind"] for entry in reversed_.json()["entries"]] == ["grant", "reversal"]
    assert [row["action"] for row in reversed_.json()["history"]] == ["propose", "approve", "reverse"]
    assert_ledger_consistent(fund)


def test_a_grant_from_a_hardship_file(tree, handler):
    fund = fund_with(tree.east, "1000.00")
    file = make_file_on_record(make_member(tree.acme))
    response = send_json(
        handler,
        "post",
        GRANTS,
        {"fund": fund.pk, "hardship_file": file.pk, "purpose": "medical", "amount": "100", "reason": "医疗"},
    )
    assert response.status_code == 201
    assert response.json()["hardship_file_id"] == file.pk


def test_four_eyes_and_insufficient_funds_have_codes(tree, keeper):
    fund = fund_with(tree.east, "100.00")
    admin = officer_at(tree.east, "admin", Role.FEDERATION_ADMIN)
    admin_client = client_for(admin)
    member = make_member(tree.acme)
    body = {
        "fund": fund.pk,
        "id_number": member.id_number,
        "purpose": "living",
        "amount": "50",
        "reason": "困难",
    }
    grant_id = send_json(admin_client, "post", GRANTS, body).json()["id"]
    own = send_json(admin_client, "post", f"{GRANTS}/{grant_id}/approve", {})
    assert own.status_code == 403
    assert own.json()["code"] == "four_eyes"
    big = make_grant(fund, member, amount="150.00")
    short = send_json(keeper, "post", f"{GRANTS}/{big.pk}/approve", {})
    assert short.status_code == 409
    assert short.json()["code"] == "insufficient_funds"
    assert Grant.objects.get(pk=big.pk).status == GrantStatus.PROPOSED
    assert_ledger_consistent(fund)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"fund": 0, "purpose": "living", "amount": "1", "reason": "x"},
        {"fund": 1, "id_number": "x" * 30, "purpose": "living", "amount": "1", "reason": "x"},
        {"fund": 1, "id_number": "110101199003070000", "purpose": "gift", "amount": "1", "reason": "x"},
        {"fund": 1, "id_number": "110101199003070000", "purpose": "living", "amount": "-1", "reason": ""},
        {"fund": 2**70, "purpose": "living", "amount": "1", "reason": "x"},
    ],
)
def test_bad_proposals_answer_a_clear_error(tree, handler, body):
    fund_with(tree.east, "100.00")
    response = send_json(handler, "post", GRANTS, body)
    assert response.status_code in {400, 404, 422}
    assert set(response.json()) == {"code", "message", "fields"}
    assert not Grant.objects.exists()


def test_the_grant_list_puts_proposals_first_and_filters(tree, keeper):
    fund = fund_with(tree.east, "1000.00")
    member = make_member(tree.acme)
    decided = make_grant(fund, member)
    Grant.objects.filter(pk=decided.pk).update(status=GrantStatus.REJECTED)
    waiting = make_grant(fund, member)
    items = keeper.get(GRANTS).json()["items"]
    assert [item["id"] for item in items] == [waiting.pk, decided.pk]
    assert [item["id"] for item in keeper.get(f"{GRANTS}?status=rejected").json()["items"]] == [decided.pk]
    assert keeper.get(f"{GRANTS}?fund={fund.pk + 1}").json()["count"] == 0
