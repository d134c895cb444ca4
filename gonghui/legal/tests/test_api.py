"""The legal API: officers' operations with `{code, message, fields}` refusals, and the worker's
own `/legal/me` operations, which find cases by the caller's account only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.legal.models import AidStatus, LegalAid, LegalConsultation
from gonghui.legal.tests.factories import make_aid, make_consultation, make_lawyer, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at, send_json

pytestmark = pytest.mark.django_db

API = "/api/v1/legal"


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def handler(tree: Tree) -> Client:
    return _client(officer_at(tree.east, "east.handler", Role.CASE_HANDLER))


def test_officers_read_consultations_with_the_mobile_unmasked_only_when_handling(
    tree: Tree, handler: Client
) -> None:
    consultation = make_consultation(tree.acme)
    body = handler.get(f"{API}/consultations/{consultation.pk}").json()
    assert body["asker_mobile"] == "13912345678"
    auditor = _client(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    assert auditor.get(f"{API}/consultations/{consultation.pk}").json()["asker_mobile"] == "139****5678"
    response = send_json(auditor, "post", f"{API}/consultations/{consultation.pk}/answer", {"text": "答复"})
    assert response.status_code == 403


def test_logging_refuses_bad_input_with_fields(tree: Tree, handler: Client) -> None:
    payload = {"org": "E-T-A", "channel": "hotline", "topic": "wages", "question": "", "asker_mobile": "1"}
    response = send_json(handler, "post", f"{API}/consultations", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"question", "asker_mobile"}
    assert not LegalConsultation.objects.exists()


def test_the_overdue_queue(tree: Tree, handler: Client) -> None:
    late = make_consultation(tree.acme, answer_due=timezone.localdate() - timedelta(days=2))
    make_consultation(tree.acme)
    items = handler.get(f"{API}/consultations?queue=overdue").json()["items"]
    assert [item["id"] for item in items] == [late.pk]


def test_an_aid_step_the_status_refuses_is_409(tree: Tree, handler: Client) -> None:
    aid = make_aid(tree.acme)
    response = send_json(handler, "post", f"{API}/aid/{aid.pk}/steps", {"action": "approve"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    response = send_json(handler, "post", f"{API}/aid/{aid.pk}/steps", {"action": "fly"})
    assert response.status_code == 422
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.SUBMITTED


def test_assigning_through_the_api(tree: Tree, handler: Client) -> None:
    aid = make_aid(tree.acme, status=AidStatus.APPROVED)
    lawyer = make_lawyer(tree.east)
    response = send_json(
        handler, "post", f"{API}/aid/{aid.pk}/steps", {"action": "assign", "lawyer_id": lawyer.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["lawyer_id"]) == ("assigned", lawyer.pk)
    assert body["eligibility"]["eligible"] is True


def test_a_worker_asks_follows_up_and_reads_only_their_own(tree: Tree) -> None:
    worker = _client(make_member("13700006666"))
    response = send_json(
        worker, "post", f"{API}/me/consultations", {"topic": "contract", "question": "试用期工资？"}
    )
    assert response.status_code == 201
    consultation_id = response.json()["id"]
    assert response.json()["asker_mobile"] == "13700006666"
    response = send_json(
        worker, "post", f"{API}/me/consultations/{consultation_id}/messages", {"text": "补充"}
    )
    assert response.status_code == 201
    assert [m["author"] for m in response.json()["messages"]] == ["asker"]
    stranger = _client(make_member("13700006667"))
    assert stranger.get(f"{API}/me/consultations/{consultation_id}").status_code == 404
    assert stranger.get(f"{API}/me/consultations").json()["items"] == []


def test_a_worker_applies_writes_and_rates(tree: Tree) -> None:
    _, user = make_member_with_account(tree.acme)
    worker = _client(user)
    payload = {
        "matter_type": "dismissal",
        "description": "违法解除",
        "employer_name": "某公司",
        "amount_at_stake": "x",
    }
    response = send_json(worker, "post", f"{API}/me/aid", payload)
    assert response.status_code == 422
    assert "amount_at_stake" in response.json()["fields"]
    response = send_json(worker, "post", f"{API}/me/aid", {**payload, "amount_at_stake": "20000"})
    assert response.status_code == 201
    aid_id = response.json()["id"]
    assert response.json()["eligibility"]["as_member"] is True
    response = send_json(worker, "post", f"{API}/me/aid/{aid_id}/rating", {"rating": 5})
    assert response.status_code == 409
    LegalAid.objects.filter(pk=aid_id).update(status=AidStatus.CONCLUDED, lawyer=make_lawyer(tree.east))
    assert send_json(worker, "post", f"{API}/me/aid/{aid_id}/messages", {"text": "谢谢"}).status_code == 201
    response = send_json(worker, "post", f"{API}/me/aid/{aid_id}/rating", {"rating": 5, "comment": "满意"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rating"]) == ("closed", 5)
    stranger = _client(make_member("13700006668"))
    assert stranger.get(f"{API}/me/aid/{aid_id}").status_code == 404
    assert send_json(stranger, "post", f"{API}/me/aid/{aid_id}/rating", {"rating": 1}).status_code == 404


def test_lawyers_api_registers_and_refuses_a_duplicate_licence(tree: Tree, handler: Client) -> None:
    payload = {
        "org": "E",
        "name": "陈律师",
        "law_firm": "明正律师事务所",
        "licence_number": "13302201010000077",
        "practice_areas": "劳动争议",
    }
    assert send_json(handler, "post", f"{API}/lawyers", payload).status_code == 201
    response = send_json(handler, "post", f"{API}/lawyers", payload)
    assert response.status_code == 422
    assert "licence_number" in response.json()["fields"]


def test_a_lawyer_without_open_cases_is_switched_off_with_no_body(tree: Tree, handler: Client) -> None:
    lawyer = make_lawyer(tree.east)
    response = handler.generic("POST", f"{API}/lawyers/{lawyer.pk}/deactivate")  # no body at all
    assert response.status_code == 200
    assert response.json()["active"] is False
    lawyer.refresh_from_db()
    assert lawyer.is_active is False
