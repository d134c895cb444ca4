"""REST API for officer terms (/api/v1/officers) and role grants (/api/v1/role-grants).

Both are scoped: a list shows only what the caller may see, and an object outside the caller's
subtree answers 404 exactly like a missing one. Writes go through gonghui.orgs.services.

No `from __future__ import annotations` here: ninja's @paginate reads the view's annotations
through its own wrapper, where string annotations such as "Query[OfficerFilters]" cannot be
resolved.
"""

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import MAX_ID, PathId
from gonghui.core.errors import ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.core.mobile import mask_mobile
from gonghui.orgs.models import (
    OfficerPosition,
    OfficerTerm,
    OfficerTermQuerySet,
    OfficerTermState,
    Org,
    Role,
    RoleGrant,
)
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.services import officers as officer_services
from gonghui.orgs.services import roles as role_services

router = Router(tags=["officers"])
role_grants_router = Router(tags=["role grants"])

ObjectId = PathId


class Page(LimitOffsetPagination):
    """limit/offset paging with bounds the database can take (SQLite integers are 64-bit)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="Items per page, 1 to 200.")
        offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")


# --- officer terms ---------------------------------------------------------------------------

Name = Annotated[CleanText, Field(min_length=1, max_length=60, description="The officer's name.")]
Phone = Annotated[
    CleanText,
    Field(max_length=20, description="Mobile number, or landline with area code (0574-87654321)."),
]
Username = Annotated[
    CleanText, Field(max_length=40, description="The officer's console account, if they have one.")
]


class OfficerTermOut(Schema):
    id: int
    org_id: int
    org_name: str
    name: str
    position: OfficerPosition
    position_label: str
    username: str | None = Field(description="The officer's console account, if linked.")
    masked_contact_phone: str = Field(description="For example 138****8000; landlines fully masked.")
    elected_on: date | None
    term_start: date
    term_end: date
    ended_on: date | None = Field(description="The day the officer left office, if they have.")
    end_reason: str
    state: OfficerTermState = Field(description="Where the term stands today.")
    days_left: int | None = Field(description="Days until the term ends, for terms in office.")

    @staticmethod
    def resolve_org_name(term: OfficerTerm) -> str:
        return term.org.name

    @staticmethod
    def resolve_position_label(term: OfficerTerm) -> str:
        return str(term.get_position_display())

    @staticmethod
    def resolve_username(term: OfficerTerm) -> str | None:
        return term.user.username if term.user is not None else None

    @staticmethod
    def resolve_masked_contact_phone(term: OfficerTerm) -> str:
        return mask_mobile(term.contact_phone) if term.contact_phone else ""

    @staticmethod
    def resolve_state(term: OfficerTerm) -> OfficerTermState:
        return term.state_on(timezone.localdate())

    @staticmethod
    def resolve_days_left(term: OfficerTerm) -> int | None:
        today = timezone.localdate()
        if term.state_on(today) != OfficerTermState.CURRENT:
            return None
        return (term.term_end - today).days


class OfficerTermIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org_id: int = Field(ge=1, le=MAX_ID, description="The union whose committee the officer sits on.")
    name: Name
    position: OfficerPosition
    term_start: date
    term_end: date = Field(description="After term_start.")
    elected_on: date | None = Field(None, description="Not after term_start.")
    contact_phone: Phone = ""
    username: Username = ""


class OfficerTermPatch(Schema):
    """Only the fields sent are changed. `elected_on` may be null; other fields may not."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    position: OfficerPosition | None = None
    term_start: date | None = None
    term_end: date | None = None
    elected_on: date | None = None
    contact_phone: Phone | None = None
    username: Username | None = None


class OfficerTermEndIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ended_on: date = Field(description="The day the officer left office; not in the future.")
    reason: Annotated[CleanText, Field(min_length=1, max_length=200, description="Why the term ended.")]


class OfficerFilters(Schema):
    org: int | None = Field(None, ge=1, le=MAX_ID, description="Only this union's officers.")
    position: OfficerPosition | None = None
    state: OfficerTermState | None = Field(None, description="Omit for terms in every state.")
    ending_within_days: int | None = Field(
        None, ge=0, le=3660, description="Terms in office that end within this many days from today."
    )
    q: Annotated[CleanText, Field(max_length=60, description="Part of the officer's name.")] = ""


_TERMS = OfficerTerm.objects.select_related("org", "user")


def _term(request: HttpRequest, perm: Perm, term_id: int) -> OfficerTerm:
    return get_visible(_TERMS, request_user(request), perm, pk=term_id)


@router.get("", response=list[OfficerTermOut], summary="Officer terms in your scope")
@paginate(Page)
def list_officer_terms(request: HttpRequest, filters: Query[OfficerFilters]) -> QuerySet[OfficerTerm]:
    """Committee order within each union: chair, vice chairs, assistant, committee members.
    With `ending_within_days`, terms in office that end soonest come first."""
    terms = cast("OfficerTermQuerySet", visible(_TERMS, request_user(request), Perm.OFFICER_VIEW))
    return terms.matching(
        on=timezone.localdate(),
        org_id=filters.org,
        position=filters.position,
        state=filters.state,
        name=filters.q,
        ending_within_days=filters.ending_within_days,
    )


