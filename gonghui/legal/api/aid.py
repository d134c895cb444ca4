"""REST API of legal aid for officers (/api/v1/legal/aid).

Reading needs rights.view on the application's union or above; entering an application, the
steps of the workflow (`POST /{id}/steps` with an action), messages, giving the case to another
lawyer (`/reassign`) and correcting the facts eligibility rests on (`/eligibility`, before the
decision only: 409 `decided` after it) need rights.handle. The
applicant's mobile number is masked unless the caller handles the case. Out-of-scope
applications are 404, exactly like missing ones; a step the status does not allow is 409
`invalid_transition`. Errors are `{code, message, fields}`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.legal.models import (
    MAX_REASON,
    MAX_TEXT,
    OPEN_AID_STATUSES,
    AidAction,
    AidChannel,
    AidStatus,
    Author,
    LegalAid,
    Outcome,
    Topic,
)
from gonghui.legal.selectors import contact_for, officer_aid
from gonghui.legal.services import aid as services
from gonghui.legal.services.eligibility import eligibility_reasons
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["legal"])


class EligibilityOut(Schema):
    eligible: bool
    as_member: bool
    by_hardship_file: bool
    by_income: bool
    per_capita_income: Decimal | None
    threshold: Decimal | None
    reasons: list[str]


class AidMessageOut(Schema):
    id: int
    author: Author
    text: str
    created_at: datetime


class HistoryOut(Schema):
    from_status: AidStatus | Literal[""]
    to_status: AidStatus
    comment: str
    created_at: datetime


class AidOut(Schema):
    id: int
    reference: str
    org_id: int
    org: str
    channel: AidChannel
    status: AidStatus
    applicant_name: str
    applicant_mobile: str = Field(description="Masked unless the caller handles the case or is its lawyer.")
    member_id: int | None
    matter_type: Topic
    description: str
    employer_id: int | None
    employer_name: str
    amount_at_stake: Decimal | None
    submitted_on: date
    review_due: date
    eligibility: EligibilityOut
    reject_reason: str
    lawyer_id: int | None
    outcome: Outcome | Literal[""]
    amount_recovered: Decimal | None
    summary: str
    concluded_on: date | None
    rating: int | None
    rating_comment: str
    documents: list[str] = Field(description="File names.")
    messages: list[AidMessageOut]
    history: list[HistoryOut]


class AidListOut(PageOut):
    items: list[AidOut]


class AidQuery(Schema):
    status: AidStatus | None = None
    matter_type: Topic | None = None
    overdue: bool = False


class AidIn(Schema):
    org: str = Field(max_length=32, description="Code of the union.")
    member_id: Id | None = None
    applicant_name: CleanText = Field(max_length=120)
    applicant_mobile: str = Field("", max_length=20)
    matter_type: Topic
    description: str = Field(max_length=MAX_TEXT * 2)
    employer_id: Id | None = None
    employer_name: CleanText = Field(max_length=240)
    amount_at_stake: str = Field("", max_length=20, description='Yuan, e.g. "12000.00".')
    household_size: int | None = Field(None, ge=1, le=services.MAX_HOUSEHOLD)
    household_monthly_income: str = Field("", max_length=20)


class StepIn(Schema):
    action: Literal["review", "approve", "reject", "assign", "start", "conclude", "close"]
    comment: str = Field("", max_length=MAX_REASON * 2)
    reason: str = Field("", max_length=MAX_REASON * 2, description="reject: required.")
    lawyer_id: Id | None = Field(None, description="assign: required.")
    outcome: Outcome | None = Field(None, description="conclude: required.")
    amount_recovered: str = Field("", max_length=20, description="conclude: required, yuan.")
    summary: str = Field("", max_length=MAX_TEXT * 2, description="conclude: required.")


class MessageIn(Schema):
    text: str = Field(max_length=MAX_TEXT * 2)


class ReassignIn(Schema):
    lawyer_id: Id = Field(description="The active lawyer who takes the case over.")
    reason: str = Field(max_length=MAX_REASON * 2)


class FactsIn(Schema):
    household_size: int | None = Field(None, ge=1, le=services.MAX_HOUSEHOLD)
    household_monthly_income: str = Field("", max_length=20, description="Yuan; with household_size.")
    member_id: Id | None = Field(None, description="Link the applicant's membership; null keeps the link.")
    comment: str = Field("", max_length=MAX_REASON * 2)


def aid_out(user: Any, aid: LegalAid, *, contact: str | None = None) -> dict[str, Any]:
    return {
        "id": aid.pk,
        "reference": aid.reference,
        "org_id": aid.org_id,
        "org": aid.org.name,
        "channel": aid.channel,
        "status": aid.status,
        "applicant_name": aid.applicant_name,
        "applicant_mobile": contact if contact is not None else contact_for(user, aid),
        "member_id": aid.member_id,
        "matter_type": aid.matter_type,
        "description": aid.description,
        "employer_id": aid.employer_id,
        "employer_name": aid.employer_name,
        "amount_at_stake": aid.amount_at_stake,
        "submitted_on": aid.submitted_on,
        "review_due": aid.review_due,
        "eligibility": {
            "eligible": aid.is_eligible,
            "as_member": aid.eligible_as_member,
            "by_hardship_file": aid.eligible_by_hardship_file,
            "by_income": aid.eligible_by_income,
            "per_capita_income": aid.per_capita_income,
            "threshold": aid.threshold,
            "reasons": eligibility_reasons(
                is_eligible=aid.is_eligible,
                as_member=aid.eligible_as_member,
                by_hardship_file=aid.eligible_by_hardship_file,
                by_income=aid.eligible_by_income,
                per_capita_income=aid.per_capita_income,
                threshold=aid.threshold,
            ),
        },
        "reject_reason": aid.reject_reason,
        "lawyer_id": aid.lawyer_id,
        "outcome": aid.outcome,
        "amount_recovered": aid.amount_recovered,
        "summary": aid.summary,
        "concluded_on": aid.concluded_on,
        "rating": aid.rating,
        "rating_comment": aid.rating_comment,
        "documents": [document.original_name for document in aid.documents.all()],
        "messages": [
            {"id": m.pk, "author": m.author, "text": m.text, "created_at": m.created_at}
            for m in aid.messages.all()
        ],
        "history": [
            {
                "from_status": h.from_status,
                "to_status": h.to_status,
                "comment": h.comment,
                "created_at": h.created_at,
            }
            for h in aid.history.all()
        ],
    }


def _rows(request: HttpRequest) -> Any:
    return officer_aid(request_user(request)).prefetch_related("documents", "messages", "history")


def _one(request: HttpRequest, aid_id: int) -> dict[str, Any]:
    user = request_user(request)
    return aid_out(user, get_visible(_rows(request), user, Perm.RIGHTS_VIEW, pk=aid_id))


@router.get("", response=AidListOut, summary="Legal aid applications in my scope")
def aid_list(request: HttpRequest, query: Query[AidQuery], page: PageNumber = 1) -> dict[str, Any]:
    rows = _rows(request)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.matter_type:
        rows = rows.filter(matter_type=query.matter_type)
    if query.overdue:
        rows = rows.filter(status__in=OPEN_AID_STATUSES, review_due__lt=timezone.localdate())
    header, items = page_of(rows, page)
    user = request_user(request)
    return {**header, "items": [aid_out(user, item) for item in items]}


@router.post("", response={201: AidOut}, summary="Record an application made at the desk")
def aid_create(request: HttpRequest, payload: AidIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = org_in_scope(user, Perm.RIGHTS_HANDLE, payload.org)
    aid = services.enter_application(
        actor=user,
        org_id=org.pk,
        member_id=payload.member_id,
        data=services.AidInput(
            matter_type=payload.matter_type,
            description=payload.description,
            employer_name=payload.employer_name,
            amount_at_stake=payload.amount_at_stake,
            household_size=payload.household_size,
            household_monthly_income=payload.household_monthly_income,
            employer_id=payload.employer_id,
            applicant_name=payload.applicant_name,
            applicant_mobile=payload.applicant_mobile,
        ),
    )
    return Status(201, _one(request, aid.pk))


@router.get(
    "/{aid_id}", response=AidOut, summary="One application with its eligibility, messages and history"
)
def aid_detail(request: HttpRequest, aid_id: PathId) -> dict[str, Any]:
    return _one(request, aid_id)


@router.post("/{aid_id}/steps", response=AidOut, summary="Take a step of the workflow")
def aid_step(request: HttpRequest, aid_id: PathId, payload: StepIn) -> dict[str, Any]:
    _one(request, aid_id)
    services.take_step(
        aid_id,
        AidAction(payload.action),
        actor=request_user(request),
        data=services.StepInput(
            comment=payload.comment,
            reason=payload.reason,
            lawyer_id=payload.lawyer_id,
            outcome=payload.outcome or "",
            amount_recovered=payload.amount_recovered,
            summary=payload.summary,
        ),
    )
    return _one(request, aid_id)


@router.post("/{aid_id}/messages", response={201: AidOut}, summary="Write to the applicant")
def aid_message(request: HttpRequest, aid_id: PathId, payload: MessageIn) -> Status[dict[str, Any]]:
    _one(request, aid_id)
    services.post_message(aid_id, actor=request_user(request), text=payload.text)
    return Status(201, _one(request, aid_id))


@router.post("/{aid_id}/reassign", response=AidOut, summary="Give the case to another lawyer")
def aid_reassign(request: HttpRequest, aid_id: PathId, payload: ReassignIn) -> dict[str, Any]:
    _one(request, aid_id)
    services.reassign_lawyer(
        aid_id, actor=request_user(request), lawyer_id=payload.lawyer_id, reason=payload.reason
    )
    return _one(request, aid_id)


@router.post(
    "/{aid_id}/eligibility",
    response=AidOut,
    summary="Correct the facts eligibility rests on (before the decision) and check it again",
)
def aid_recheck(request: HttpRequest, aid_id: PathId, payload: FactsIn) -> dict[str, Any]:
    _one(request, aid_id)
    services.recheck_eligibility(
        aid_id,
        actor=request_user(request),
        data=services.FactsInput(
            household_size=payload.household_size,
            household_monthly_income=payload.household_monthly_income,
            member_id=payload.member_id,
            comment=payload.comment,
        ),
    )
    return _one(request, aid_id)
