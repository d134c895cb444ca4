"""REST API of mutual aid enrolment batches, mounted at /api/v1/mutualaid/enrolment-batches.

A batch is visible to the officers of the union that enrolled it (MEMBER_CHANGE there or above:
they record its payment) and to the scheme's staff (MUTUALAID_VIEW there or above); anyone else
gets 404, as for a missing batch. Creating one enrols members of a union (MEMBER_CHANGE on it) in
an open plan run by a federation above it: every active member not yet enrolled, or the given
`member_ids`. Enrolment runs in the request (50,000 members take about 2.6 s). Amounts are
decimal strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.accounts.models import User
from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound
from gonghui.core.inputs import CleanText
from gonghui.mutualaid.models import MAX_REFERENCE, EnrolmentBatch
from gonghui.mutualaid.services.enrolment import enrol_members, record_batch_payment
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

router = Router(tags=["mutualaid"])

# One request enrols at most this many chosen members; "all members" has no such limit.
MAX_MEMBER_IDS = 50_000


class PlanRef(Schema):
    id: int
    year: int
    name: str
    org: OrgRef


class BatchOut(Schema):
    id: int
    plan: PlanRef
    org: OrgRef = Field(description="The union that enrolled the members and owes the contribution.")
    count: int
    total_contribution: Decimal
    paid: bool
    paid_on: date | None
    amount_paid: Decimal | None
    payment_reference: str
    created_at: datetime


class CreatedBatchOut(BatchOut):
    enrolled: int
    skipped: int = Field(description="People already enrolled in the plan, left as they were.")


class BatchPage(PageOut):
    items: list[BatchOut]


class BatchQuery(Schema):
    plan: Id | None = Field(None, description="Only batches of this plan.")
    org: Id | None = Field(None, description="Only batches of this union.")
    paid: bool | None = Field(None, description="true: paid batches only; false: unpaid only.")
    page: PageNumber = 1


class BatchIn(Schema):
    plan: Id = Field(description="An open plan run by a federation above the union (or by it).")
    org: Id = Field(description="The union whose members are enrolled (MEMBER_CHANGE there).")
    member_ids: list[Id] | None = Field(
        None,
        max_length=MAX_MEMBER_IDS,
        description="Active members of the union's subtree; null: every active member not yet enrolled.",
    )


class PaymentIn(Schema):
    amount: Annotated[str, Field(max_length=24, description='Exactly the batch total, e.g. "1200.00".')]
    reference: Annotated[CleanText, Field(max_length=MAX_REFERENCE)]
    paid_on: date = Field(description="Not in the future.")


def _org_ref(org: Org) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _out(batch: EnrolmentBatch) -> dict[str, Any]:
    plan = batch.plan
    return {
        "id": batch.pk,
        "plan": {"id": plan.pk, "year": plan.year, "name": plan.name, "org": _org_ref(plan.org)},
        "org": _org_ref(batch.org),
        "count": batch.count,
        "total_contribution": batch.total_contribution,
        "paid": batch.is_paid,
        "paid_on": batch.paid_on,
        "amount_paid": batch.amount_paid,
        "payment_reference": batch.payment_reference,
        "created_at": batch.created_at,
    }


def _batches(user: User) -> QuerySet[EnrolmentBatch]:
    scoped = visible(EnrolmentBatch, user, Perm.MEMBER_CHANGE) | visible(
        EnrolmentBatch, user, Perm.MUTUALAID_VIEW
    )
    return scoped.select_related("plan", "plan__org", "org")


def _batch(user: User, pk: int) -> EnrolmentBatch:
    batch = _batches(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@router.get("", response=BatchPage, summary="Enrolment batches in the caller's scope, newest first")
def list_batches(request: HttpRequest, query: Query[BatchQuery]) -> dict[str, Any]:
    rows = _batches(request_user(request))
    if query.plan is not None:
        rows = rows.filter(plan_id=query.plan)
    if query.org is not None:
        rows = rows.filter(org_id=query.org)
    if query.paid is not None:
        rows = rows.filter(paid_on__isnull=not query.paid)
    meta, items = page_of(rows.order_by("-created_at", "-id"), query.page)
    return {**meta, "items": [_out(batch) for batch in items]}


@router.post(
    "",
    response={201: CreatedBatchOut},
    summary="Enrol members of a union in a plan",
    openapi_extra={
        "responses": {
            "404": {"description": "`not_found`: no such union or plan for the caller, or not run above it."},
            "409": {"description": "`conflict`: the plan is not in force, or nobody is left to enrol."},
            "422": {"description": "`validation_error`: `member_ids` not active members of the union."},
        }
    },
)
def create_batch(request: HttpRequest, payload: BatchIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = Org.objects.filter(pk=payload.org).first()
    if org is None:
        raise NotFound(_("The organisation was not found."))
    result = enrol_members(payload.plan, actor=user, org=org, member_ids=payload.member_ids)
    batch = EnrolmentBatch.objects.select_related("plan", "plan__org", "org").get(pk=result.batch.pk)
    return Status(201, {**_out(batch), "enrolled": result.enrolled, "skipped": result.skipped})


@router.get("/{int:batch_id}", response=BatchOut, summary="One enrolment batch")
def get_batch(request: HttpRequest, batch_id: PathId) -> dict[str, Any]:
    return _out(_batch(request_user(request), batch_id))


@router.post(
    "/{int:batch_id}/payment",
    response=BatchOut,
    summary="Record the union's payment of a batch",
    openapi_extra={
        "responses": {
            "403": {"description": "`forbidden`: the caller may see the batch but not its union's registry."},
            "409": {"description": "`conflict`: the payment was already recorded."},
            "422": {
                "description": "`validation_error`: `amount` not the batch total, `paid_on` in the future."
            },
        }
    },
)
def record_payment(request: HttpRequest, batch_id: PathId, payload: PaymentIn) -> dict[str, Any]:
    """Once per batch, for exactly the batch's contribution due (MEMBER_CHANGE on its union)."""
    user = request_user(request)
    batch = record_batch_payment(
        _batch(user, batch_id),
        actor=user,
        amount=payload.amount,
        reference=payload.reference,
        paid_on=payload.paid_on,
    )
    return _out(_batch(user, batch.pk))
