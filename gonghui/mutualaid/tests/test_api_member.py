"""The member API of mutual aid (/api/v1/mutualaid/me): my coverage, submitting a claim (a double
submission refused with a clear code), my claims with the payout worked out step by step, and the
documents of my own claims; refusals as {code, message, fields} with nothing written, and another
person's claim answering 404 like a missing one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gonghui.accounts.services import create_api_token
from gonghui.accounts.tests.factories import make_member
from gonghui.mutualaid.models import AidClaim, AidClaimAttachment, AidPlanStatus
from gonghui.mutualaid.services.claims import (
    add_claim_attachment,
    approve_claim,
    check_claim,
    reject_claim,
    submit_claim,
)
from gonghui.mutualaid.tests.factories import (
    claim_input,
    line,
    make_enrolment,
    make_member_with_account,
    make_plan,
    make_rule,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/mutualaid/me"


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def bearer(user: Any) -> Client:
    _token, raw = create_api_token(actor=user, name="手机", expires_in_days=30)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (20, 120, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "claim_type": "inpatient",
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": "2027-06-01",
        "discharged_on": "2027-06-10",
        "lines": [{"invoice_number": "FP0001", "amount": "13500.00", "excluded": "1500.00"}],
        "bank_account_name": "王小明",
        "bank_account_number": "6222 0212 3456 7890",
    }
    values.update(overrides)
    return values


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_every_operation_needs_a_sign_in(world: Any) -> None:
    client = Client()
    for url in (f"{BASE}/coverage", f"{BASE}/claims", f"{BASE}/claims/1", f"{BASE}/claims/1/documents/1"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert post(client, f"{BASE}/claims", body()).status_code == 401


def test_my_coverage(world: Any) -> None:
    response = bearer(world.user).get(f"{BASE}/coverage")
    assert response.status_code == 200
    [plan] = response.json()["items"]
    assert plan["plan_id"] == world.plan.pk
    assert plan["federation"] == world.tree.east.name
    assert plan["union"] == world.tree.acme.name
    assert plan["in_force"] is True
    assert plan["enrolled_on"] == "2027-01-01"
    [inpatient] = plan["claim_types"]
    assert inpatient["claim_type"] == "inpatient"
    assert inpatient["deductible"] == "1000.00"
    assert inpatient["waiting_days"] == 90
    assert inpatient["covered_from"] == "2027-04-01"
    assert inpatient["waiting_over"] is True
    assert inpatient["room_left"] == "100000.00"
    assert inpatient["summary"][0].startswith("You pay the first 1,000.00 yuan")


def test_coverage_is_empty_for_someone_not_enrolled(world: Any) -> None:
    assert bearer(make_member("13911114444")).get(f"{BASE}/coverage").json() == {"items": []}


def test_submit_a_claim_then_a_double_submission_is_refused_clearly(world: Any) -> None:
    client = bearer(world.user)
    first = post(client, f"{BASE}/claims", body())
    assert first.status_code == 201, first.content
    claim = first.json()
    assert claim["status"] == "entered"
    assert claim["status_words"] == "Submitted, waiting to be checked"
    assert claim["payout"] is None
    assert claim["payout_steps"] == []
    assert claim["bank_account_number"] == "************7890"
    assert claim["lines"][0]["invoice_number"] == "FP0001"
    assert claim["can_add_documents"] is True
    assert claim["history"][0]["words"] == "Claim submitted"

    again = post(client, f"{BASE}/claims", body())
    assert again.status_code == 422
    error = again.json()
    assert error["code"] == "duplicate_invoice"
    assert claim["reference"] in error["message"]
    assert error["fields"]["lines.0.invoice_number"]
    assert AidClaim.objects.count() == 1


def test_bad_claims_are_refused_with_field_paths_and_nothing_written(world: Any) -> None:
    client = bearer(world.user)
    bad = body(
        claim_type="dental",
        hospital="",
        discharged_on="2027-05-01",
        lines=[{"invoice_number": "", "amount": "12.345", "excluded": "0"}],
        bank_account_number="123",
    )
    response = post(client, f"{BASE}/claims", bad)
    assert response.status_code == 422
    fields = response.json()["fields"]
    for path in ("claim_type", "hospital", "lines.0.invoice_number", "lines.0.amount", "bank_account_number"):
        assert path in fields, path
    for broken in ({"lines": "x"}, {"lines": [{"amount": 5}]}, {"admitted_on": "2027-13-01"}, {}):
        response = post(client, f"{BASE}/claims", {**body(), **broken} if broken else {})
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
    assert post(client, f"{BASE}/claims", body(plan_id=999999)).status_code == 404
    assert not AidClaim.objects.exists()


def test_the_plan_must_be_named_when_enrolled_in_two(world: Any) -> None:
    second = make_plan(world.tree.east, name="2027年度补充互助", status=AidPlanStatus.OPEN)
    make_rule(second)
    make_enrolment(second, world.member)
    client = bearer(world.user)
    response = post(client, f"{BASE}/claims", body())
    assert response.status_code == 422
    assert "plan_id" in response.json()["fields"]
    assert post(client, f"{BASE}/claims", body(plan_id=second.pk)).status_code == 201


def test_someone_not_enrolled_cannot_claim(world: Any) -> None:
    _member, user = make_member_with_account(world.tree.acme)
    response = post(bearer(user), f"{BASE}/claims", body())
    assert response.status_code == 409
    assert response.json()["code"] == "not_enrolled"
    response = post(bearer(user), f"{BASE}/claims", body(plan_id=world.plan.pk))
    assert response.status_code == 409
    assert not AidClaim.objects.exists()


def test_my_claims_and_one_claim_with_the_payout_worked_out(world: Any) -> None:
    claim = check_claim(submit_claim(world.plan, actor=world.user, **claim_input()), actor=world.handler)
    approve_claim(claim, actor=world.handler)
    client = bearer(world.user)
    listed = client.get(f"{BASE}/claims").json()
    assert listed["count"] == 1
    assert listed["items"][0]["payout"] == "5700.00"
    assert listed["items"][0]["payout_final"] is True
    detail = client.get(f"{BASE}/claims/{claim.pk}").json()
    assert detail["status_words"] == "Approved, payment on the way"
    assert detail["rule_version"] == 1
    assert detail["payout_steps"][-1] == {"label": "Payout: 5,700.00 yuan", "amount": "5700.00"}
    assert any("Deductible 1,000.00 yuan" in step["label"] for step in detail["payout_steps"])
    assert [step["words"] for step in detail["history"]] == [
        "Claim submitted",
        "Checked and the payout worked out",
        "Approved",
    ]
    assert detail["next_step"]


def test_another_persons_claim_is_404_like_a_missing_one(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    document = add_claim_attachment(claim, actor=world.user, name="发票.png", content=png())
    other, other_user = make_member_with_account(world.tree.acme)
    make_enrolment(world.plan, other)
    client = bearer(other_user)
    assert client.get(f"{BASE}/claims").json()["count"] == 0
    for url in (f"{BASE}/claims/{claim.pk}", f"{BASE}/claims/{claim.pk + 100}"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get(f"{BASE}/claims/{claim.pk}/documents/{document.pk}").status_code == 404
    upload = client.post(f"{BASE}/claims/{claim.pk}/documents", {"file": SimpleUploadedFile("a.png", png())})
    assert upload.status_code == 404
    assert AidClaimAttachment.objects.count() == 1
    officer = bearer(world.handler)  # a handler's own portal data holds no claims
    assert officer.get(f"{BASE}/claims/{claim.pk}").status_code == 404


def test_documents_upload_and_download_for_my_own_claim(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    client = bearer(world.user)
    url = f"{BASE}/claims/{claim.pk}/documents"
    added = client.post(url, {"file": SimpleUploadedFile("发票.png", png())})
    assert added.status_code == 201, added.content
    document = added.json()
    assert (document["name"], document["content_type"]) == ("发票.png", "image/png")
    download = client.get(f"{url}/{document['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png()  # type: ignore[attr-defined]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{url}/{document['id'] + 100}").status_code == 404

    refused = client.post(url, {"file": SimpleUploadedFile("病历.html", b"<html>")})
    assert refused.status_code == 422
    assert refused.json()["fields"]["file"] == ["Upload a photo (JPEG, PNG or WebP) or a PDF file."]
    missing = client.post(url, {})
    assert missing.status_code == 422
    reject_claim(claim, actor=world.handler, reason="资料不全")
    late = client.post(url, {"file": SimpleUploadedFile("b.png", png())})
    assert late.status_code == 409
    assert AidClaimAttachment.objects.count() == 1


def test_a_too_large_document_is_refused_before_it_is_read_whole(world: Any, settings: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    big = SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (10 * 2**20))
    response = bearer(world.user).post(f"{BASE}/claims/{claim.pk}/documents", {"file": big})
    assert response.status_code == 422
    assert "at most 10 MB" in response.json()["fields"]["file"][0]
    assert not AidClaimAttachment.objects.exists()


def test_the_list_reads_a_bounded_number_of_queries(world: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(5):
        submit_claim(world.plan, actor=world.user, **claim_input(lines=[line(f"FR{number}", "900.00")]))
    client = bearer(world.user)
    with django_assert_max_num_queries(8):
        assert client.get(f"{BASE}/claims").json()["count"] == 5
