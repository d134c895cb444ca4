"""/api/v1/supervision/interviews: interviews (约谈) of the caller's scope and recording one."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, WorkplaceRef, page_of
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.supervision.api.common import OrgOut, org_id, org_out
from gonghui.supervision.models import MAX_LONG_TEXT, MAX_TEXT, Interview
from gonghui.supervision.services import interviews as services

router = Router(tags=["supervision"])


class InterviewOut(Schema):
    id: int
    org: OrgOut
    workplace: WorkplaceRef
    inspection_id: int | None
    held_on: date
    representative: str
    attendees: str
    subject: str
    record: str
    commitments: str


class InterviewListOut(PageOut):
    items: list[InterviewOut]


class InterviewIn(Schema):
    org: str = Field(max_length=32, description="Code of the interviewing union.")
    workplace: Id
    inspection: Id | None = None
    held_on: date
    representative: str = Field(max_length=services.REPRESENTATIVE_MAX * 2)
    attendees: str = Field(max_length=MAX_TEXT * 2)
    subject: str = Field(max_length=services.SUBJECT_MAX * 2)
    record: str = Field(max_length=MAX_LONG_TEXT * 2)
    commitments: str = Field("", max_length=MAX_LONG_TEXT * 2)


def interview_out(interview: Interview) -> dict[str, Any]:
    workplace = interview.workplace
    return {
        "id": interview.pk,
        "org": org_out(interview.org),
        "workplace": {"id": workplace.pk, "name": workplace.name, "credit_code": workplace.credit_code},
        "inspection_id": interview.inspection_id,
        "held_on": interview.held_on,
        "representative": interview.representative,
        "attendees": interview.attendees,
        "subject": interview.subject,
        "record": interview.record,
        "commitments": interview.commitments,
    }


def _interviews(request: HttpRequest) -> Any:
    return visible(Interview, request_user(request), Perm.RIGHTS_VIEW).select_related("org", "workplace")


@router.get("", response=InterviewListOut, summary="Interviews in my scope")
def interview_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, items = page_of(_interviews(request).order_by("-held_on", "-id"), page)
    return {**header, "items": [interview_out(interview) for interview in items]}


@router.post("", response={201: InterviewOut}, summary="Record an interview")
def interview_create(request: HttpRequest, payload: InterviewIn) -> Status[dict[str, Any]]:
    interview = services.record_interview(
        services.InterviewInput(
            org=org_id(payload.org),
            workplace=payload.workplace,
            inspection=payload.inspection,
            held_on=payload.held_on,
            representative=payload.representative,
            attendees=payload.attendees,
            subject=payload.subject,
            record=payload.record,
            commitments=payload.commitments,
        ),
        actor=request_user(request),
    )
    return Status(201, interview_out(_interviews(request).get(pk=interview.pk)))


@router.get("/{interview_id}", response=InterviewOut, summary="One interview")
def interview_detail(request: HttpRequest, interview_id: PathId) -> dict[str, Any]:
    return interview_out(
        get_visible(_interviews(request), request_user(request), Perm.RIGHTS_VIEW, pk=interview_id)
    )
