"""REST API of the volunteer lawyer's desk (/api/v1/legal/desk), the console desk's twin: the
consultations and legal aid cases assigned to me, answering a consultation, and on my aid cases
starting the work, recording the outcome and writing to the applicant.

Everything is found through the caller's Lawyer row (`selectors.lawyer_of`), never by org: an
account that is no active lawyer, and a lawyer asking for a case not assigned to them, get 404
`not_found`, as for a missing case. The applicant's mobile number is shown in full (the lawyer
works the case). Errors are `{code, message, fields}`; a step the status does not allow is 409
`invalid_transition`.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound
from gonghui.legal.api.aid import AidOut, MessageIn, aid_out
from gonghui.legal.api.consultations import ConsultationOut, TextIn, consultation_out
from gonghui.legal.models import MAX_REASON, MAX_TEXT, AidAction, Lawyer, LegalAid, LegalConsultation, Outcome
from gonghui.legal.selectors import aid_of_lawyer, consultations_of_lawyer, lawyer_of
from gonghui.legal.services import aid as aid_services
from gonghui.legal.services import consultations as consultation_services

router = Router(tags=["legal"])


class DeskAidListOut(PageOut):
    items: list[AidOut]


class DeskConsultationListOut(PageOut):
    items: list[ConsultationOut]


class DeskStepIn(Schema):
    action: Literal["start", "conclude"]
    comment: str = Field("", max_length=MAX_REASON * 2)
    outcome: Outcome | None = Field(None, description="conclude: required.")
    amount_recovered: str = Field("", max_length=20, description="conclude: required, yuan.")
    summary: str = Field("", max_length=MAX_TEXT * 2, description="conclude: required.")


def _me(request: HttpRequest) -> Lawyer:
    lawyer = lawyer_of(request_user(request))
    if lawyer is None:
        raise NotFound(_("There is no such legal aid application."))
    return lawyer


def _aid_rows(request: HttpRequest) -> Any:
    return aid_of_lawyer(_me(request)).prefetch_related("documents", "messages", "history")


def _my_aid(request: HttpRequest, aid_id: int) -> LegalAid:
    found: LegalAid | None = _aid_rows(request).filter(pk=aid_id).first()
    if found is None:
        raise NotFound(_("There is no such legal aid application."))
    return found


def _consultation_rows(request: HttpRequest) -> Any:
    return consultations_of_lawyer(_me(request)).prefetch_related("messages__lawyer")


def _my_consultation(request: HttpRequest, consultation_id: int) -> LegalConsultation:
    found: LegalConsultation | None = _consultation_rows(request).filter(pk=consultation_id).first()
    if found is None:
        raise NotFound(_("There is no such consultation."))
    return found


@router.get("/aid", response=DeskAidListOut, summary="The legal aid cases assigned to me")
def desk_aid_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, items = page_of(_aid_rows(request).order_by("-submitted_on", "-id"), page)
    user = request_user(request)
    return {**header, "items": [aid_out(user, item) for item in items]}


@router.get("/aid/{aid_id}", response=AidOut, summary="One of my legal aid cases")
def desk_aid_detail(request: HttpRequest, aid_id: PathId) -> dict[str, Any]:
    return aid_out(request_user(request), _my_aid(request, aid_id))


@router.post("/aid/{aid_id}/steps", response=AidOut, summary="Start the work or record the outcome")
def desk_aid_step(request: HttpRequest, aid_id: PathId, payload: DeskStepIn) -> dict[str, Any]:
    _my_aid(request, aid_id)
    aid_services.take_step(
        aid_id,
        AidAction(payload.action),
        actor=request_user(request),
        data=aid_services.StepInput(
            comment=payload.comment,
            outcome=payload.outcome or "",
            amount_recovered=payload.amount_recovered,
            summary=payload.summary,
        ),
    )
    return aid_out(request_user(request), _my_aid(request, aid_id))


@router.post("/aid/{aid_id}/messages", response={201: AidOut}, summary="Write to the applicant")
def desk_aid_message(request: HttpRequest, aid_id: PathId, payload: MessageIn) -> Status[dict[str, Any]]:
    _my_aid(request, aid_id)
    aid_services.post_message(aid_id, actor=request_user(request), text=payload.text)
    return Status(201, aid_out(request_user(request), _my_aid(request, aid_id)))


@router.get("/consultations", response=DeskConsultationListOut, summary="The consultations referred to me")
def desk_consultation_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = _consultation_rows(request).order_by("status", "answer_due", "-id")
    header, items = page_of(rows, page)
    user = request_user(request)
    return {**header, "items": [consultation_out(user, item) for item in items]}


@router.get(
    "/consultations/{consultation_id}", response=ConsultationOut, summary="One consultation referred to me"
)
def desk_consultation_detail(request: HttpRequest, consultation_id: PathId) -> dict[str, Any]:
    return consultation_out(request_user(request), _my_consultation(request, consultation_id))


@router.post(
    "/consultations/{consultation_id}/answer", response=ConsultationOut, summary="Answer my consultation"
)
def desk_consultation_answer(
    request: HttpRequest, consultation_id: PathId, payload: TextIn
) -> dict[str, Any]:
    _my_consultation(request, consultation_id)
    consultation_services.answer_consultation(consultation_id, actor=request_user(request), text=payload.text)
    return consultation_out(request_user(request), _my_consultation(request, consultation_id))
