"""REST API of mutual aid payment batches (/api/v1/mutualaid/payment-batches): the batches in
the caller's scope, one batch with its claims, a new batch of all approved claims of a plan, the
bank transfer file (CSV; the batch becomes exported) and the bank's answer (the failed claims,
each with a reason, go back to approved; the others are paid).

Reading needs `mutualaid.view` on the federation running the plan (finance officers, auditors);
changes need `mutualaid.handle` there (403 for someone who may only look). No medical detail is
part of a batch.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import (
    MAX_REASON,
    AidClaim,
    AidClaimStatus,
    ClaimType,
    PaymentBatch,
    PaymentBatchStatus,
)
from gonghui.mutualaid.services import payments as services

router = Router(tags=["mutualaid"])


class PaymentBatchOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    federation: OrgRef
    status: PaymentBatchStatus
    count: int = Field(description="Claims put into the batch.")
    total: Decimal
    created_at: datetime
    exported_at: datetime | None
    closed_at: datetime | None


class PaymentBatchListOut(PageOut):
    items: list[PaymentBatchOut]


class PaymentClaimOut(Schema):
    id: int
    reference: str
    member_name: str = Field(description="Masked.")
    org: OrgRef
    claim_type: ClaimType
    status: AidClaimStatus
    payout: Decimal | None


class PaymentBatchDetailOut(PaymentBatchOut):
    claims: list[PaymentClaimOut] = Field(
        description=(
            "Every claim until the bank's answer, then the paid ones (failed ones went back to the queue)."
        )
    )


def _batch(batch: PaymentBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "plan_id": batch.plan_id,
        "plan_name": str(batch.plan),
        "federation": batch.plan.org,
        "status": batch.status,
        "count": batch.count,
        "total": batch.total,
        "created_at": batch.created_at,
        "exported_at": batch.exported_at,
        "closed_at": batch.closed_at,
    }


def _claim(claim: AidClaim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "member_name": claim.member.masked_name,
        "org": claim.org,
        "claim_type": claim.claim_type,
        "status": claim.status,
        "payout": claim.payout,
    }


def _detail(user: Any, batch_id: int) -> dict[str, Any]:
    batch = selectors.visible_batch(user, batch_id)
    return {**_batch(batch), "claims": [_claim(claim) for claim in selectors.batch_claims(batch)]}


@router.get("", response=PaymentBatchListOut, summary="Payment batches in my scope, newest first")
def list_batches(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = selectors.batches_for(request_user(request)).order_by("-created_at", "-id")
    meta, items = page_of(rows, page)
    return {**meta, "items": [_batch(batch) for batch in items]}


@router.get("/{int:batch_id}", response=PaymentBatchDetailOut, summary="One payment batch with its claims")
def get_batch(request: HttpRequest, batch_id: PathId) -> dict[str, Any]:
    return _detail(request_user(request), batch_id)


class PaymentBatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    plan: Id = Field(description="Every approved claim of this plan goes into the batch.")


@router.post(
    "", response={201: PaymentBatchDetailOut}, summary="Make a payment batch of a plan's approved claims"
)
def create_batch(request: HttpRequest, payload: PaymentBatchIn) -> Status[dict[str, Any]]:
    """409 `conflict` when no claim of the plan is approved."""
    user = request_user(request)
    batch = services.create_payment_batch(payload.plan, actor=user)
    return Status(201, _detail(user, batch.pk))


CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The bank transfer file: CSV, UTF-8 with a byte order mark.",
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.post(
    "/{int:batch_id}/export",
    response={200: None},
    openapi_extra=CSV_RESPONSE,
    summary="Export the bank transfer file",
)
def export_batch(request: HttpRequest, batch_id: PathId) -> HttpResponse:
    """The batch becomes `exported`; exporting again gives the same file. 409 once closed."""
    user = request_user(request)
    batch = selectors.visible_batch(user, batch_id)
    content = services.export_payment_batch(batch, actor=user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{selectors.transfer_file_name(batch)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class FailedPaymentIn(Schema):
    claim: Id
    reason: CleanText = Field(max_length=MAX_REASON, description="The bank's reason.")


class MarkPaidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    failed: list[FailedPaymentIn] = Field(
        default_factory=list, max_length=10_000, description="The claims the bank could not pay."
    )


@router.post("/{int:batch_id}/mark-paid", response=PaymentBatchDetailOut, summary="Record the bank's answer")
def mark_paid(request: HttpRequest, batch_id: PathId, payload: MarkPaidIn) -> dict[str, Any]:
    """The failed claims go back to `approved` (the queue), the others are `paid`, the batch is
    closed. Needs the transfer file exported first (409 otherwise)."""
    user = request_user(request)
    batch = selectors.visible_batch(user, batch_id)
    services.mark_paid(
        batch,
        actor=user,
        failed_claim_ids=[item.claim for item in payload.failed],
        reasons={item.claim: item.reason for item in payload.failed},
    )
    return _detail(user, batch_id)
