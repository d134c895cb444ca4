"""REST API of online joining: applications (/api/v1/join-applications) and the joining routes
federations keep (/api/v1/join-routes).

Officers see the applications addressed to the orgs in their subtrees (Perm.MEMBER_VIEW) and
decide them with Perm.MEMBER_CHANGE there; an application outside the caller's scope answers 404
like a missing one. ID and mobile numbers are masked. Applications are made in the member
portal (it proves the applicant's mobile number with a texted code), not through this API.
Lists are paged (`page`, 50 items) and answer `{count, page, pages, items}`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, WorkplaceRef, page_of
from gonghui.core.errors import ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.members.models import GigOccupation, JoinApplication, JoinRoute, JoinStatus
from gonghui.members.services import joining, routes
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible

router = Router(tags=["joining"])
routes_router = Router(tags=["joining"])

# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    masked_name: str = Field(description="For example 王**.")
    masked_id_number: str = Field(description="For example 330203********1234.")
    masked_mobile: str = Field(description="For example 138****8000.")
    birth_date: date
    sex: Literal["male", "female"]
    org: OrgRef = Field(description="The org the application is addressed to (the union with jurisdiction).")
    workplace: WorkplaceRef | None = Field(description="The employer, when it is in the registry.")
    employer_name: str = Field(description="An employer not in the registry, as the applicant typed it.")
    no_fixed_employer: bool
    is_gig_worker: bool
    gig_occupation: GigOccupation | Literal[""]
    gig_platform: str
    is_migrant_worker: bool
    home_district: str
    home_township: str
    status: JoinStatus
    reject_reason: str = Field(description="Why it was rejected; empty otherwise.")
    member_id: int | None = Field(description="The membership opened by the approval.")
    created_at: datetime
    decided_at: datetime | None
    overdue: bool = Field(description="Open longer than the review period (15 days).")

    @staticmethod
    def resolve_overdue(application: Any) -> bool:
        return bool(
            application.status == JoinStatus.SUBMITTED and application.created_at < joining.overdue_cutoff()
        )


class HistoryOut(Schema):
    from_status: JoinStatus | Literal[""]
    to_status: JoinStatus
    actor: str = Field(description="Who did it; empty for an account that is gone.")
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_actor(entry: Any) -> str:
        actor = entry.actor
        return "" if actor is None else str(actor.display_name or actor.public_username)


class ApplicationDetailOut(ApplicationOut):
    history: list[HistoryOut]
    may_decide: bool = Field(description="Whether the caller may approve or reject it now.")

    @staticmethod
    def resolve_history(application: JoinApplication) -> list[Any]:
        return list(application.history.select_related("actor").order_by("created_at", "id"))

    @staticmethod
    def resolve_may_decide(application: JoinApplication, context: dict[str, Any]) -> bool:
        user = request_user(context["request"])
        return application.status == JoinStatus.SUBMITTED and joining.may_decide(application, user)


class ApplicationPage(PageOut):
    items: list[ApplicationOut]


# One Literal rather than `JoinStatus | Literal["all"]`, so that a wrong value gets one message
# at one field path instead of one per member of the union; kept equal to the model's choices.
StatusFilter = Literal["submitted", "approved", "rejected", "withdrawn", "all"]
OccupationIn = Literal[
    "", "delivery_rider", "courier", "ride_hailing", "truck_driver", "domestic", "online_creator", "other"
]
assert set(get_args(StatusFilter)) == {*JoinStatus.values, "all"}
assert set(get_args(OccupationIn)) == {"", *GigOccupation.values}


class ApplicationQuery(Schema):
    status: StatusFilter = Field("submitted", description="Default: submitted (open).")
    org: Id | None = Field(None, description="An org id: applications to it and to everything under it.")
    overdue: bool = Field(False, description="Only open applications older than the review period.")
    page: PageNumber = 1


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: Id | None = Field(
        None,
        description="The union the applicant joins: required when the application is addressed to a "
        "federation (a union under it in the caller's scope); default the addressed union.",
    )
    workplace: Id | None = Field(None, description="The employer in the registry; default the applicant's.")
    comment: CleanText = Field("", max_length=joining.REASON_MAX)


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(max_length=joining.REASON_MAX, description="Required; texted to the applicant.")


def _detail(user: Any, application_id: int) -> JoinApplication:
    return get_visible(
        JoinApplication.objects.select_related("org", "workplace"), user, Perm.MEMBER_VIEW, pk=application_id
    )


@router.get("", response=ApplicationPage, summary="Applications to join in the caller's scope")
def list_applications(request: HttpRequest, filters: Query[ApplicationQuery]) -> dict[str, Any]:
    """Open applications oldest first (the order they are worked through), others newest first."""
    user = request_user(request)
    rows = joining.applications_in_scope(user)
    if filters.org is not None:
        org = get_visible(Org, user, Perm.MEMBER_VIEW, pk=filters.org)
        rows = rows.filter(org__path__startswith=org.path)
    if filters.overdue:
        rows = rows.filter(status=JoinStatus.SUBMITTED, created_at__lt=joining.overdue_cutoff())
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    oldest_first = filters.overdue or filters.status == "submitted"
    meta, items = page_of(
        rows.order_by(*(("created_at", "id") if oldest_first else ("-created_at", "-id"))), filters.page
    )
    return {**meta, "items": items}


@router.get("/{int:application_id}", response=ApplicationDetailOut, summary="One application to join")
def get_application(request: HttpRequest, application_id: PathId) -> JoinApplication:
    return _detail(request_user(request), application_id)


def _in(model: type[Org] | type[Workplace], pk: int | None, field: str, message: str) -> Any:
    """The row for a pk the caller sent (None when not sent); the service judges its scope.
    A missing row gets the service's answer for a row out of scope, so ids cannot be probed."""
    if pk is None:
        return None
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise ValidationFailed(message, fields={field: [message]})
    return row


