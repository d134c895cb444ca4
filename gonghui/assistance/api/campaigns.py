"""REST API of seasonal care campaigns (/api/v1/assistance/campaigns): campaigns and their lists
of beneficiaries for officers, education grant applications (金秋助学) for officers and members.

Officers reach a campaign of an org in their scope (Perm.ASSISTANCE_VIEW), or one whose eligible
subtree holds their union (they adjust their union's part of its list); anything else answers
404 like a missing campaign. Refusals: 409 `over_budget` (the message says by how much),
`already_on_list`, `list_locked`, `invalid_transition`, `insufficient_funds`; 422 with field
errors for bad input. Lists are paged (`page`, 50 items) and answer `{count, page, pages, items}`.

Members: `GET /my-applications`, `GET /open` (education campaigns they may apply to) and
`POST /{campaign_id}/applications` (multipart: the fields and one to five `documents`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.assistance.models import (
    CARE_CAMPAIGN_TRANSITIONS,
    MAX_REASON,
    MAX_SCHOOL,
    ApplicationStatus,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignAction,
    CareCampaignStatus,
    EducationApplication,
    SchoolLevel,
    Season,
)
from gonghui.assistance.services import applications as application_services
from gonghui.assistance.services import campaigns as services
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.documents import MAX_DOCUMENT_BYTES
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanText
from gonghui.core.text import mask_name
from gonghui.members.services.selfservice import current_membership
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

router = Router(tags=["assistance"])

# One Literal per choice set, so that a wrong value gets one message at one field path.
SeasonIn = Literal["winter_warmth", "summer_cooling", "autumn_education", "spring_jobs"]
GradeIn = Literal["severe", "relative", "accidental"]
CategoryIn = Literal["gig_worker", "female", "migrant_worker", "model_worker"]
LevelIn = Literal["undergraduate", "junior_college", "vocational", "high_school", "postgraduate"]
StatusFilter = Literal["draft", "listing", "confirmed", "closed", "all"]
SourceFilter = Literal["rule", "officer", "application", "all"]
ApplicationFilter = Literal["submitted", "approved", "rejected", "all"]
Money = Decimal


class FundRef(Schema):
    id: int
    name: str


class CampaignOut(Schema):
    id: int
    org: OrgRef = Field(description="The org running the campaign.")
    season: Season
    year: int
    title: str
    description: str
    status: CareCampaignStatus
    budget: Decimal
    amount_per_person: Decimal
    fund: FundRef | None = Field(description="Paid from this fund; none: goods or services.")
    eligible_org: OrgRef = Field(description="The rules pick members of this org and everything under it.")
    grades: list[str] = Field(description="Hardship grades the members must be on record with; empty: any.")
    categories: list[str] = Field(description="Member categories (any one of them); empty: any member.")
    applications_from: date | None
    applications_until: date | None
    people: int = Field(description="People on the list.")
    total: Decimal = Field(description="The list's total.")
    remaining: Decimal = Field(description="Budget minus the list's total.")
    paid: int = Field(description="People paid from the fund.")


class CampaignDetailOut(CampaignOut):
    actions: list[str] = Field(description="Workflow actions the caller may take now.")
    may_pay: bool = Field(description="Whether the caller may pay the confirmed list from the fund.")


class CampaignPage(PageOut):
    items: list[CampaignOut]


class CampaignQuery(Schema):
    status: StatusFilter = "all"
    season: SeasonIn | None = None
    year: int | None = Field(None, ge=services.MIN_YEAR, le=services.MAX_YEAR)
    page: PageNumber = 1


class CampaignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    season: SeasonIn
    year: int = Field(ge=services.MIN_YEAR, le=services.MAX_YEAR)
    title: CleanText = Field(max_length=120)
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    budget: Money = Field(ge=0, max_digits=12, decimal_places=2)
    amount_per_person: Money = Field(ge=0, max_digits=12, decimal_places=2)
    eligible_org: Id | None = Field(None, description="An org in the running org's subtree; default: itself.")
    grades: list[GradeIn] = Field(default_factory=list, max_length=3)
    categories: list[CategoryIn] = Field(default_factory=list, max_length=4)
    fund: Id | None = Field(None, description="An open fund of the running org or above it.")
    applications_from: date | None = Field(None, description="Education campaigns only.")
    applications_until: date | None = Field(None, description="Education campaigns only.")


class NewCampaignIn(CampaignIn):
    org: Id = Field(description="The org running the campaign (Perm.ASSISTANCE_HANDLE there).")


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: CleanText = Field("", max_length=MAX_REASON)


class BuildOut(Schema):
    added: int
    dropped: int = Field(description="Rule-picked people the rules no longer pick.")
    people: int
    total: Decimal
    campaign: CampaignDetailOut


class PayOut(Schema):
    grants: int = Field(description="Grants made by this run.")
    total: Decimal
    campaign: CampaignDetailOut


class BeneficiaryOut(Schema):
    id: int
    member_id: int
    masked_name: str
    masked_id_number: str
    org: OrgRef
    amount: Decimal
    source: BeneficiarySource
    note: str
    hardship_file_id: int | None
    grant_id: int | None = Field(description="The grant paying this person, once paid.")


class BeneficiaryPage(PageOut):
    items: list[BeneficiaryOut]


class BeneficiaryQuery(Schema):
    org: Id | None = Field(None, description="Only people of this org and everything under it.")
    source: SourceFilter = "all"
    paid: bool | None = None
    page: PageNumber = 1


class BeneficiaryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(max_length=40, description="The member's ID number.")
    amount: Money | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="Default: the amount per person."
    )
    note: CleanText = Field("", max_length=MAX_REASON)


class AmountIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Money = Field(ge=0, max_digits=12, decimal_places=2)
    reason: CleanText = Field(max_length=MAX_REASON)


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(max_length=MAX_REASON)


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ApplicationOut(Schema):
    id: int
    campaign_id: int
    campaign_title: str
    org: OrgRef = Field(description="The member's union, whose officers decide.")
    masked_member_name: str
    masked_child_name: str
    masked_child_id_number: str
    school: str
    level: SchoolLevel
    admission_year: int
    status: ApplicationStatus
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None


class ApplicationDetailOut(ApplicationOut):
    documents: list[DocumentOut]
    may_decide: bool


class ApplicationPage(PageOut):
    items: list[ApplicationOut]


class ApplicationQuery(Schema):
    status: ApplicationFilter = "submitted"
    campaign: Id | None = None
    page: PageNumber = 1


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: CleanText = Field(
        "", max_length=MAX_REASON, description="Required to reject: the member sees it."
    )


class ApplyIn(Schema):
    child_name: CleanText = Field(max_length=application_services.CHILD_NAME_MAX)
    child_id_number: str = Field(max_length=40)
    school: CleanText = Field(max_length=MAX_SCHOOL)
    level: LevelIn
    admission_year: int = Field(ge=services.MIN_YEAR, le=services.MAX_YEAR)


class MyApplicationOut(Schema):
    id: int
    campaign_id: int
    campaign_title: str
    masked_child_name: str
    school: str
    level: SchoolLevel
    admission_year: int
    status: ApplicationStatus
    decision_reason: str = Field(description="Why it was not approved (or the officer's note).")
    created_at: datetime
    decided_at: datetime | None


class MyApplicationPage(PageOut):
    items: list[MyApplicationOut]


class OpenCampaignOut(Schema):
    id: int
    title: str
    org: str
    amount_per_person: Decimal
    applications_until: date | None


# --------------------------------------------------------------------------------------------
# Campaigns
# --------------------------------------------------------------------------------------------


def _with_figures(rows: QuerySet[CareCampaign]) -> QuerySet[CareCampaign]:
    return rows.select_related("org", "eligible_org", "fund__org").annotate(
        people=Count("beneficiaries"),
        list_total=Sum("beneficiaries__amount"),
        paid=Count("beneficiaries", filter=Q(beneficiaries__grant__isnull=False)),
    )


def _out(campaign: CareCampaign) -> dict[str, Any]:
    total = getattr(campaign, "list_total", None) or Decimal("0.00")
    return {
        "id": campaign.pk,
        "org": campaign.org,
        "season": campaign.season,
        "year": campaign.year,
        "title": campaign.title,
        "description": campaign.description,
        "status": campaign.status,
        "budget": campaign.budget,
        "amount_per_person": campaign.amount_per_person,
        "fund": campaign.fund,
        "eligible_org": campaign.eligible_org,
        "grades": campaign.grades,
        "categories": campaign.categories,
        "applications_from": campaign.applications_from,
        "applications_until": campaign.applications_until,
        "people": getattr(campaign, "people", 0),
        "total": total,
        "remaining": campaign.budget - total,
        "paid": getattr(campaign, "paid", 0),
    }


def _detail(user: Any, campaign_id: int) -> dict[str, Any]:
    campaign = (
        _with_figures(services.reachable_campaigns(user, Perm.ASSISTANCE_VIEW)).filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotFound(services.no_such_campaign_message())
    runs = services.may_run(user, campaign)
    return {
        **_out(campaign),
        "actions": [str(t.action) for t in CARE_CAMPAIGN_TRANSITIONS.available(campaign.status)]
        if runs
        else [],
        "may_pay": services.may_pay(user, campaign) and campaign.status == CareCampaignStatus.CONFIRMED,
    }


def _org_code(pk: int | None) -> str:
    if pk is None:
        return ""
    # A missing id gets the service's answer for an org out of the subtree: ids cannot be probed.
    return str(Org.objects.filter(pk=pk).values_list("code", flat=True).first() or f"#{pk}")


def _data(payload: CampaignIn) -> services.CampaignData:
    return services.CampaignData(
        season=payload.season,
        year=payload.year,
        title=payload.title,
        description=payload.description,
        budget=payload.budget,
        amount_per_person=payload.amount_per_person,
        eligible_org=_org_code(payload.eligible_org),
        grades=list(payload.grades),
        categories=list(payload.categories),
        fund=payload.fund,
        applications_from=payload.applications_from,
        applications_until=payload.applications_until,
    )


@router.get("", response=CampaignPage, summary="Care campaigns in the caller's reach")
def list_campaigns(request: HttpRequest, filters: Query[CampaignQuery]) -> dict[str, Any]:
    rows = services.reachable_campaigns(request_user(request), Perm.ASSISTANCE_VIEW)
    if filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.season:
        rows = rows.filter(season=filters.season)
    if filters.year:
        rows = rows.filter(year=filters.year)
    meta, items = page_of(_with_figures(rows).order_by("-year", "season", "-id"), filters.page)
    return {**meta, "items": [_out(campaign) for campaign in items]}


@router.post("", response={201: CampaignDetailOut}, summary="Create a care campaign (draft)")
def create_campaign(request: HttpRequest, payload: NewCampaignIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = visible(Org, user, Perm.ASSISTANCE_VIEW).filter(pk=payload.org).first()
    if org is None:
        message = services.org_not_in_scope_message()
        raise ValidationFailed(message, fields={"org": [message]})
    campaign = services.create_campaign(org, actor=user, data=_data(payload))
    return Status(201, _detail(user, campaign.pk))


@router.get("/my-applications", response=MyApplicationPage, summary="My education grant applications")
def my_applications(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = application_services.my_applications(request_user(request)).order_by("-created_at", "-id")
    meta, items = page_of(rows, page)
    return {
        **meta,
        "items": [
            {
                "id": row.pk,
                "campaign_id": row.campaign_id,
                "campaign_title": row.campaign.title,
                "masked_child_name": mask_name(row.child_name),
                "school": row.school,
                "level": row.level,
                "admission_year": row.admission_year,
                "status": row.status,
                "decision_reason": row.decision_reason,
                "created_at": row.created_at,
                "decided_at": row.decided_at,
            }
            for row in items
        ],
    }


@router.get("/open", response=list[OpenCampaignOut], summary="Education campaigns I may apply to now")
def open_campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    member = current_membership(request_user(request))
    return [
        {
            "id": campaign.pk,
            "title": campaign.title,
            "org": campaign.org.name,
            "amount_per_person": campaign.amount_per_person,
            "applications_until": campaign.applications_until,
        }
        for campaign in application_services.campaigns_open_to(member)
    ]


@router.get("/{int:campaign_id}", response=CampaignDetailOut, summary="One care campaign with its figures")
def get_campaign(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    return _detail(request_user(request), campaign_id)


@router.put("/{int:campaign_id}", response=CampaignDetailOut, summary="Change a draft campaign")
def update_campaign(request: HttpRequest, campaign_id: PathId, payload: CampaignIn) -> dict[str, Any]:
    user = request_user(request)
    services.update_campaign(campaign_id, actor=user, data=_data(payload))
    return _detail(user, campaign_id)


@router.post("/{int:campaign_id}/build", response=BuildOut, summary="Build the list by the rules (again)")
def build(request: HttpRequest, campaign_id: PathId, payload: CommentIn) -> dict[str, Any]:
    user = request_user(request)
    outcome = services.build_list(campaign_id, actor=user, comment=payload.comment)
    return {
        "added": outcome.added,
        "dropped": outcome.dropped,
        "people": outcome.people,
        "total": outcome.total,
        "campaign": _detail(user, campaign_id),
    }


def _step(request: HttpRequest, campaign_id: int, action: str, comment: str) -> dict[str, Any]:
    user = request_user(request)
    services.change_status(campaign_id, actor=user, action=action, comment=comment)
    return _detail(user, campaign_id)


@router.post("/{int:campaign_id}/confirm", response=CampaignDetailOut, summary="Confirm (lock) the list")
def confirm(request: HttpRequest, campaign_id: PathId, payload: CommentIn) -> dict[str, Any]:
    return _step(request, campaign_id, CareCampaignAction.CONFIRM, payload.comment)


@router.post("/{int:campaign_id}/reopen", response=CampaignDetailOut, summary="Reopen a confirmed list")
def reopen(request: HttpRequest, campaign_id: PathId, payload: CommentIn) -> dict[str, Any]:
    return _step(request, campaign_id, CareCampaignAction.REOPEN, payload.comment)


@router.post("/{int:campaign_id}/close", response=CampaignDetailOut, summary="Close the campaign")
def close(request: HttpRequest, campaign_id: PathId, payload: CommentIn) -> dict[str, Any]:
    return _step(request, campaign_id, CareCampaignAction.CLOSE, payload.comment)


@router.post("/{int:campaign_id}/pay", response=PayOut, summary="Pay the confirmed list from the fund")
def pay(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    """One approved grant per unpaid person; 409 `insufficient_funds` writes nothing, and running
    it again pays only who is left (409 `nothing_to_pay` when no one is)."""
    user = request_user(request)
    outcome = services.pay_campaign(campaign_id, actor=user)
    return {"grants": outcome.grants, "total": outcome.total, "campaign": _detail(user, campaign_id)}


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


def _beneficiary_out(row: CareBeneficiary) -> dict[str, Any]:
    return {
        "id": row.pk,
        "member_id": row.member_id,
        "masked_name": row.member.masked_name,
        "masked_id_number": row.member.masked_id_number,
        "org": row.org,
        "amount": row.amount,
        "source": row.source,
        "note": row.note,
        "hardship_file_id": row.hardship_file_id,
        "grant_id": row.grant_id,
    }


@router.get(
    "/{int:campaign_id}/beneficiaries", response=BeneficiaryPage, summary="The list, in the caller's scope"
)
def list_beneficiaries(
    request: HttpRequest, campaign_id: PathId, filters: Query[BeneficiaryQuery]
) -> dict[str, Any]:
    user = request_user(request)
    campaign = services.get_reachable(user, Perm.ASSISTANCE_VIEW, campaign_id)
    rows = services.beneficiaries_in_reach(campaign, user)
    if filters.org is not None:
        org = visible(Org, user, Perm.ASSISTANCE_VIEW).filter(pk=filters.org).first()
        rows = rows.filter(org__path__startswith=org.path) if org is not None else rows.none()
    if filters.source != "all":
        rows = rows.filter(source=filters.source)
    if filters.paid is not None:
        rows = rows.filter(grant__isnull=not filters.paid)
    meta, items = page_of(rows.select_related("member", "org").order_by("org__path", "id"), filters.page)
    return {**meta, "items": [_beneficiary_out(row) for row in items]}


@router.post(
    "/{int:campaign_id}/beneficiaries",
    response={201: BeneficiaryOut},
    summary="Add a member to the list by ID number",
)
def add_beneficiary(
    request: HttpRequest, campaign_id: PathId, payload: BeneficiaryIn
) -> Status[dict[str, Any]]:
    row = services.add_beneficiary(
        campaign_id,
        actor=request_user(request),
        id_number=payload.id_number,
        amount=payload.amount,
        note=payload.note,
    )
    return Status(201, _beneficiary_out(row))


@router.patch(
    "/{int:campaign_id}/beneficiaries/{int:beneficiary_id}",
    response=BeneficiaryOut,
    summary="Change a person's amount",
)
def change_amount(
    request: HttpRequest, campaign_id: PathId, beneficiary_id: PathId, payload: AmountIn
) -> dict[str, Any]:
    row = services.change_amount(
        campaign_id, beneficiary_id, actor=request_user(request), amount=payload.amount, reason=payload.reason
    )
    return _beneficiary_out(row)


@router.post(
    "/{int:campaign_id}/beneficiaries/{int:beneficiary_id}/remove",
    response={204: None},
    summary="Take a person off the list, with the reason",
)
def remove_beneficiary(
    request: HttpRequest, campaign_id: PathId, beneficiary_id: PathId, payload: ReasonIn
) -> Status[None]:
    services.remove_beneficiary(
        campaign_id, beneficiary_id, actor=request_user(request), reason=payload.reason
    )
    return Status(204, None)


# --------------------------------------------------------------------------------------------
# Education grant applications
# --------------------------------------------------------------------------------------------


def _application_out(row: EducationApplication) -> dict[str, Any]:
    return {
        "id": row.pk,
        "campaign_id": row.campaign_id,
        "campaign_title": row.campaign.title,
        "org": row.org,
        "masked_member_name": row.member.masked_name,
        "masked_child_name": mask_name(row.child_name),
        "masked_child_id_number": mask_id_number(row.child_id_number),
        "school": row.school,
        "level": row.level,
        "admission_year": row.admission_year,
        "status": row.status,
        "decision_reason": row.decision_reason,
        "created_at": row.created_at,
        "decided_at": row.decided_at,
    }


def _application_detail(user: Any, application_id: int) -> dict[str, Any]:
    row = (
        visible(EducationApplication, user, Perm.ASSISTANCE_VIEW)
        .select_related("campaign", "org", "member")
        .filter(pk=application_id)
        .first()
    )
    if row is None:
        raise NotFound(application_services.no_such_application_message())
    return {
        **_application_out(row),
        "documents": [
            {"id": doc.pk, "name": doc.original_name, "content_type": doc.content_type, "size": doc.size}
            for doc in row.documents.all()
        ],
        "may_decide": row.status == ApplicationStatus.SUBMITTED
        and application_services.may_decide(user, row),
    }


@router.get(
    "/applications", response=ApplicationPage, summary="Education grant applications in the caller's scope"
)
def list_applications(request: HttpRequest, filters: Query[ApplicationQuery]) -> dict[str, Any]:
    """Open applications oldest first (the order they are worked through), others newest first."""
    rows = visible(EducationApplication, request_user(request), Perm.ASSISTANCE_VIEW).select_related(
        "campaign", "org", "member"
    )
    if filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.campaign is not None:
        rows = rows.filter(campaign_id=filters.campaign)
    order = ("created_at", "id") if filters.status == "submitted" else ("-created_at", "-id")
    meta, items = page_of(rows.order_by(*order), filters.page)
    return {**meta, "items": [_application_out(row) for row in items]}


@router.get("/applications/{int:application_id}", response=ApplicationDetailOut, summary="One application")
def get_application(request: HttpRequest, application_id: PathId) -> dict[str, Any]:
    return _application_detail(request_user(request), application_id)


@router.post(
    "/applications/{int:application_id}/decide",
    response=ApplicationDetailOut,
    summary="Approve (the member joins the list) or reject (with the reason)",
)
def decide_application(request: HttpRequest, application_id: PathId, payload: DecisionIn) -> dict[str, Any]:
    user = request_user(request)
    if payload.decision == "approve":
        application_services.approve_application(application_id, actor=user, comment=payload.reason)
    else:
        application_services.reject_application(application_id, actor=user, reason=payload.reason)
    return _application_detail(user, application_id)


@router.post(
    "/{int:campaign_id}/applications",
    response={201: MyApplicationOut},
    summary="Apply for an education grant for my child (multipart, with the admission letter)",
)
def apply(
    request: HttpRequest,
    campaign_id: PathId,
    payload: Form[ApplyIn],
    documents: File[list[UploadedFile]],
) -> Status[dict[str, Any]]:
    files: list[tuple[str, bytes]] = []
    for upload in documents[: application_services.MAX_DOCUMENTS + 1]:
        try:
            files.append((upload.name or "", read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)))
        except FileTooLarge:
            message = application_services.document_too_large_message(upload.name or "")
            raise ValidationFailed(message, fields={"documents": [message]}) from None
    row = application_services.apply_for_education_grant(
        campaign_id,
        actor=request_user(request),
        data=application_services.ApplicationData(
            child_name=payload.child_name,
            child_id_number=payload.child_id_number,
            school=payload.school,
            level=payload.level,
            admission_year=payload.admission_year,
            documents=files,
        ),
    )
    return Status(
        201,
        {
            "id": row.pk,
            "campaign_id": row.campaign_id,
            "campaign_title": row.campaign.title,
            "masked_child_name": mask_name(row.child_name),
            "school": row.school,
            "level": row.level,
            "admission_year": row.admission_year,
            "status": row.status,
            "decision_reason": row.decision_reason,
            "created_at": row.created_at,
            "decided_at": row.decided_at,
        },
    )
