"""REST API of workplaces, mounted by gonghui.api at /api/v1/workplaces.

Lists are pages of `{count, items}` chosen with `limit` and `offset`, with the console list's
filters and sorts. A workplace, area or union outside the caller's scope answers 404 exactly like
a missing one, in the path and in the body (`jurisdiction_id`, `union_id`) alike. Writes need
Perm.WORKPLACE_CHANGE, as in the console.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import MAX_ID, PathId
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.orgs.models import Industry, Org, Ownership, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.orgs.services.workplaces import (
    MAX_EMPLOYEES,
    WorkplaceData,
    WorkplaceFilter,
    area_or_union,
    create_workplace,
    filter_workplaces,
    update_workplace,
)

router = Router(tags=["workplaces"])

WorkplaceId = PathId
BodyOrgId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
Sort = Literal["name", "-name", "employee_count", "-employee_count"]


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class OrgRefOut(Schema):
    id: int
    code: str
    name: str


class WorkplaceOut(Schema):
    id: int
    credit_code: str = Field(description="Unified social credit code, 18 characters.")
    name: str
    industry: Industry = Field(description="GB/T 4754 section letter.")
    ownership: Ownership
    employee_count: int
    address: str
    district: str
    jurisdiction: OrgRefOut | None = Field(
        description="The township or street federation, or joint union, whose area it lies in."
    )
    union: OrgRefOut | None = Field(description="The union covering it; None while it has none.")
    is_unionised: bool
    created_at: datetime
    updated_at: datetime


class WorkplacePage(Schema):
    count: int = Field(description="Matching workplaces in all pages.")
    items: list[WorkplaceOut]


class WorkplaceFilters(Schema):
    limit: int = Field(50, ge=1, le=200, description="Items per page.")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")
    q: Annotated[CleanText, Field(max_length=120)] | None = Field(
        None, description="Part of the name, or the beginning of the credit code."
    )
    district: Annotated[CleanText, Field(max_length=40)] | None = None
    industry: Industry | None = None
    ownership: Ownership | None = None
    unionised: bool | None = Field(
        None, description="Only workplaces with (true) or without (false) a union."
    )
    union: int | None = Field(None, ge=1, le=MAX_ID, description="Only workplaces this union covers.")
    area: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only workplaces in the area of this org or of any org under it."
    )
    sort: Sort = "name"


CreditCode = Annotated[CleanText, Field(min_length=1, max_length=40, description="18 characters.")]
Name = Annotated[CleanText, Field(min_length=1, max_length=120)]
Employees = Annotated[int, Field(ge=0, le=MAX_EMPLOYEES, strict=True)]
Address = Annotated[CleanText, Field(max_length=200)]
District = Annotated[CleanText, Field(max_length=40)]


class WorkplaceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    credit_code: CreditCode
    name: Name
    industry: Industry
    ownership: Ownership
    employee_count: Employees
    address: Address = ""
    district: District = ""
    jurisdiction_id: BodyOrgId = Field(
        description="The township or street federation, or joint union, whose area it lies in."
    )
    union_id: BodyOrgId | None = Field(None, description="The union covering it, if it has one.")


class WorkplacePatchIn(Schema):
    """Only the fields sent are changed; `"union_id": null` records that it has no union."""

    model_config = ConfigDict(extra="forbid")

    credit_code: CreditCode | None = None
    name: Name | None = None
    industry: Industry | None = None
    ownership: Ownership | None = None
    employee_count: Employees | None = None
    address: Address | None = None
    district: District | None = None
    jurisdiction_id: BodyOrgId | None = None
    union_id: BodyOrgId | None = None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _org_ref(org: Org | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "code": org.code, "name": org.name}


def _out(workplace: Workplace) -> dict[str, Any]:
    return {
        "id": workplace.pk,
        "credit_code": workplace.credit_code,
        "name": workplace.name,
        "industry": workplace.industry,
        "ownership": workplace.ownership,
        "employee_count": workplace.employee_count,
        "address": workplace.address,
        "district": workplace.district,
        "jurisdiction": _org_ref(workplace.jurisdiction),
        "union": _org_ref(workplace.union),
        "is_unionised": workplace.is_unionised,
        "created_at": workplace.created_at,
        "updated_at": workplace.updated_at,
    }


def _workplace(request: HttpRequest, workplace_id: int, perm: Perm) -> Workplace:
    queryset = Workplace.objects.select_related("jurisdiction", "union")
    try:
        return get_visible(queryset, request_user(request), perm, pk=workplace_id)
    except Http404 as exc:
        raise NotFound(_("This workplace does not exist.")) from exc


# --------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------


@router.get("", response=WorkplacePage, summary="Workplaces in your scope")
def list_workplaces(request: HttpRequest, filters: Query[WorkplaceFilters]) -> dict[str, Any]:
    """Workplaces you may see, filtered and sorted. A `union` or `area` outside your scope
    matches nothing, as a missing one does."""
    user = request_user(request)
    spec = WorkplaceFilter(
        q=filters.q or "",
        district=filters.district or "",
        industry=filters.industry or "",
        ownership=filters.ownership or "",
        unionised=filters.unionised,
        union=area_or_union(user, filters.union),
        area=area_or_union(user, filters.area),
        sort=filters.sort,
    )
    workplaces = filter_workplaces(user, spec)
    if (filters.union is not None and spec.union is None) or (filters.area is not None and spec.area is None):
        workplaces = workplaces.none()
    rows = list(workplaces[filters.offset : filters.offset + filters.limit])
    return {"count": workplaces.count(), "items": [_out(workplace) for workplace in rows]}


@router.get("/{int:workplace_id}", response=WorkplaceOut, summary="One workplace")
def get_workplace(request: HttpRequest, workplace_id: WorkplaceId) -> dict[str, Any]:
    return _out(_workplace(request, workplace_id, Perm.WORKPLACE_VIEW))


@router.post("", response={201: WorkplaceOut}, summary="Register a workplace")
def create(request: HttpRequest, payload: WorkplaceIn) -> Status[dict[str, Any]]:
    """Needs Perm.WORKPLACE_CHANGE at the area and, if given, at the union."""
    workplace = create_workplace(actor=request_user(request), data=WorkplaceData(**payload.dict()))
    return Status(201, _out(workplace))


# Fields that may not be cleared with `null` (only the union, address and district may).
_REQUIRED = ("credit_code", "name", "industry", "ownership", "employee_count", "jurisdiction_id")


@router.patch("/{int:workplace_id}", response=WorkplaceOut, summary="Change a workplace")
def update(request: HttpRequest, workplace_id: WorkplaceId, payload: WorkplacePatchIn) -> dict[str, Any]:
    """Changes the fields sent. Moving it to another area or union needs Perm.WORKPLACE_CHANGE
    there as well."""
    user = request_user(request)
    workplace = _workplace(request, workplace_id, Perm.WORKPLACE_CHANGE)
    changes = payload.dict(exclude_unset=True)
    cleared = {
        name: [_("This field is required.")]
        for name in _REQUIRED
        if name in changes and changes[name] is None
    }
    if cleared:
        raise ValidationFailed(_("Some of the data is not valid. See the fields."), fields=cleared)
    for name in ("address", "district"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    update_workplace(workplace, actor=user, changes=changes)
    return _out(workplace)
