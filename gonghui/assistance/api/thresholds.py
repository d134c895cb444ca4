"""API: income thresholds (低收入标准), mounted at /api/v1/assistance/thresholds.

`GET` lists the thresholds of the federations in the caller's scope (optionally of one year);
`POST` sets a federation's threshold for a year: 201 when it is new, 200 when the year's
threshold was changed (or already had these values), 409 `threshold_in_use` once a file of the
year has been compared against it. Amounts are decimal strings in yuan."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.assistance.models import MAX_REASON, IncomeThreshold
from gonghui.assistance.services import thresholds as services
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, page_of
from gonghui.core.inputs import CleanText
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

router = Router(tags=["assistance"])


class ThresholdOut(Schema):
    id: int
    org: OrgRef
    year: int
    monthly_per_capita: Decimal
    note: str
    in_use: bool = Field(
        description="A file of the year has been compared against it: it can no longer change."
    )
    updated_at: datetime


class ThresholdPage(PageOut):
    items: list[ThresholdOut]


class ThresholdQuery(Schema):
    year: int | None = Field(None, ge=services.FIRST_YEAR, le=9999)
    page: PageNumber = 1


class ThresholdIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: Id = Field(description="The federation.")
    year: int = Field(ge=services.FIRST_YEAR, le=9999)
    monthly_per_capita: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    note: CleanText = Field("", max_length=MAX_REASON, description="The basis of the figure.")


def _out(threshold: IncomeThreshold) -> dict[str, Any]:
    org = threshold.org
    return {
        "id": threshold.pk,
        "org": {"id": org.pk, "code": org.code, "name": org.name},
        "year": threshold.year,
        "monthly_per_capita": threshold.monthly_per_capita,
        "note": threshold.note,
        "in_use": services.is_compared(threshold),
        "updated_at": threshold.updated_at,
    }


@router.get("", response=ThresholdPage, summary="Income thresholds of the caller's federations")
def list_thresholds(request: HttpRequest, filters: Query[ThresholdQuery]) -> dict[str, Any]:
    rows = visible(IncomeThreshold, request_user(request), Perm.ASSISTANCE_VIEW).select_related("org")
    if filters.year:
        rows = rows.filter(year=filters.year)
    meta, items = page_of(rows.order_by("-year", "org__path", "id"), filters.page)
    return {**meta, "items": [_out(item) for item in items]}


@router.post(
    "", response={200: ThresholdOut, 201: ThresholdOut}, summary="Set a federation's threshold for a year"
)
def set_threshold(request: HttpRequest, payload: ThresholdIn) -> Status[dict[str, Any]]:
    result = services.set_income_threshold(
        actor=request_user(request),
        org=payload.org,
        year=payload.year,
        monthly_per_capita=payload.monthly_per_capita,
        note=payload.note,
    )
    return Status(201 if result.created else 200, _out(result.threshold))
