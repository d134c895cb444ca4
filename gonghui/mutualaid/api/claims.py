"""REST API of mutual aid claims for officers (/api/v1/mutualaid/claims): the queue with its
filters, one claim, an officer's submission for a member, the handler's actions (check, reject
lines, approve, second review, reject) and document uploads (multipart).

Everything is scoped: a claim outside the caller's unions answers 404, like a missing one. The
queue and a claim need `mutualaid.view`; the `medical` part of a claim (hospital, diagnosis,
dates, invoice lines, documents, payout explanation) is filled only for claim handlers of the
claim's union or above (`selectors.can_see_medical`) and is `null` for finance officers and
auditors. A step that does not follow from the claim's status answers 409 `invalid_transition`;
a second reviewer who checked or approved the claim gets 403 `forbidden`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.documents import MAX_DOCUMENT_BYTES
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanText
from gonghui.members.models import id_number_index
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import (
    MAX_HOSPITAL,
    MAX_INVOICE_NUMBER,
    MAX_REASON,
    AidClaim,
    AidClaimAction,
    AidClaimAttachment,
    AidClaimStatus,
    ClaimChannel,
    ClaimType,
    DiagnosisCategory,
    LineStatus,
)
from gonghui.mutualaid.payout import MAX_DESCRIPTION
from gonghui.mutualaid.services import claims as services
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

router = Router(tags=["mutualaid"])

# History steps whose comment is about the payment, not the illness (see views/claims.py).
PAYMENT_ACTIONS = frozenset(
    {AidClaimAction.ADD_TO_PAYMENT, AidClaimAction.MARK_PAID, AidClaimAction.PAYMENT_FAILED}
)


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class AidClaimQuery(Schema):
    status: AidClaimStatus | None = Field(None, description="Only claims in this status.")
    claim_type: ClaimType | None = None
    org: CleanText = Field("", max_length=32, description="Code of a union: its claims and those below it.")
    submitted_from: date | None = None
    submitted_to: date | None = None
    reference: CleanText = Field("", max_length=20, description="A claim reference such as 2027-0000042.")
    page: PageNumber = 1


class AidClaimBriefOut(Schema):
    id: int
    reference: str
    member_name: str = Field(description="Masked (王*明).")
    org: OrgRef = Field(description="The member's union when the claim was made.")
    plan_id: int
    plan_name: str
    claim_type: ClaimType
    status: AidClaimStatus
    channel: ClaimChannel
    payout: Decimal | None = Field(description="Known once the claim is checked.")
    submitted_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None
    payment_batch_id: int | None


class AidClaimListOut(PageOut):
    items: list[AidClaimBriefOut]
    counts: dict[str, int] = Field(description="Claims per status under the other filters.")


class AidRuleRef(Schema):
    id: int
    version: int
    effective_from: date


class AidLineOut(Schema):
    id: int
    position: int
    invoice_number: str
    description: str
    amount: Decimal
    excluded: Decimal
    line_status: LineStatus
    reject_reason: str


class AidAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class AidPayoutStepOut(Schema):
    label: str
    amount: Decimal


class AidMedicalOut(Schema):
    hospital: str
    diagnosis_category: DiagnosisCategory
    admitted_on: date | None
    discharged_on: date | None
    treated_on: date
    rule: AidRuleRef | None = Field(description="The rule version the payout was computed with.")
    payout_steps: list[AidPayoutStepOut]
    decision_reason: str
    lines: list[AidLineOut]
    attachments: list[AidAttachmentOut]


class AidHistoryOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    comment: str = Field(description="Empty for viewers without the medical details, except for payments.")
    at: datetime


class AidClaimOut(AidClaimBriefOut):
    bank_account_name: str = Field(description="Masked.")
    bank_account_number: str = Field(description="Masked: the last four digits.")
    second_review: bool
    medical: AidMedicalOut | None = Field(
        description="Only for claim handlers of the claim's union or above, and the member."
    )
    actions: list[str] = Field(description="The workflow actions the caller may take now.")
    history: list[AidHistoryOut]


def _brief(claim: AidClaim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "member_name": claim.member.masked_name,
        "org": claim.org,
        "plan_id": claim.plan_id,
        "plan_name": str(claim.plan),
        "claim_type": claim.claim_type,
        "status": claim.status,
        "channel": claim.channel,
        "payout": claim.payout,
        "submitted_at": claim.created_at,
        "decided_at": claim.decided_at,
        "paid_at": claim.paid_at,
        "payment_batch_id": claim.payment_batch_id,
    }


def _attachment(document: AidClaimAttachment) -> dict[str, Any]:
    return {
        "id": document.pk,
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "uploaded_at": document.created_at,
    }


def _medical(claim: AidClaim) -> dict[str, Any]:
    rule = claim.rule
    return {
        "hospital": claim.hospital,
        "diagnosis_category": claim.diagnosis_category,
        "admitted_on": claim.admitted_on,
        "discharged_on": claim.discharged_on,
        "treated_on": claim.treated_on,
        "rule": None
        if rule is None
        else {"id": rule.pk, "version": rule.version, "effective_from": rule.effective_from},
        "payout_steps": claim.payout_steps,
        "decision_reason": claim.decision_reason,
        "lines": selectors.claim_lines(claim),
        "attachments": [_attachment(document) for document in selectors.claim_attachments(claim)],
    }


def _detail(user: Any, claim: AidClaim) -> dict[str, Any]:
    medical = selectors.can_see_medical(user, claim)
    history = [
        {
            "action": entry.action,
            "from_status": entry.from_status,
            "to_status": entry.to_status,
            "actor": "" if entry.actor is None else (entry.actor.display_name or entry.actor.get_username()),
            "comment": entry.comment if medical or entry.action in PAYMENT_ACTIONS else "",
            "at": entry.created_at,
        }
        for entry in selectors.claim_history(claim)
    ]
    return {
        **_brief(claim),
        "bank_account_name": claim.masked_account_name,
        "bank_account_number": claim.masked_account_number,
        "second_review": claim.second_review,
        "medical": _medical(claim) if medical else None,
        "actions": sorted(selectors.permitted_actions(user, claim)),
        "history": history,
    }


def _fresh(user: Any, claim_id: int) -> dict[str, Any]:
    return _detail(user, selectors.visible_claim(user, claim_id))


# --------------------------------------------------------------------------------------------
# The queue and one claim
# --------------------------------------------------------------------------------------------


@router.get("", response=AidClaimListOut, summary="Mutual aid claims in my scope")
def list_claims(request: HttpRequest, filters: Query[AidClaimQuery]) -> dict[str, Any]:
    """Claims still to be worked on (entered, checked, in second review, approved) oldest first;
    the others newest first. `counts` gives the claims per status under the other filters."""
    user = request_user(request)
    org: Org | None = None
    if filters.org:
        org = visible(Org, user, Perm.MUTUALAID_VIEW).filter(code=filters.org).first()
        if org is None:
            message = _("There is no union with this code in your scope.")
            raise ValidationFailed(message, fields={"org": [message]})
    if filters.submitted_from and filters.submitted_to and filters.submitted_to < filters.submitted_from:
        message = _("The end of the period cannot be before its start.")
        raise ValidationFailed(message, fields={"submitted_to": [message]})
    if filters.reference and selectors.parse_reference(filters.reference) is None:
        message = _("A claim reference looks like 2027-0000042.")
        raise ValidationFailed(message, fields={"reference": [message]})
    status = filters.status.value if filters.status else ""
    claim_filter = selectors.ClaimFilter(
        status=status,
        claim_type=filters.claim_type.value if filters.claim_type else "",
        org=org,
        submitted_from=filters.submitted_from,
        submitted_to=filters.submitted_to,
        reference=filters.reference,
    )
    scoped = selectors.claims_for(user)
    counts = selectors.status_counts(selectors.filtered_claims(scoped, claim_filter, with_status=False))
    rows = selectors.queue_order(selectors.filtered_claims(scoped, claim_filter), status)
    meta, items = page_of(rows, filters.page)
    return {**meta, "items": [_brief(claim) for claim in items], "counts": counts}


@router.get("/{int:claim_id}", response=AidClaimOut, summary="One mutual aid claim")
def get_claim(request: HttpRequest, claim_id: PathId) -> dict[str, Any]:
    return _fresh(request_user(request), claim_id)


# --------------------------------------------------------------------------------------------
# An officer submits for a member
# --------------------------------------------------------------------------------------------


class AidLineIn(Schema):
    invoice_number: CleanText = Field(max_length=MAX_INVOICE_NUMBER + 20)
    amount: Decimal = Field(description="Yuan, at most 2 decimals.")
    excluded: Decimal = Field(Decimal("0.00"), description="The self-paid or not covered part.")
    description: CleanText = Field("", max_length=MAX_DESCRIPTION)


class AidClaimIn(Schema):
    model_config = ConfigDict(extra="forbid")

    plan: Id
    member: Id | None = Field(None, description="The member's id; or give `id_number`.")
    id_number: str | None = Field(
        None, max_length=24, description="The member's ID number, instead of `member`."
    )
    claim_type: ClaimType
    hospital: CleanText = Field(max_length=MAX_HOSPITAL)
    diagnosis_category: DiagnosisCategory
    admitted_on: date | None = Field(None, description="Inpatient: the admission day.")
    discharged_on: date | None = Field(None, description="Inpatient: the discharge day.")
    treated_on: date | None = Field(None, description="The other claim types: the day of treatment.")
    lines: list[AidLineIn] = Field(max_length=services.MAX_LINES)
    bank_account_name: CleanText = Field(max_length=60)
    bank_account_number: str = Field(max_length=40)


def _member_id(user: Any, payload: AidClaimIn) -> int:
    if (payload.member is None) == (payload.id_number is None):
        message = _("Give the member's id or their ID number, not both.")
        raise ValidationFailed(message, fields={"member": [message]})
    if payload.member is not None:
        return payload.member
    try:
        number = parse_id_number(payload.id_number or "")
    except InvalidIdNumber as exc:
        raise ValidationFailed(exc.message, fields={"id_number": [exc.message]}) from None
    member = selectors.member_for_entry(user, id_number_index(number.value))
    if member is None:
        raise NotFound(_("The member was not found."))
    return member.pk


@router.post("", response={201: AidClaimOut}, summary="Submit a claim for a member")
def submit_claim(request: HttpRequest, payload: AidClaimIn) -> Status[dict[str, Any]]:
    """For claim handlers of the member's union or above (e.g. a claim handed in on paper). The
    member is found by id or ID number within the caller's scope (404 otherwise)."""
    user = request_user(request)
    claim = services.submit_claim(
        payload.plan,
        actor=user,
        member=_member_id(user, payload),
        claim_type=payload.claim_type.value,
        hospital=payload.hospital,
        diagnosis_category=payload.diagnosis_category.value,
        treated_on=payload.treated_on,
        admitted_on=payload.admitted_on,
        discharged_on=payload.discharged_on,
        lines=[
            services.LineInput(
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
    return Status(201, _fresh(user, claim.pk))


# --------------------------------------------------------------------------------------------
# The handler's actions
# --------------------------------------------------------------------------------------------


@router.post("/{int:claim_id}/check", response=AidClaimOut, summary="Check a claim and compute its payout")
def check_claim(request: HttpRequest, claim_id: PathId) -> dict[str, Any]:
    user = request_user(request)
    services.check_claim(selectors.visible_claim(user, claim_id), actor=user)
    return _fresh(user, claim_id)


class AidLineRejectionIn(Schema):
    line: Id = Field(description="The id of an invoice line of the claim.")
    reason: CleanText = Field(max_length=MAX_REASON)


class AidRejectLinesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lines: list[AidLineRejectionIn] = Field(max_length=services.MAX_LINES)


@router.post(
    "/{int:claim_id}/reject-lines", response=AidClaimOut, summary="Reject invoice lines of a checked claim"
)
def reject_lines(request: HttpRequest, claim_id: PathId, payload: AidRejectLinesIn) -> dict[str, Any]:
    """Each line with its reason (the member reads it); the payout is computed again."""
    user = request_user(request)
    claim = selectors.visible_claim(user, claim_id)
    services.reject_lines(claim, actor=user, reasons={item.line: item.reason for item in payload.lines})
    return _fresh(user, claim_id)


@router.post("/{int:claim_id}/approve", response=AidClaimOut, summary="Approve a checked claim")
def approve_claim(request: HttpRequest, claim_id: PathId) -> dict[str, Any]:
    """The plan's share of approvals goes to `second_review` instead of `approved`."""
    user = request_user(request)
    services.approve_claim(selectors.visible_claim(user, claim_id), actor=user)
    return _fresh(user, claim_id)


class AidSecondReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "reject"]
    reason: CleanText = Field("", max_length=MAX_REASON, description="Required to reject.")


@router.post("/{int:claim_id}/second-review", response=AidClaimOut, summary="Decide in second review")
def second_review(request: HttpRequest, claim_id: PathId, payload: AidSecondReviewIn) -> dict[str, Any]:
    """By a handler who neither checked nor approved the claim."""
    user = request_user(request)
    services.second_review_claim(
        selectors.visible_claim(user, claim_id),
        actor=user,
        approve=payload.decision == "confirm",
        reason=payload.reason,
    )
    return _fresh(user, claim_id)


class AidRejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(max_length=MAX_REASON, description="The member reads it.")


@router.post("/{int:claim_id}/reject", response=AidClaimOut, summary="Reject a claim")
def reject_claim(request: HttpRequest, claim_id: PathId, payload: AidRejectIn) -> dict[str, Any]:
    user = request_user(request)
    services.reject_claim(selectors.visible_claim(user, claim_id), actor=user, reason=payload.reason)
    return _fresh(user, claim_id)


@router.post(
    "/{int:claim_id}/attachments",
    response={201: AidAttachmentOut},
    summary="Upload a document (multipart, field `file`)",
)
def add_attachment(
    request: HttpRequest, claim_id: PathId, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """A photo (JPEG, PNG, WebP) or a PDF of at most 10 MB, for a claim not yet decided; by claim
    handlers of the member's union or above."""
    user = request_user(request)
    claim = selectors.visible_claim(user, claim_id)
    try:
        content = read_upload(file, max_bytes=MAX_DOCUMENT_BYTES)
    except FileTooLarge:
        message = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
            "size": MAX_DOCUMENT_BYTES // 2**20
        }
        raise ValidationFailed(message, fields={"file": [message]}) from None
    document = services.add_claim_attachment(claim, actor=user, name=file.name or "", content=content)
    return Status(201, _attachment(document))