@router.get("/{term_id}", response=OfficerTermOut, summary="One officer term")
def get_officer_term(request: HttpRequest, term_id: ObjectId) -> OfficerTerm:
    return _term(request, Perm.OFFICER_VIEW, term_id)


@router.post("", response={201: OfficerTermOut}, summary="Record an officer term")
def create_officer_term(request: HttpRequest, payload: OfficerTermIn) -> Status[OfficerTerm]:
    """A union has at most one chair at a time: an overlapping chair term answers 409
    `chair_already_in_office`, naming the chair in office."""
    actor = request_user(request)
    org = get_visible(Org, actor, Perm.OFFICER_CHANGE, pk=payload.org_id)
    data = officer_services.OfficerTermData(**payload.model_dump(exclude={"org_id"}))
    term = officer_services.add_officer_term(org=org, data=data, actor=actor)
    return Status(201, term)


@router.patch("/{term_id}", response=OfficerTermOut, summary="Change an officer term")
def update_officer_term(request: HttpRequest, term_id: ObjectId, payload: OfficerTermPatch) -> OfficerTerm:
    actor = request_user(request)
    term = _term(request, Perm.OFFICER_CHANGE, term_id)
    changes = payload.model_dump(exclude_unset=True)
    nulls = sorted(key for key, value in changes.items() if value is None and key != "elected_on")
    if nulls:
        raise ValidationFailed(
            _("Some of the data is not valid. See the fields."),
            fields={key: [_("This field cannot be empty.")] for key in nulls},
        )
    data = replace(officer_services.OfficerTermData.of(term), **changes)
    return officer_services.update_officer_term(term=term, data=data, actor=actor)


@router.post("/{term_id}/end", response=OfficerTermOut, summary="Record that an officer left office")
def end_officer_term(request: HttpRequest, term_id: ObjectId, payload: OfficerTermEndIn) -> OfficerTerm:
    actor = request_user(request)
    term = _term(request, Perm.OFFICER_CHANGE, term_id)
    return officer_services.end_officer_term(
        term=term, ended_on=payload.ended_on, reason=payload.reason, actor=actor
    )


# --- role grants -----------------------------------------------------------------------------


class RoleGrantOut(Schema):
    id: int
    org_id: int
    org_name: str
    user_id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    otp_required: bool = Field(description="The account must sign in with a one-time code.")
    created_at: datetime

    @staticmethod
    def resolve_org_name(grant: RoleGrant) -> str:
        return grant.org.name

    @staticmethod
    def resolve_username(grant: RoleGrant) -> str:
        return grant.user.username

    @staticmethod
    def resolve_display_name(grant: RoleGrant) -> str:
        return grant.user.display_name

    @staticmethod
    def resolve_role_label(grant: RoleGrant) -> str:
        return str(grant.get_role_display())

    @staticmethod
    def resolve_otp_required(grant: RoleGrant) -> bool:
        return grant.user.otp_required


class RoleGrantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org_id: int = Field(ge=1, le=MAX_ID, description="The role covers this org and its whole subtree.")
    username: Annotated[CleanText, Field(min_length=1, max_length=40, description="An officer account.")]
    role: Role = Field(description="A role on a federation switches on two-factor sign-in for the account.")


class RoleGrantFilters(Schema):
    org: int | None = Field(None, ge=1, le=MAX_ID, description="Only grants on this org itself.")
    username: Annotated[CleanText, Field(max_length=40)] = ""


_GRANTS = RoleGrant.objects.select_related("org", "user")


def _grant(request: HttpRequest, grant_id: int) -> RoleGrant:
    return get_visible(_GRANTS, request_user(request), Perm.ROLE_GRANT, pk=grant_id)


@role_grants_router.get("", response=list[RoleGrantOut], summary="Role grants in your scope")
@paginate(Page)
def list_role_grants(request: HttpRequest, filters: Query[RoleGrantFilters]) -> QuerySet[RoleGrant]:
    grants = visible(_GRANTS, request_user(request), Perm.ROLE_GRANT)
    if filters.org is not None:
        grants = grants.filter(org_id=filters.org)
    if filters.username:
        grants = grants.filter(user__username__iexact=filters.username)
    return grants.order_by("org__path", "role", "user__username", "pk")


@role_grants_router.get("/{grant_id}", response=RoleGrantOut, summary="One role grant")
def get_role_grant(request: HttpRequest, grant_id: ObjectId) -> RoleGrant:
    return _grant(request, grant_id)


@role_grants_router.post("", response={201: RoleGrantOut}, summary="Give an officer a role")
def create_role_grant(request: HttpRequest, payload: RoleGrantIn) -> Status[RoleGrant]:
    """Nobody can change their own roles or give rights they do not hold there (403)."""
    actor = request_user(request)
    org = get_visible(Org, actor, Perm.ROLE_GRANT, pk=payload.org_id)
    user = role_services.officer_by_username(payload.username)
    grant = role_services.grant_role(user=user, org=org, role=payload.role, actor=actor)
    return Status(201, grant)


@role_grants_router.delete("/{grant_id}", response={204: None}, summary="Revoke a role grant")
def delete_role_grant(request: HttpRequest, grant_id: ObjectId) -> Status[None]:
    actor = request_user(request)
    role_services.revoke_role(grant=_grant(request, grant_id), actor=actor)
    return Status(204, None)
