"""REST API of the signed-in worker's own legal questions and aid applications (/api/v1/legal/me),
for any portal account (members or not): ask a question, read the answers, ask a follow-up;
apply for legal aid, follow it, write to the handlers, rate a concluded case (which closes it).
Everything is found by the caller's account, never by org: another worker's case is 404.

Refusals: 404 `not_found`; 409 `too_many_open`, `invalid_transition`, `closed`; 422 with the
fields. A refusal writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import PathId
from gonghui.core.errors import NotFound
from gonghui.legal.api.aid import AidOut, MessageIn, aid_out
from gonghui.legal.api.consultations import ConsultationOut, TextIn, consultation_out
from gonghui.legal.models import MAX_REASON, MAX_TEXT, LegalAid, LegalConsultation, Topic
from gonghui.legal.selectors import MINE_LIMIT, aid_of_applicant, consultations_of_asker
from gonghui.legal.services import aid as aid_services
from gonghui.legal.services import consultations as consultation_services

router = Router(tags=["legal"])


class MyConsultationsOut(Schema):
    items: list[ConsultationOut]


class MyAidOut(Schema):
    items: list[AidOut]


class QuestionIn(Schema):
    topic: Topic
    question: str = Field(max_length=MAX_TEXT * 2)
    mobile: str = Field("", max_length=20, description="Where to reach me; my account's number if empty.")


class ApplicationIn(Schema):
    matter_type: Topic
    description: str = Field(max_length=MAX_TEXT * 2)
    employer_name: str = Field(max_length=240)
    amount_at_stake: str = Field("", max_length=20)
    household_size: int | None = Field(None, ge=1, le=aid_services.MAX_HOUSEHOLD)
    household_monthly_income: str = Field("", max_length=20)
    applicant_mobile: str = Field("", max_length=20)


class RatingIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=MAX_REASON * 2)


def _my_consultation(request: HttpRequest, consultation_id: int) -> LegalConsultation:
    found = (
        consultations_of_asker(request_user(request))
        .prefetch_related("messages__lawyer")
        .filter(pk=consultation_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such consultation."))
    return found


def _my_aid(request: HttpRequest, aid_id: int) -> dict[str, Any]:
    found = (
        aid_of_applicant(request_user(request))
        .prefetch_related("documents", "messages", "history")
        .filter(pk=aid_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such legal aid application."))
    return _aid_out(request, found)


def _aid_out(request: HttpRequest, aid: LegalAid) -> dict[str, Any]:
    return aid_out(request_user(request), aid, contact=aid.applicant_mobile)


def _consultation_out(request: HttpRequest, consultation: LegalConsultation) -> dict[str, Any]:
    out = consultation_out(request_user(request), consultation)
    out["asker_mobile"] = consultation.asker_mobile  # the worker's own number
    return out


@router.get("/consultations", response=MyConsultationsOut, summary="My legal questions")
def my_consultations(request: HttpRequest) -> dict[str, Any]:
    rows = consultations_of_asker(request_user(request)).prefetch_related("messages__lawyer")[:MINE_LIMIT]
    return {"items": [_consultation_out(request, row) for row in rows]}


@router.post("/consultations", response={201: ConsultationOut}, summary="Ask a legal question")
def ask(request: HttpRequest, payload: QuestionIn) -> Status[dict[str, Any]]:
    consultation = consultation_services.ask_online(
        actor=request_user(request), topic=payload.topic, question=payload.question, mobile=payload.mobile
    )
    return Status(201, _consultation_out(request, _my_consultation(request, consultation.pk)))


@router.get("/consultations/{consultation_id}", response=ConsultationOut, summary="One of my questions")
def my_consultation(request: HttpRequest, consultation_id: PathId) -> dict[str, Any]:
    return _consultation_out(request, _my_consultation(request, consultation_id))


@router.post(
    "/consultations/{consultation_id}/messages", response={201: ConsultationOut}, summary="Ask a follow-up"
)
def follow_up(request: HttpRequest, consultation_id: PathId, payload: TextIn) -> Status[dict[str, Any]]:
    consultation_services.follow_up(consultation_id, actor=request_user(request), text=payload.text)
    return Status(201, _consultation_out(request, _my_consultation(request, consultation_id)))


@router.get("/aid", response=MyAidOut, summary="My legal aid applications")
def my_applications(request: HttpRequest) -> dict[str, Any]:
    rows = aid_of_applicant(request_user(request)).prefetch_related("documents", "messages", "history")
    return {"items": [_aid_out(request, row) for row in rows[:MINE_LIMIT]]}


@router.post("/aid", response={201: AidOut}, summary="Apply for legal aid")
def apply(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, Any]]:
    aid = aid_services.apply_online(
        actor=request_user(request),
        data=aid_services.AidInput(
            matter_type=payload.matter_type,
            description=payload.description,
            employer_name=payload.employer_name,
            amount_at_stake=payload.amount_at_stake,
            household_size=payload.household_size,
            household_monthly_income=payload.household_monthly_income,
            applicant_mobile=payload.applicant_mobile,
        ),
    )
    return Status(201, _my_aid(request, aid.pk))


@router.get("/aid/{aid_id}", response=AidOut, summary="One of my applications")
def my_application(request: HttpRequest, aid_id: PathId) -> dict[str, Any]:
    return _my_aid(request, aid_id)


@router.post("/aid/{aid_id}/messages", response={201: AidOut}, summary="Write to the handlers")
def write(request: HttpRequest, aid_id: PathId, payload: MessageIn) -> Status[dict[str, Any]]:
    _my_aid(request, aid_id)
    aid_services.post_message(aid_id, actor=request_user(request), text=payload.text)
    return Status(201, _my_aid(request, aid_id))


@router.post("/aid/{aid_id}/rating", response=AidOut, summary="Rate a concluded case (closes it)")
def rate(request: HttpRequest, aid_id: PathId, payload: RatingIn) -> dict[str, Any]:
    aid_services.rate_aid(aid_id, actor=request_user(request), rating=payload.rating, comment=payload.comment)
    return _my_aid(request, aid_id)
