"""The officers' claims API: the queue with its filters and counts, one claim, an officer's
submission (by member id or ID number), each action with its refusals as `{code, message,
fields}`, and document uploads."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gonghui.mutualaid.models import AidClaim, AidClaimAttachment, AidClaimStatus, LineStatus
from gonghui.mutualaid.services.claims import approve_claim, check_claim, reject_claim, submit_claim
from gonghui.mutualaid.tests.factories import claim_input, line, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at, send_json

pytestmark = pytest.mark.django_db

API = "/api/v1/mutualaid/claims"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, "PNG")
    return out.getvalue()


def submit(world: Any, **overrides: Any) -> AidClaim:
    return submit_claim(world.plan, actor=world.user, **claim_input(**overrides))


def entry(world: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "plan": world.plan.pk,
        "member": world.member.pk,
        "claim_type": "inpatient",
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": "2027-06-01",
        "discharged_on": "2027-06-10",
        "lines": [{"invoice_number": "fp0001", "amount": "13500.00", "excluded": "1500.00"}],
        "bank_account_name": "王小明",
        "bank_account_number": "6222021234567890",
        **overrides,
    }


# --- the queue ------------------------------------------------------------------------------------


def test_the_queue_lists_with_counts_and_filters(world: Any, django_assert_max_num_queries: Any) -> None:
    first = submit(world)
    checked = check_claim(submit(world, lines=[line("FP0002", "3000.00")]), actor=world.handler)
    client = client_for(world.handler)
    with django_assert_max_num_queries(10):
        body = client.get(API).json()
    assert [item["id"] for item in body["items"]] == [checked.pk, first.pk]
    assert body["counts"]["entered"] == 1
    assert body["counts"]["checked"] == 1
    item = body["items"][1]
    assert item["reference"] == first.reference
    assert item["member_name"] == world.member.masked_name
    assert item["org"]["code"] == "E-T-A"
    assert item["payout"] is None
    assert "hospital" not in item
    body = client.get(API, {"status": "entered"}).json()
    assert [item["id"] for item in body["items"]] == [first.pk]
    assert body["counts"]["checked"] == 1  # the counts ignore the status filter
    body = client.get(API, {"status": "checked"}).json()
    assert body["items"][0]["payout"] == "1000.00"
    assert client.get(API, {"reference": first.reference}).json()["count"] == 1
    assert client.get(API, {"org": "E-B"}).json()["count"] == 0
    assert client.get(API, {"claim_type": "accident"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"org": "W"}, "org"),
        ({"org": "NOPE"}, "org"),
        ({"reference": "x-1"}, "reference"),
        ({"submitted_from": "2027-06-02", "submitted_to": "2027-06-01"}, "submitted_to"),
        ({"status": "bogus"}, "status"),
        ({"page": "0"}, "page"),
        ({"submitted_from": "2027-02-30"}, "submitted_from"),
    ],
)
def test_bad_queue_filters_answer_422_with_the_field(world: Any, query: dict[str, str], field: str) -> None:
    response = client_for(world.handler).get(API, query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]


def test_a_claim_outside_the_scope_is_not_found(world: Any) -> None:
    claim = submit(world)
    west = client_for(officer_at(world.tree.west, "west.admin"))
    assert west.get(API).json()["count"] == 0
    response = west.get(f"{API}/{claim.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert west.post(f"{API}/{claim.pk}/check").status_code == 404
    assert client_for(world.handler).get(f"{API}/999999").status_code == 404
    assert client_for(world.user).get(f"{API}/{claim.pk}").status_code == 404  # members use /me
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.ENTERED


def test_the_detail_gives_the_medical_part_and_permitted_actions_to_a_handler(world: Any) -> None:
    claim = check_claim(submit(world), actor=world.handler)
    body = client_for(world.handler).get(f"{API}/{claim.pk}").json()
    assert body["bank_account_number"] == "************7890"
    assert body["payout"] == "5700.00"
    assert body["actions"] == ["approve", "check", "reject", "reject_lines"]
    medical = body["medical"]
    assert medical["hospital"] == "示范市第一人民医院"
    assert medical["rule"]["version"] == 1
    assert medical["lines"][0]["invoice_number"] == "FP0001"
    assert medical["payout_steps"][-1]["amount"] == "5700.00"
    assert [step["action"] for step in body["history"]] == ["submit", "check"]


# --- an officer submits -----------------------------------------------------------------------------


def test_an_officer_submits_by_member_id_or_id_number(world: Any) -> None:
    client = client_for(world.handler)
    response = send_json(client, "POST", API, entry(world))
    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "officer"
    assert body["medical"]["lines"][0]["invoice_number"] == "FP0001"
    payload = entry(
        world,
        member=None,
        id_number=world.member.id_number,
        lines=[{"invoice_number": "FP2", "amount": "10"}],
    )
    response = send_json(client, "POST", API, payload)
    assert response.status_code == 201
    assert AidClaim.objects.filter(member=world.member).count() == 2


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"member": None}, 422, "member"),
        ({"id_number": "330203199001011234"}, 422, "member"),  # both given
        ({"member": None, "id_number": "123"}, 422, "id_number"),
        ({"claim_type": "dental"}, 422, "claim_type"),
        ({"lines": []}, 422, "lines"),
        ({"lines": [{"invoice_number": "FP1", "amount": "1.001"}]}, 422, "lines.0.amount"),
        ({"lines": [{"invoice_number": "FP1", "amount": "10", "excluded": "20"}]}, 422, "lines.0.excluded"),
        ({"discharged_on": "2027-05-01"}, 422, "discharged_on"),
        ({"bank_account_number": "12"}, 422, "bank_account_number"),
        ({"hospital": ""}, 422, "hospital"),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_bad_submissions_are_refused_with_the_field_and_write_nothing(
    world: Any, overrides: dict[str, Any], status: int, field: str
) -> None:
    response = send_json(client_for(world.handler), "POST", API, entry(world, **overrides))
    assert response.status_code == status
    assert field in response.json()["fields"]
    assert not AidClaim.objects.exists()


def test_submitting_for_a_member_outside_the_scope_is_not_found(world: Any) -> None:
    stranger, _ = make_member_with_account(world.tree.gamma)
    client = client_for(world.handler)
    for payload in (
        entry(world, member=stranger.pk),
        entry(world, member=None, id_number=stranger.id_number),
    ):
        response = send_json(client, "POST", API, payload)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not AidClaim.objects.exists()


def test_a_double_submission_is_a_clear_refusal(world: Any) -> None:
    client = client_for(world.handler)
    assert send_json(client, "POST", API, entry(world)).status_code == 201
    response = send_json(client, "POST", API, entry(world))
    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_invoice"
    assert "lines.0.invoice_number" in response.json()["fields"]


# --- actions ---------------------------------------------------------------------------------------


def test_check_approve_and_second_review(world: Any) -> None:
    world.plan.second_review_rate = Decimal("1")
    world.plan.save()
    claim = submit(world)
    client = client_for(world.handler)
    assert client.post(f"{API}/{claim.pk}/check").json()["status"] == "checked"
    assert client.post(f"{API}/{claim.pk}/approve").json()["status"] == "second_review"
    response = send_json(client, "POST", f"{API}/{claim.pk}/second-review", {"decision": "confirm"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    reviewer = client_for(world.reviewer)
    response = send_json(reviewer, "POST", f"{API}/{claim.pk}/second-review", {"decision": "reject"})
    assert (response.status_code, list(response.json()["fields"])) == (422, ["reason"])
    response = send_json(reviewer, "POST", f"{API}/{claim.pk}/second-review", {"decision": "confirm"})
    assert response.json()["status"] == "approved"
    response = send_json(reviewer, "POST", f"{API}/{claim.pk}/second-review", {"decision": "maybe"})
    assert response.status_code == 422


def test_reject_lines_and_reject(world: Any) -> None:
    claim = check_claim(
        submit(world, lines=[line("FP0001", "13500.00", "1500.00"), line("FP0002", "1000.00")]),
        actor=world.handler,
    )
    second = claim.lines.get(position=2)
    client = client_for(world.handler)
    url = f"{API}/{claim.pk}/reject-lines"
    response = send_json(client, "POST", url, {"lines": [{"line": second.pk, "reason": ""}]})
    assert (response.status_code, list(response.json()["fields"])) == (422, ["lines.1.reason"])
    response = send_json(client, "POST", url, {"lines": [{"line": 999999, "reason": "x"}]})
    assert response.status_code == 422
    assert send_json(client, "POST", url, {"lines": []}).status_code == 422
    body = send_json(client, "POST", url, {"lines": [{"line": second.pk, "reason": "自费药品"}]}).json()
    assert body["medical"]["lines"][1]["line_status"] == LineStatus.REJECTED
    assert send_json(client, "POST", f"{API}/{claim.pk}/reject", {"reason": " "}).status_code == 422
    assert send_json(client, "POST", f"{API}/{claim.pk}/reject", {}).status_code == 422
    body = send_json(client, "POST", f"{API}/{claim.pk}/reject", {"reason": "材料不全"}).json()
    assert (body["status"], body["medical"]["decision_reason"]) == ("rejected", "材料不全")


def test_acting_on_a_claim_someone_else_decided_is_a_conflict(world: Any) -> None:
    claim = check_claim(submit(world), actor=world.handler)
    reject_claim(claim, actor=world.reviewer, reason="重复报销")
    client = client_for(world.handler)
    for action in ("check", "approve"):
        response = client.post(f"{API}/{claim.pk}/{action}")
        assert (response.status_code, response.json()["code"]) == (409, "invalid_transition"), action
    response = send_json(client, "POST", f"{API}/{claim.pk}/reject", {"reason": "x"})
    assert response.status_code == 409


def test_a_finance_officer_is_forbidden_to_decide(world: Any) -> None:
    claim = check_claim(submit(world), actor=world.handler)
    client = client_for(officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER))
    assert client.get(f"{API}/{claim.pk}").json()["actions"] == []
    response = client.post(f"{API}/{claim.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.CHECKED


# --- documents -------------------------------------------------------------------------------------


def test_a_handler_uploads_a_document(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    client = client_for(world.handler)
    response = client.post(f"{API}/{claim.pk}/attachments", {"file": SimpleUploadedFile("发票.png", png())})
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["content_type"]) == ("发票.png", "image/png")
    response = client.post(f"{API}/{claim.pk}/attachments", {"file": SimpleUploadedFile("x.png", b"<svg>")})
    assert (response.status_code, list(response.json()["fields"])) == (422, ["file"])
    response = client.post(f"{API}/{claim.pk}/attachments", {})
    assert response.status_code == 422
    assert AidClaimAttachment.objects.count() == 1
    approve_claim(check_claim(claim, actor=world.handler), actor=world.handler)
    response = client.post(f"{API}/{claim.pk}/attachments", {"file": SimpleUploadedFile("a.png", png())})
    assert response.status_code == 409


def test_attachment_upload_is_scoped(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    url = f"{API}/{claim.pk}/attachments"
    for user in (
        officer_at(world.tree.west, "west.admin"),
        officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER),
        officer_at(world.tree.east, "east.auditor", Role.AUDITOR),
        world.user,
    ):
        response = client_for(user).post(url, {"file": SimpleUploadedFile("a.png", png())})
        assert response.status_code == 404, user
    from django.test import Client

    assert Client().post(url, {"file": SimpleUploadedFile("a.png", png())}).status_code == 401
    assert (
        client_for(officer_at(world.tree.acme, "acme.admin"))
        .post(url, {"file": SimpleUploadedFile("a.png", png())})
        .status_code
        == 201
    )  # a handler of the member's own union
    assert AidClaimAttachment.objects.count() == 1
