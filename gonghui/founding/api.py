"""REST API for founding unions, mounted by gonghui.api at /api/v1/founding.

Lists are paged (`page`, 50 items) and answer `{count, page, pages, items}`. Everything is scoped:
an object outside the caller's organisations answers 404, exactly like a missing one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, WorkplaceRef, page_of
from gonghui.core.inputs import CleanText
from gonghui.founding import selectors, services
from gonghui.founding.documents import notice_filename, render_notice_pdf
from gonghui.founding.models import (
    ApplicationAction,
    ApplicationStatus,
    DeliveryMethod,
    FoundingApplication,
    FoundingNotice,
    Initiator,
    NoticeStatus,
    UnionKind,
)
from gonghui.orgs.models import Industry, JointUnionArea, Org, Ownership
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible

router = Router(tags=["founding"])


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Workplaces without a union
# --------------------------------------------------------------------------------------------


class UnfoundedQuery(Schema):
    district: CleanText = Field("", max_length=40)
    industry: Industry | None = None
    ownership: Ownership | None = None
    min_employees: int | None = Field(
        None, ge=0, le=1_000_000, description="Default: the founding threshold (25 unless configured)."
    )
    q: CleanText = Field("", max_length=60, description="Part of the name, or the whole credit code.")
    sort: Literal["-employee_count", "employee_count", "name", "-name"] = "-employee_count"
    page: PageNumber = 1


class NoticeBrief(Schema):
    id: int
    number: str
    status: NoticeStatus


class ApplicationBrief(Schema):
    id: int
    status: ApplicationStatus


class UnfoundedOut(Schema):
    id: int
    name: str
    credit_code: str
    district: str
    industry: Industry
    ownership: Ownership
    employee_count: int
    area_org_id: int | None = Field(description="The township federation or joint union of its area.")
    latest_notice: NoticeBrief | None
    latest_application: ApplicationBrief | None


class UnfoundedPage(PageOut):
    threshold: int = Field(description="The employee count the list starts from.")
    items: list[UnfoundedOut]


@router.get("/workplaces", response=UnfoundedPage, summary="Workplaces without a union")
def list_unfounded(request: HttpRequest, filters: Query[UnfoundedQuery]) -> dict[str, Any]:
    user = request_user(request)
    chosen = selectors.UnfoundedFilters(
        district=filters.district,
        industry=filters.industry or "",
        ownership=filters.ownership or "",
        min_employees=filters.min_employees,
        q=filters.q,
        sort=filters.sort,
    )
    meta, workplaces = page_of(selectors.unfounded_workplaces(user, chosen), filters.page)
    progress = selectors.founding_progress(user, workplaces)
    items = [
        {
            "id": workplace.pk,
            "name": workplace.name,
            "credit_code": workplace.credit_code,
            "district": workplace.district,
            "industry": workplace.industry,
            "ownership": workplace.ownership,
            "employee_count": workplace.employee_count,
            "area_org_id": workplace.jurisdiction_id,
            "latest_notice": progress[workplace.pk].notice,
            "latest_application": progress[workplace.pk].application,
        }
        for workplace in workplaces
    ]
    return {**meta, "threshold": chosen.threshold, "items": items}


# --------------------------------------------------------------------------------------------
# Founding notices
# --------------------------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    number: str
    workplace: WorkplaceRef
    issuing_org: OrgRef
    issued_at: datetime
    employee_count: int = Field(description="As stated in the notice.")
    legal_basis: str
    response_deadline: date
    contact_name: str
    contact_phone: str
    status: NoticeStatus
    delivered_on: date | None
    delivery_method: DeliveryMethod | Literal[""]
    recipient_name: str


class NoticePage(PageOut):
    items: list[NoticeOut]


class NoticeQuery(Schema):
    status: NoticeStatus | None = None
    q: CleanText = Field("", max_length=60, description="Part of the notice number or of the workplace name.")
    page: PageNumber = 1


class NoticeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    workplace: Id = Field(description="The workplace without a union.")
    issuing_org: Id = Field(description="The org issuing it: the workplace's area org or one above it.")
    response_deadline: date = Field(description="The date the workplace is asked to respond by.")
    contact_name: CleanText = Field(max_length=40)
    contact_phone: CleanText = Field(
        max_length=20, description="A mobile number, or a landline with its area code."
    )


class DeliveryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    delivered_on: date
    delivery_method: DeliveryMethod
    recipient_name: CleanText = Field(max_length=40, description="Who signed for it.")


def _notices() -> QuerySet[FoundingNotice]:
    return FoundingNotice.objects.select_related("workplace", "issuing_org")


@router.get("/notices", response=NoticePage, summary="Founding notices, newest first")
def list_notices(request: HttpRequest, filters: Query[NoticeQuery]) -> dict[str, Any]:
    rows = selectors.notices(request_user(request), status=filters.status or "", q=filters.q)
    meta, items = page_of(rows, filters.page)
    return {**meta, "items": items}


@router.post("/notices", response={201: NoticeOut}, summary="Issue a founding notice")
def issue_notice(request: HttpRequest, payload: NoticeIn) -> Status[FoundingNotice]:
    notice = services.issue_notice(actor=request_user(request), **payload.model_dump())
    return Status(201, _notices().get(pk=notice.pk))


@router.get("/notices/{int:notice_id}", response=NoticeOut, summary="One founding notice")
def get_notice(request: HttpRequest, notice_id: PathId) -> FoundingNotice:
    return get_visible(_notices(), request_user(request), Perm.FOUNDING_VIEW, pk=notice_id)


@router.post(
    "/notices/{int:notice_id}/delivery", response=NoticeOut, summary="Record the delivery of a notice"
)
def deliver_notice(request: HttpRequest, notice_id: PathId, payload: DeliveryIn) -> FoundingNotice:
    user = request_user(request)
    notice = get_visible(_notices(), user, Perm.FOUNDING_CHANGE, pk=notice_id)
    services.record_delivery(
        notice,
        delivered_on=payload.delivered_on,
        method=payload.delivery_method,
        recipient_name=payload.recipient_name,
        actor=user,
    )
    return _notices().get(pk=notice.pk)


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The notice as an A4 PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/notices/{int:notice_id}/pdf",
    response={200: None},
    openapi_extra=PDF_RESPONSE,
    summary="The founding notice as a PDF",
)
def notice_pdf(request: HttpRequest, notice_id: PathId) -> HttpResponse:
    notice = get_visible(_notices(), request_user(request), Perm.FOUNDING_VIEW, pk=notice_id)
    response = HttpResponse(render_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice_filename(notice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------
# Founding applications
# --------------------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    workplace: WorkplaceRef
    union_name: str
    union_kind: UnionKind
    area: JointUnionArea | Literal[""]
    parent: OrgRef = Field(description="The org the new union will sit under.")
    approving_org: OrgRef = Field(
        description="The org that decides: the nearest one at or above the parent with approval authority."
    )
    initiated_by: Initiator
    contact_name: str
    contact_phone: str
    members_expected: int
    employee_count: int
    preparatory_note: str
    status: ApplicationStatus
    reason: str = Field(description="Why it was rejected; empty otherwise.")
    created_org: OrgRef | None
    created_at: datetime
    updated_at: datetime


class HistoryOut(Schema):
    from_status: ApplicationStatus | Literal[""]
    to_status: ApplicationStatus
    actor: str = Field(description="Who did it (display name); empty when the account is gone.")
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_actor(entry: Any) -> str:
        actor = entry.actor
        return "" if actor is None else str(actor.display_name or actor.get_username())


class ApplicationDetailOut(ApplicationOut):
    history: list[HistoryOut]
    allowed_actions: list[ApplicationAction] = Field(description="What the caller may do next.")


class ApplicationPage(PageOut):
    items: list[ApplicationOut]


class ApplicationQuery(Schema):
    status: ApplicationStatus | None = None
    awaiting_me: bool = Field(False, description="Only those waiting for a decision the caller may take.")
    q: CleanText = Field("", max_length=60, description="Part of the union's or the workplace's name.")
    page: PageNumber = 1


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    workplace: Id
    parent: Id = Field(description="The workplace's area org or one above it.")
    union_name: CleanText = Field(max_length=120)
    union_kind: UnionKind
    area: JointUnionArea | Literal[""] = Field("", description="Only for a joint union, and required there.")
    initiated_by: Initiator
    contact_name: CleanText = Field(max_length=40)
    contact_phone: CleanText = Field(
        max_length=20, description="A mobile number, or a landline with its area code."
    )
    members_expected: int = Field(ge=1, le=1_000_000)
    employee_count: int = Field(ge=1, le=1_000_000)
    preparatory_note: CleanText = Field("", max_length=2000)


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: ApplicationAction
    comment: CleanText = Field("", max_length=1000)
    reason: CleanText = Field("", max_length=1000, description="Required to reject.")
    union_code: CleanText = Field(
        "", max_length=32, description="For create_union: the new union's code; generated when empty."
    )


def _detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    user = request_user(request)
    application = selectors.application_detail(user, application_id)
    return {
        **ApplicationOut.from_orm(application).model_dump(),
        "history": list(application.history.all()),
        "allowed_actions": [t.action for t in selectors.allowed_transitions(application, user)],
    }


@router.get("/applications", response=ApplicationPage, summary="Founding applications, newest first")
def list_applications(request: HttpRequest, filters: Query[ApplicationQuery]) -> dict[str, Any]:
    rows = selectors.applications(
        request_user(request), status=filters.status or "", awaiting_me=filters.awaiting_me, q=filters.q
    )
    meta, items = page_of(rows, filters.page)
    return {**meta, "items": items}


@router.post("/applications", response={201: ApplicationDetailOut}, summary="Submit a founding application")
def submit_application(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, Any]]:
    draft = services.ApplicationDraft(**payload.model_dump())
    application = services.submit_application(draft, actor=request_user(request))
    return Status(201, _detail(request, application.pk))


@router.get(
    "/applications/{int:application_id}", response=ApplicationDetailOut, summary="One founding application"
)
def get_application(request: HttpRequest, application_id: PathId) -> dict[str, Any]:
    return _detail(request, application_id)


@router.post(
    "/applications/{int:application_id}/transitions",
    response=ApplicationDetailOut,
    summary="Take a step of the workflow",
)
def advance_application(
    request: HttpRequest, application_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    """`review`, `approve` and `reject` (with a `reason`) are for officers of the approving org or
    above; `create_union` (optionally with a `union_code`) for officers of the parent or above.
    A step that does not follow from the current status answers 409 `invalid_transition`."""
    user = request_user(request)
    application = get_visible(FoundingApplication, user, Perm.FOUNDING_VIEW, pk=application_id)
    services.advance_application(application, actor=user, **payload.model_dump())
    return _detail(request, application_id)


# --------------------------------------------------------------------------------------------
# Delegating approval authority
# --------------------------------------------------------------------------------------------


class AuthorityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    holds_founding_authority: bool = Field(strict=True)


class AuthorityOut(Schema):
    org: OrgRef
    holds_founding_authority: bool


@router.put(
    "/authority/{int:org_id}",
    response=AuthorityOut,
    summary="Delegate or withdraw a joint union's approval authority",
)
def set_authority(request: HttpRequest, org_id: PathId, payload: AuthorityIn) -> dict[str, Any]:
    """For officers holding the restructure permission on the org above the joint union."""
    user = request_user(request)
    org = get_visible(Org, user, Perm.ORG_VIEW, pk=org_id)
    changed = services.set_founding_authority(org, payload.holds_founding_authority, actor=user)
    return {"org": changed, "holds_founding_authority": changed.holds_founding_authority}
