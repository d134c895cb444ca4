"""REST API of the signed-in member's mutual aid (/api/v1/mutualaid/me): my coverage, my claims
with the payout explanation, submitting a claim, and the documents of my own claims.

Everything is found from the signed-in account (the memberships linked to it), never from an id
that could name another person: another person's claim answers 404 `not_found`, exactly like a
claim that does not exist. A double submission of the same invoices is refused by the
invoice-number uniqueness with 422 `duplicate_invoice`, naming the claim that holds them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, page_of
from gonghui.core.documents import MAX_DOCUMENT_BYTES
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanText
from gonghui.mutualaid.models import AidClaim, AidClaimAttachment
from gonghui.mutualaid.portal_views.claims import (
    FINAL_PAYOUT,
    NEXT_STEPS,
    OPEN_FOR_DOCUMENTS,
    STATUS_WORDS,
    document_response,
    member_history,
    too_large_message,
)
from gonghui.mutualaid.portal_views.coverage import get_my_claim, my_claims, my_coverage, open_enrolments
from gonghui.mutualaid.services import claims as claim_services

router = Router(tags=["mutualaid"])

Amount = Annotated[
    str,
    Field(max_length=30, description='Yuan as a string with at most 2 decimals, e.g. "1234.50".'),
]


# --- coverage --------------------------------------------------------------------------------------


class ClaimTypeCoverageOut(Schema):
    claim_type: str = Field(description="inpatient, chronic_outpatient, critical_illness or accident.")
    label: str
    rule_version: int = Field(description="The version in force today (or the first one to come).")
    in_force_from: date | None = Field(description="Set when no version is in force yet today.")
    summary: list[str] = Field(description="What the rule pays, in plain sentences.")
    deductible: Decimal
    per_claim_cap: Decimal
    per_year_cap: Decimal
    waiting_days: int
    covered_from: date = Field(description="The first day of treatment after the waiting period.")
    waiting_over: bool
    claims: int = Field(description="Claims of this type under the plan, not counting rejected ones.")
    paid: Decimal = Field(description="Paid to the member.")
    pending: Decimal = Field(description="Checked, approved or in payment: reserved under the year cap.")
    room_left: Decimal = Field(description="What is left of the yearly cap.")


class CoverageOut(Schema):
    plan_id: int
    plan_name: str
    plan_year: int
    federation: str = Field(description="The federation running the plan.")
    union: str = Field(description="The union that enrolled the member.")
    in_force: bool = Field(description="Claims can be submitted under the plan.")
    coverage_start: date
    coverage_end: date
    enrolled_on: date
    claim_types: list[ClaimTypeCoverageOut]


class CoverageListOut(Schema):
    items: list[CoverageOut] = Field(description="Plans in force first; empty when not enrolled.")


@router.get("/coverage", response=CoverageListOut, summary="My mutual aid coverage")
def get_my_coverage(request: HttpRequest) -> dict[str, Any]:
    items = []
    for coverage in my_coverage(request_user(request)):
        enrolment = coverage.enrolment
        plan = enrolment.plan
        items.append(
            {
                "plan_id": plan.pk,
                "plan_name": plan.name,
                "plan_year": plan.year,
                "federation": plan.org.name,
                "union": enrolment.org.name,
                "in_force": coverage.in_force,
                "coverage_start": plan.coverage_start,
                "coverage_end": plan.coverage_end,
                "enrolled_on": enrolment.enrolled_on,
                "claim_types": [
                    {
                        "claim_type": item.claim_type,
                        "label": item.label,
                        "rule_version": item.rule.version,
                        "in_force_from": item.in_force_from,
                        "summary": item.summary,
                        "deductible": item.rule.deductible,
                        "per_claim_cap": item.rule.per_claim_cap,
                        "per_year_cap": item.rule.per_year_cap,
                        "waiting_days": item.rule.waiting_days,
                        "covered_from": item.covered_from,
                        "waiting_over": item.waiting_over,
                        "claims": item.claims,
                        "paid": item.paid,
                        "pending": item.pending,
                        "room_left": item.room_left,
                    }
                    for item in coverage.types
                ],
            }
        )
    return {"items": items}


# --- claims ----------------------------------------------------------------------------------------


class MyClaimSummaryOut(Schema):
    id: int
    reference: str = Field(description="The number to quote, e.g. 2027-0000042.")
    plan_id: int
    claim_type: str
    hospital: str
    status: str = Field(
        description="entered, checked, second_review, approved, rejected, in_payment or paid."
    )
    status_words: str = Field(description="The status in plain words.")
    payout: Decimal | None = Field(description="Null until the claim is checked.")
    payout_final: bool = Field(description="False while the payout may still change (before approval).")
    submitted_at: datetime


class MyClaimListOut(PageOut):
    items: list[MyClaimSummaryOut]


class PayoutStepOut(Schema):
    label: str
    amount: Decimal = Field(description="The figure the step ends with (exact, before the final rounding).")


class MyLineOut(Schema):
    invoice_number: str
    description: str
    amount: Decimal
    excluded: Decimal = Field(description="The self-paid or not covered part.")
    accepted: bool
    reject_reason: str


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class HistoryStepOut(Schema):
    at: datetime
    words: str
    reason: str = Field(description="The reason given when the claim or some lines were not accepted.")


class MyClaimOut(MyClaimSummaryOut):
    plan_name: str
    diagnosis_category: str
    admitted_on: date | None
    discharged_on: date | None
    treated_on: date
    bank_account_name: str = Field(description="Masked.")
    bank_account_number: str = Field(description="Masked: only the last four digits.")
    decision_reason: str
    next_step: str
    rule_version: int | None = Field(description="The rule version the payout was worked out with.")
    payout_steps: list[PayoutStepOut]
    lines: list[MyLineOut]
    documents: list[DocumentOut]
    can_add_documents: bool
    history: list[HistoryStepOut]
    paid_at: datetime | None


def _summary(claim: AidClaim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "plan_id": claim.plan_id,
        "claim_type": claim.claim_type,
        "hospital": claim.hospital,
        "status": claim.status,
        "status_words": str(STATUS_WORDS[claim.status]),
        "payout": claim.payout,
        "payout_final": claim.status in FINAL_PAYOUT,
        "submitted_at": claim.created_at,
    }


def _document(document: AidClaimAttachment) -> dict[str, Any]:
    return {
        "id": document.pk,
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "uploaded_at": document.created_at,
    }


def _detail(claim: AidClaim) -> dict[str, Any]:
    return {
        **_summary(claim),
        "plan_name": claim.plan.name,
        "diagnosis_category": claim.diagnosis_category,
        "admitted_on": claim.admitted_on,
        "discharged_on": claim.discharged_on,
        "treated_on": claim.treated_on,
        "bank_account_name": claim.masked_account_name,
        "bank_account_number": claim.masked_account_number,
        "decision_reason": claim.decision_reason,
        "next_step": str(NEXT_STEPS[claim.status]),
        "rule_version": claim.rule.version if claim.rule is not None else None,
        "payout_steps": [
            {"label": step["label"], "amount": Decimal(step["amount"])} for step in claim.payout_steps
        ],
        "lines": [
            {
                "invoice_number": line.invoice_number,
                "description": line.description,
                "amount": line.amount,
                "excluded": line.excluded,
                "accepted": line.line_status != "rejected",
                "reject_reason": line.reject_reason,
            }
            for line in claim.lines.all()
        ],
        "documents": [_document(document) for document in claim.attachments.all()],
        "can_add_documents": claim.status in OPEN_FOR_DOCUMENTS,
        "history": [
            {"at": step.at, "words": step.words, "reason": step.reason} for step in member_history(claim)
        ],
        "paid_at": claim.paid_at,
    }


@router.get("/claims", response=MyClaimListOut, summary="My claims")
def list_my_claims(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, rows = page_of(my_claims(request_user(request)), page)
    return {**header, "items": [_summary(claim) for claim in rows]}


@router.get(
    "/claims/{claim_id}", response=MyClaimOut, summary="One of my claims, with the payout explanation"
)
def get_my_claim_detail(request: HttpRequest, claim_id: PathId) -> dict[str, Any]:
    return _detail(get_my_claim(request_user(request), claim_id))


class LineIn(Schema):
    invoice_number: CleanText = Field(max_length=60)
    amount: Amount
    excluded: Amount = Field("0.00", description="The self-paid or not covered part, in yuan.")
    description: CleanText = Field("", max_length=200)


class ClaimIn(Schema):
    plan_id: Id | None = Field(
        None,
        description="The plan to claim under; may be left out when enrolled in one plan in force.",
    )
    claim_type: str = Field(
        max_length=24, description="inpatient, chronic_outpatient, critical_illness or accident."
    )
    hospital: CleanText = Field(max_length=200)
    diagnosis_category: str = Field(max_length=20)
    admitted_on: date | None = Field(None, description="Inpatient only.")
    discharged_on: date | None = Field(None, description="Inpatient only.")
    treated_on: date | None = Field(None, description="The other claim types.")
    lines: list[LineIn] = Field(max_length=claim_services.MAX_LINES)
    bank_account_name: CleanText = Field(max_length=60)
    bank_account_number: CleanText = Field(max_length=40)


def _plan_id(request: HttpRequest, payload: ClaimIn) -> int:
    """The plan asked for, or the one plan in force the member is enrolled in."""
    if payload.plan_id is not None:
        return payload.plan_id
    plans = sorted({enrolment.plan_id for enrolment in open_enrolments(request_user(request))})
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise Conflict(
            _("You are not enrolled in a mutual aid plan in force: ask your union to enrol you first."),
            code="not_enrolled",
        )
    message = _("You are enrolled in more than one plan: say which one the claim is for.")
    raise ValidationFailed(message, fields={"plan_id": [message]})


@router.post("/claims", response={201: MyClaimOut}, summary="Submit a claim")
def submit_my_claim(request: HttpRequest, payload: ClaimIn) -> Status[dict[str, Any]]:
    """Status `entered`. Documents are added afterwards, one request per file."""
    user = request_user(request)
    claim = claim_services.submit_claim(
        _plan_id(request, payload),
        actor=user,
        claim_type=payload.claim_type,
        hospital=payload.hospital,
        diagnosis_category=payload.diagnosis_category,
        treated_on=payload.treated_on,
        admitted_on=payload.admitted_on,
        discharged_on=payload.discharged_on,
        lines=[
            claim_services.LineInput(
                invoice_number=line.invoice_number,
                amount=line.amount,
                excluded=line.excluded,
                description=line.description,
            )
            for line in payload.lines
        ],
        bank_account_name=payload.bank_account_name,
        bank_account_number=payload.bank_account_number,
    )
    return Status(201, _detail(get_my_claim(user, claim.pk)))


@router.post(
    "/claims/{claim_id}/documents", response={201: DocumentOut}, summary="Add a document to my claim"
)
def add_my_document(
    request: HttpRequest, claim_id: PathId, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """A photo (JPEG, PNG, WebP) or a PDF of at most 10 MB, while the claim is not decided."""
    user = request_user(request)
    claim = get_my_claim(user, claim_id)
    try:
        content = read_upload(file, max_bytes=MAX_DOCUMENT_BYTES)
    except FileTooLarge:
        message = too_large_message()
        raise ValidationFailed(message, fields={"file": [message]}) from None
    document = claim_services.add_claim_attachment(claim, actor=user, name=file.name or "", content=content)
    return Status(201, _document(document))


@router.get(
    "/claims/{claim_id}/documents/{document_id}",
    response={200: None},
    summary="Download a document of my claim",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file as uploaded.",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "image/webp": {"schema": {"type": "string", "format": "binary"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def download_my_document(request: HttpRequest, claim_id: PathId, document_id: PathId) -> HttpResponse:
    claim = get_my_claim(request_user(request), claim_id)
    document = claim.attachments.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("The document was not found."))
    return document_response(document)
