"""Payment batches in the console and the API: what waits for payment, making a batch (count and
total shown first), the transfer file download that marks it exported, and the bank's answer
with failed claims back in the queue; every refusal a message or `{code, message, fields}`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gonghui.mutualaid.models import AidClaim, AidClaimStatus, PaymentBatch, PaymentBatchStatus
from gonghui.mutualaid.services.claims import approve_claim, check_claim, submit_claim
from gonghui.mutualaid.services.payments import create_payment_batch, export_payment_batch
from gonghui.mutualaid.tests.factories import claim_input, line
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at, send_json

pytestmark = pytest.mark.django_db

CONSOLE = "/console/mutualaid/payments/"
API = "/api/v1/mutualaid/payment-batches"


def approved(world: Any, number: str, amount: str = "13500.00", excluded: str = "1500.00") -> AidClaim:
    claim = submit_claim(world.plan, actor=world.user, **claim_input(lines=[line(number, amount, excluded)]))
    return approve_claim(check_claim(claim, actor=world.handler), actor=world.handler)


def test_the_list_shows_what_waits_and_the_batches(world: Any, django_assert_max_num_queries: Any) -> None:
    approved(world, "FP0001")
    client = client_for(world.handler)
    with django_assert_max_num_queries(12):
        html = client.get(CONSOLE).content.decode()
    assert f'data-plan-id="{world.plan.pk}"' in html
    assert "5,700.00" in html
    assert f"{CONSOLE}new/{world.plan.pk}/" in html
    batch = create_payment_batch(world.plan, actor=world.handler)
    html = client.get(CONSOLE).content.decode()
    assert f'data-row-id="{batch.pk}"' in html
    assert f'data-plan-id="{world.plan.pk}"' not in html  # nothing waits any more


def test_making_a_batch_shows_count_and_total_first(world: Any) -> None:
    first = approved(world, "FP0001")
    second = approved(world, "FP0002", "2000.00", "0.00")  # 1,000.00 above the deductible at 50%
    client = client_for(world.handler)
    html = client.get(f"{CONSOLE}new/{world.plan.pk}/").content.decode()
    assert "<dd data-count>2</dd>" in html
    assert "6,200.00" in html
    response = client.post(f"{CONSOLE}new/{world.plan.pk}/")
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}{batch.pk}/"
    assert (batch.count, batch.total) == (2, Decimal("6200.00"))
    for claim in (first, second):
        claim.refresh_from_db()
        assert (claim.status, claim.payment_batch) == (AidClaimStatus.IN_PAYMENT, batch)
    html = client.post(f"{CONSOLE}new/{world.plan.pk}/", follow=True).content.decode()
    assert "There are no approved claims waiting for payment." in html
    assert PaymentBatch.objects.count() == 1


def test_the_export_is_a_download_and_marks_the_batch_exported(world: Any) -> None:
    claim = approved(world, "FP0001")
    batch = create_payment_batch(world.plan, actor=world.handler)
    client = client_for(world.handler)
    response = client.post(f"{CONSOLE}{batch.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="mutualaid-payment-2027-{batch.pk}.csv"'
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "序号,户名,账号,金额,用途"
    assert text.splitlines()[1].startswith("1,王小明,6222021234567890,5700.00,")
    assert claim.reference in text
    batch.refresh_from_db()
    assert batch.status == PaymentBatchStatus.EXPORTED
    assert client.get(f"{CONSOLE}{batch.pk}/export/").status_code == 405


def test_the_banks_answer_returns_failed_claims_to_the_queue(world: Any) -> None:
    paid = approved(world, "FP0001")
    failed = approved(world, "FP0002", "2000.00", "0.00")
    batch = create_payment_batch(world.plan, actor=world.handler)
    client = client_for(world.handler)
    html = client.get(f"{CONSOLE}{batch.pk}/").content.decode()
    assert f"{CONSOLE}{batch.pk}/mark-paid/" not in html  # not before the export
    export_payment_batch(batch, actor=world.handler)
    url = f"{CONSOLE}{batch.pk}/mark-paid/"
    response = client.post(url, {"failed": [str(failed.pk)], f"reason_{failed.pk}": ""})
    assert response.status_code == 422
    assert "Give a reason." in response.content.decode()
    assert f'value="{failed.pk}" id="failed-{failed.pk}" checked' in response.content.decode()
    html = client.post(url, {"failed": ["999999"]}, follow=True).content.decode()
    assert "The claims shown have changed." in html
    html = client.post(
        url, {"failed": [str(failed.pk)], f"reason_{failed.pk}": "账户已销户"}, follow=True
    ).content.decode()
    assert "1 claims are paid. 1 failed and are back in the queue as approved." in html
    assert 'data-failed-count="1"' in html
    paid.refresh_from_db()
    failed.refresh_from_db()
    assert paid.status == AidClaimStatus.PAID
    assert (failed.status, failed.payment_batch) == (AidClaimStatus.APPROVED, None)
    assert failed.history.last().comment == "账户已销户"  # type: ignore[union-attr]
    batch.refresh_from_db()
    assert batch.status == PaymentBatchStatus.CLOSED
    html = client.post(url, {}, follow=True).content.decode()
    assert "Export the transfer file before recording the bank&#x27;s answer." in html
    html = client.post(f"{CONSOLE}{batch.pk}/export/", follow=True).content.decode()
    assert "The payment batch is closed." in html


def test_finance_officers_follow_but_cannot_pay(world: Any) -> None:
    approved(world, "FP0001")
    batch = create_payment_batch(world.plan, actor=world.handler)
    finance = client_for(officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER))
    html = finance.get(f"{CONSOLE}{batch.pk}/").content.decode()
    assert f"{CONSOLE}{batch.pk}/export/" not in html
    html = finance.post(f"{CONSOLE}{batch.pk}/export/", follow=True).content.decode()
    assert "Only claim handlers of the federation running the plan may pay claims." in html
    batch.refresh_from_db()
    assert batch.status == PaymentBatchStatus.OPEN
    assert finance.get(f"{CONSOLE}new/{world.plan.pk}/").status_code == 404


def test_batches_outside_the_scope_are_not_found(world: Any) -> None:
    approved(world, "FP0001")
    batch = create_payment_batch(world.plan, actor=world.handler)
    west = client_for(officer_at(world.tree.west, "west.admin"))
    assert f'data-row-id="{batch.pk}"' not in west.get(CONSOLE).content.decode()
    assert west.get(f"{CONSOLE}{batch.pk}/").status_code == 404
    assert west.post(f"{CONSOLE}{batch.pk}/export/").status_code == 404
    assert west.get(f"{CONSOLE}new/{world.plan.pk}/").status_code == 404
    assert (
        client_for(officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER)).get(CONSOLE).status_code
        == 404
    )


# --- the API ------------------------------------------------------------------------------------


def test_the_api_makes_exports_and_closes_a_batch(world: Any) -> None:
    paid = approved(world, "FP0001")
    failed = approved(world, "FP0002", "2000.00", "0.00")
    client = client_for(world.handler)
    response = send_json(client, "POST", API, {"plan": world.plan.pk})
    assert response.status_code == 201
    body = response.json()
    assert (body["count"], body["total"], body["status"]) == (2, "6200.00", "open")
    assert {claim["id"] for claim in body["claims"]} == {paid.pk, failed.pk}
    batch_id = body["id"]
    assert client.get(API).json()["items"][0]["id"] == batch_id
    response = send_json(client, "POST", f"{API}/{batch_id}/mark-paid", {"failed": []})
    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    response = client.post(f"{API}/{batch_id}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    response = send_json(
        client, "POST", f"{API}/{batch_id}/mark-paid", {"failed": [{"claim": failed.pk, "reason": ""}]}
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, [f"reasons.{failed.pk}"])
    response = send_json(
        client, "POST", f"{API}/{batch_id}/mark-paid", {"failed": [{"claim": 999999, "reason": "x"}]}
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["failed_claim_ids"])
    body = send_json(
        client,
        "POST",
        f"{API}/{batch_id}/mark-paid",
        {"failed": [{"claim": failed.pk, "reason": "账号有误"}]},
    ).json()
    assert body["status"] == "closed"
    assert [claim["id"] for claim in body["claims"]] == [paid.pk]
    assert client.post(f"{API}/{batch_id}/export").status_code == 409


@pytest.mark.parametrize(
    "payload", [{}, {"plan": 0}, {"plan": "x"}, {"plan": 1, "extra": True}, {"plan": 2**63}]
)
def test_bad_batch_requests_are_refused(world: Any, payload: dict[str, Any]) -> None:
    response = send_json(client_for(world.handler), "POST", API, payload)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert not PaymentBatch.objects.exists()


def test_the_api_refuses_outsiders_and_lookers(world: Any) -> None:
    approved(world, "FP0001")
    west = client_for(officer_at(world.tree.west, "west.admin"))
    response = send_json(west, "POST", API, {"plan": world.plan.pk})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    finance = client_for(officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER))
    response = send_json(finance, "POST", API, {"plan": world.plan.pk})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    response = send_json(client_for(world.handler), "POST", API, {"plan": 999999})
    assert response.status_code == 404
    assert not PaymentBatch.objects.exists()
