"""REST API of legal consultations for officers (/api/v1/legal/consultations).

Reading needs rights.view on the consultation's union or above; logging, answering and
referring need rights.handle. The worker's mobile number is masked unless the caller handles
the consultation. Out-of-scope consultations are 404, exactly like missing ones. Errors are
`{code, message, fields}`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.legal.models import MAX_TEXT, Author, Channel, ConsultationStatus, LegalConsultation, Topic
from gonghui.legal.selectors import contact_for, officer_consultations
from gonghui.legal.services import consultations as services
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["legal"])


class ConsultationMessageOut(Schema):
    id: int
    author: Author
    lawyer: str = Field(description="The lawyer's name when a lawyer wrote it.")
    text: str
    created_at: datetime


class ConsultationOut(Schema):
    id: int
    reference: str
    org_id: int
    org: str
    channel: Channel
    topic: Topic
    question: str
    asker_name: str
    asker_mobile: str = Field(description="Masked unless the caller handles the consultation.")
    asked_on: date
    answer_due: date
    status: ConsultationStatus
    lawyer_id: int | None
    messages: list[ConsultationMessageOut]


class ConsultationListOut(PageOut):
    items: list[ConsultationOut]


class ConsultationQuery(Schema):
    queue: Literal["awaiting", "overdue"] | None = None
    topic: Topic | None = None
    channel: Channel | None = None
    start: date | None = None
    end: date | None = None


class ConsultationIn(Schema):
    org: str = Field(max_length=32, description="Code of the union.")
    channel: Literal["walk_in", "hotline", "outreach"]
    topic: Topic
    question: str = Field(max_length=MAX_TEXT * 2)
    asker_name: CleanText = Field("", max_length=120)
    asker_mobile: str = Field("", max_length=20)
    answer: str = Field("", max_length=MAX_TEXT * 2)
    asked_on: date | None = None
    lawyer_id: Id | None = None


class TextIn(Schema):
    text: str = Field(max_length=MAX_TEXT * 2)


class ReferIn(Schema):
    lawyer_id: Id | None = Field(None, description="null: take the referral back.")


def consultation_out(user: Any, consultation: LegalConsultation) -> dict[str, Any]:
    return {
        "id": consultation.pk,
        "reference": consultation.reference,
        "org_id": consultation.org_id,
        "org": consultation.org.name,
        "channel": consultation.channel,
        "topic": consultation.topic,
        "question": consultation.question,
        "asker_name": consultation.asker_name,
        "asker_mobile": contact_for(user, consultation),
        "asked_on": consultation.asked_on,
        "answer_due": consultation.answer_due,
        "status": consultation.status,
        "lawyer_id": consultation.lawyer_id,
        "messages": [
            {
                "id": message.pk,
                "author": message.author,
                "lawyer": message.lawyer.name if message.lawyer else "",
                "text": message.text,
                "created_at": message.created_at,
            }
            for message in consultation.messages.all()
        ],
    }


def _rows(request: HttpRequest) -> Any:
    return officer_consultations(request_user(request)).prefetch_related("messages__lawyer")


def _one(request: HttpRequest, consultation_id: int) -> dict[str, Any]:
    user = request_user(request)
    return consultation_out(user, get_visible(_rows(request), user, Perm.RIGHTS_VIEW, pk=consultation_id))


@router.get("", response=ConsultationListOut, summary="Consultations in my scope")
def consultation_list(
    request: HttpRequest, query: Query[ConsultationQuery], page: PageNumber = 1
) -> dict[str, Any]:
    rows = _rows(request)
    if query.queue is not None:
        rows = rows.filter(status=ConsultationStatus.AWAITING).order_by("answer_due", "id")
        if query.queue == "overdue":
            rows = rows.filter(answer_due__lt=timezone.localdate())
    if query.topic:
        rows = rows.filter(topic=query.topic)
    if query.channel:
        rows = rows.filter(channel=query.channel)
    if query.start:
        rows = rows.filter(asked_on__gte=query.start)
    if query.end:
        rows = rows.filter(asked_on__lte=query.end)
    header, items = page_of(rows, page)
    user = request_user(request)
    return {**header, "items": [consultation_out(user, item) for item in items]}


@router.post(
    "", response={201: ConsultationOut}, summary="Record a consultation (walk-in, hotline, outreach)"
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = org_in_scope(user, Perm.RIGHTS_HANDLE, payload.org)
    consultation = services.log_consultation(
        actor=user,
        data=services.LogInput(
            org_id=org.pk,
            channel=payload.channel,
            topic=payload.topic,
            question=payload.question,
            asker_name=payload.asker_name,
            asker_mobile=payload.asker_mobile,
            answer=payload.answer,
            asked_on=payload.asked_on,
            lawyer_id=payload.lawyer_id,
        ),
    )
    return Status(201, _one(request, consultation.pk))


@router.get("/{consultation_id}", response=ConsultationOut, summary="One consultation with its thread")
def consultation_detail(request: HttpRequest, consultation_id: PathId) -> dict[str, Any]:
    return _one(request, consultation_id)


@router.post("/{consultation_id}/answer", response=ConsultationOut, summary="Answer a consultation")
def consultation_answer(request: HttpRequest, consultation_id: PathId, payload: TextIn) -> dict[str, Any]:
    _one(request, consultation_id)
    services.answer_consultation(consultation_id, actor=request_user(request), text=payload.text)
    return _one(request, consultation_id)


@router.post("/{consultation_id}/refer", response=ConsultationOut, summary="Refer to a volunteer lawyer")
def consultation_refer(request: HttpRequest, consultation_id: PathId, payload: ReferIn) -> dict[str, Any]:
    services.refer_to_lawyer(consultation_id, actor=request_user(request), lawyer_id=payload.lawyer_id)
    return _one(request, consultation_id)
