"""/api/v1/supervision/notices: the notices of the caller's scope (`?overdue=true`: deadline passed,
no follow-up), issuing one from an inspection, its PDF, and recording its follow-up (without
evidence files: those are uploaded in the console)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, page_of
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.supervision import selectors
from gonghui.supervision.api.common import OrgOut, org_out
from gonghui.supervision.documents import notice_filename, render_notice_pdf
from gonghui.supervision.models import MAX_LONG_TEXT, FollowUpResult, Notice, NoticeKind
from gonghui.supervision.services import notices as services

router = Router(tags=["supervision"])


class FollowUpOut(Schema):
    checked_on: date
    result: FollowUpResult
    note: str
    documents: int = Field(description="How many evidence files are attached.")


class NoticeOut(Schema):
    id: int
    inspection_id: int
    org: OrgOut
    kind: NoticeKind
    number: str
    workplace_name: str
    issued_on: date
    rectification_deadline: date
    followup_due: date
    findings: list[int]
    requirements: str
    followup: FollowUpOut | None


class NoticeListOut(PageOut):
    items: list[NoticeOut]


class NoticeQuery(Schema):
    overdue: bool = False
    page: PageNumber = 1


class NoticeIn(Schema):
    inspection: Id
    kind: NoticeKind
    findings: list[Id] = Field(min_length=1, max_length=100)
    requirements: str = Field(max_length=MAX_LONG_TEXT * 2)
    issued_on: date | None = Field(None, description="Today when left out.")
    rectification_deadline: date | None = Field(
        None, description="The rule supervision.rectification from the date of issue when left out."
    )


class FollowUpIn(Schema):
    checked_on: date
    result: FollowUpResult
    note: str = Field("", max_length=MAX_LONG_TEXT * 2)


def notice_out(notice: Notice) -> dict[str, Any]:
    followup = notice.followup if _has_followup(notice) else None
    return {
        "id": notice.pk,
        "inspection_id": notice.inspection_id,
        "org": org_out(notice.org),
        "kind": notice.kind,
        "number": notice.number,
        "workplace_name": notice.workplace_name,
        "issued_on": notice.issued_on,
        "rectification_deadline": notice.rectification_deadline,
        "followup_due": notice.followup_due,
        "findings": [finding.pk for finding in notice.findings.all()],
        "requirements": notice.requirements,
        "followup": None
        if followup is None
        else {
            "checked_on": followup.checked_on,
            "result": followup.result,
            "note": followup.note,
            "documents": len(followup.documents.all()),
        },
    }


def _has_followup(notice: Notice) -> bool:
    try:
        notice.followup  # noqa: B018 — reading the reverse one-to-one is the test
    except Notice.followup.RelatedObjectDoesNotExist:
        return False
    return True


def _notice(request: HttpRequest, pk: int) -> Notice:
    rows = Notice.objects.select_related("org", "followup").prefetch_related(
        "findings", "followup__documents"
    )
    return get_visible(rows, request_user(request), Perm.RIGHTS_VIEW, pk=pk)


@router.get("", response=NoticeListOut, summary="Notices in my scope")
def notice_list(request: HttpRequest, query: Query[NoticeQuery]) -> dict[str, Any]:
    user = request_user(request)
    rows = selectors.overdue_notices(user, timezone.localdate()) if query.overdue else selectors.notices(user)
    header, items = page_of(
        rows.select_related("followup").prefetch_related("findings", "followup__documents"), query.page
    )
    return {**header, "items": [notice_out(notice) for notice in items]}


@router.post("", response={201: NoticeOut}, summary="Issue a notice from an inspection's findings")
def notice_create(request: HttpRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    notice = services.issue_notice(
        payload.inspection,
        services.NoticeInput(
            kind=payload.kind,
            findings=payload.findings,
            requirements=payload.requirements,
            issued_on=payload.issued_on,
            rectification_deadline=payload.rectification_deadline,
        ),
        actor=request_user(request),
    )
    return Status(201, notice_out(_notice(request, notice.pk)))


@router.get("/{notice_id}", response=NoticeOut, summary="One notice")
def notice_detail(request: HttpRequest, notice_id: PathId) -> dict[str, Any]:
    return notice_out(_notice(request, notice_id))


@router.get(
    "/{notice_id}/pdf",
    response={200: None},
    summary="The notice as a PDF (A4)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The notice as an A4 PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def notice_pdf(request: HttpRequest, notice_id: PathId) -> HttpResponse:
    notice = _notice(request, notice_id)
    response = HttpResponse(render_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice_filename(notice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/{notice_id}/followup", response={201: NoticeOut}, summary="Record the follow-up")
def followup_create(request: HttpRequest, notice_id: PathId, payload: FollowUpIn) -> Status[dict[str, Any]]:
    services.record_followup(
        notice_id,
        services.FollowUpInput(checked_on=payload.checked_on, result=payload.result, note=payload.note),
        actor=request_user(request),
    )
    return Status(201, notice_out(_notice(request, notice_id)))
