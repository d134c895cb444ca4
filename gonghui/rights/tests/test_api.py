"""The REST API: officers' intake and workflow with `{code, message, fields}` refusals, and the
worker's own disputes under /rights/me."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import Dispute, DisputeStatus
from gonghui.rights.tests.factories import make_dispute

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def handler_client(tree, client: Client) -> Client:
    sign_in_verified(client, officer_at(tree.east, "east.handler", Role.CASE_HANDLER))
    return client


def test_intake_then_accept_then_an_illegal_step_is_409(tree, handler_client):
    created = _post(
        handler_client,
        "/api/v1/rights/disputes",
        {
            "org": tree.acme.code,
            "channel": "hotline",
            "employer_name": "示范建筑劳务有限公司",
            "summary": "拖欠工资",
            "parties": [{"name": "王小明", "mobile": "13900004444"}],
            "claims": [{"type": "wage_arrears", "amount_claimed": "8600.00"}],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["parties"][0]["mobile"] == "13900004444"
    assert body["actions"] == ["accept", "decline"]
    url = f"/api/v1/rights/disputes/{body['id']}/transitions"
    assert _post(handler_client, url, {"action": "accept"}).json()["status"] == "accepted"
    refused = _post(handler_client, url, {"action": "archive"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"


def test_bad_intake_gives_field_errors_and_writes_nothing(tree, handler_client):
    response = _post(
        handler_client,
        "/api/v1/rights/disputes",
        {"org": tree.acme.code, "channel": "online", "summary": "", "parties": [], "claims": []},
    )
    assert response.status_code == 422
    assert {"channel", "summary", "parties", "claims"} <= set(response.json()["fields"])
    assert not Dispute.objects.exists()


def test_an_auditor_reads_masked_numbers(tree, client):
    dispute = make_dispute(tree.acme, mobile="13900005555")
    sign_in_verified(client, officer_at(tree.city, "city.auditor", Role.AUDITOR))
    party = client.get(f"/api/v1/rights/disputes/{dispute.pk}").json()["parties"][0]
    assert party["mobile"] != "13900005555"
    assert "*" in party["mobile"]


def test_a_worker_reports_lists_messages_and_rates_through_the_api(tree, client):
    worker = make_member("13800004321")
    sign_in_verified(client, worker)
    created = _post(
        client,
        "/api/v1/rights/me",
        {
            "name": "王小明",
            "employer_name": "某餐饮公司",
            "summary": "被辞退未给补偿",
            "claims": [{"type": "dismissal", "amount_claimed": "12000"}],
        },
    )
    assert created.status_code == 201
    dispute_id = created.json()["id"]
    assert [row["id"] for row in client.get("/api/v1/rights/me").json()] == [dispute_id]
    assert (
        _post(client, f"/api/v1/rights/me/{dispute_id}/messages", {"text": "什么时候调解？"}).status_code
        == 201
    )
    early = _post(client, f"/api/v1/rights/me/{dispute_id}/rating", {"rating": 5})
    assert early.status_code == 409
    assert early.json()["code"] == "not_rateable"
    Dispute.objects.filter(pk=dispute_id).update(
        status=DisputeStatus.CLOSED, concluded_on=timezone.localdate()
    )
    assert _post(client, f"/api/v1/rights/me/{dispute_id}/rating", {"rating": 5}).json()["rating"] == 5
    stranger = Client()
    sign_in_verified(stranger, make_member("13800009876"))
    assert stranger.get(f"/api/v1/rights/me/{dispute_id}").status_code == 404