@router.post(
    "/{int:application_id}/approve",
    response=ApplicationDetailOut,
    summary="Approve an application: the applicant becomes a member",
    openapi_extra={
        "responses": {
            "409": {
                "description": "`invalid_transition`: already decided; `active_elsewhere`: the person "
                "became an active member of another union meanwhile."
            }
        }
    },
)
def approve_application(request: HttpRequest, application_id: PathId, payload: ApproveIn) -> JoinApplication:
    user = request_user(request)
    application = get_visible(
        JoinApplication.objects.select_related("org"), user, Perm.MEMBER_VIEW, pk=application_id
    )
    joining.approve_join_application(
        application,
        actor=user,
        org=_in(Org, payload.org, "org", joining.placement_message(application)),
        workplace=_in(Workplace, payload.workplace, "workplace", str(joining.WORKPLACE_NOT_IN_SCOPE)),
        comment=payload.comment,
    )
    return _detail(user, application_id)


@router.post("/{int:application_id}/reject", response=ApplicationDetailOut, summary="Reject an application")
def reject_application(request: HttpRequest, application_id: PathId, payload: RejectIn) -> JoinApplication:
    user = request_user(request)
    application = get_visible(JoinApplication, user, Perm.MEMBER_VIEW, pk=application_id)
    joining.reject_join_application(application, actor=user, reason=payload.reason)
    return _detail(user, application_id)


# --------------------------------------------------------------------------------------------
# Joining routes
# --------------------------------------------------------------------------------------------


class RouteOut(Schema):
    id: int
    district: str
    township: str = Field(description="Empty: the whole district.")
    occupation: GigOccupation | Literal[""] = Field(description="Empty: any work, or none.")
    org: OrgRef = Field(description="Where the applicants go.")
    is_active: bool


class RoutePage(PageOut):
    items: list[RouteOut]


class RouteQuery(Schema):
    include_inactive: bool = Field(False, description="Also the routes taken out of use.")
    district: CleanText = Field("", max_length=routes.PLACE_MAX)
    page: PageNumber = 1


class RouteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: Id = Field(description="A federation or union in the caller's scope (Perm.ORG_CHANGE).")
    district: CleanText = Field(max_length=routes.PLACE_MAX)
    township: CleanText = Field("", max_length=routes.PLACE_MAX)
    occupation: OccupationIn = Field("", description="Empty: any work, or none.")


@routes_router.get("", response=RoutePage, summary="Joining routes in the caller's scope")
def list_routes(request: HttpRequest, filters: Query[RouteQuery]) -> dict[str, Any]:
    rows = visible(JoinRoute, request_user(request), Perm.ORG_VIEW).select_related("org")
    if not filters.include_inactive:
        rows = rows.filter(is_active=True)
    if filters.district:
        rows = rows.filter(district=filters.district)
    meta, items = page_of(rows.order_by("district", "township", "occupation", "id"), filters.page)
    return {**meta, "items": items}


@routes_router.post("", response={201: RouteOut}, summary="Add a joining route")
def create_route(request: HttpRequest, payload: RouteIn) -> Status[JoinRoute]:
    """409 `route_exists` when a route in use has the same district, township and platform work."""
    route = routes.create_join_route(
        actor=request_user(request),
        org=_in(Org, payload.org, "org", str(routes.ORG_NOT_IN_SCOPE)),
        district=payload.district,
        township=payload.township,
        occupation=payload.occupation,
    )
    return Status(201, route)


@routes_router.post(
    "/{int:route_id}/deactivate", response=RouteOut, summary="Take a joining route out of use"
)
def deactivate_route(request: HttpRequest, route_id: PathId) -> JoinRoute:
    user = request_user(request)
    route = get_visible(JoinRoute, user, Perm.ORG_VIEW, pk=route_id)
    return routes.deactivate_join_route(route, actor=user)
