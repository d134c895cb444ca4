"""API: dispute statistics, mounted at /api/v1/rights/statistics (gonghui.rights.statistics).

`GET ?start=&end=&by=&period=&org=` gives the figures of an org subtree (by default the top of
the caller's rights.view scope) for the days from `start` to `end`, in total and per row of the
breakdown, with the definitions of the figures. Amounts are decimal strings in yuan, rates
percentages with one decimal (null when nothing was concluded). An org outside the caller's scope
answers 404, like a missing one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.orgs.scoping import scope_paths
from gonghui.rights.statistics import (
    PERM,
    Request,
    as_json,
    default_org,
    default_range,
    dispute_statistics,
    range_problems,
    statistics_orgs,
)

router = Router(tags=["rights"])


class FiguresOut(Schema):
    received: int
    accepted: int
    collective: int
    settled: int
    failed: int
    declined: int
    concluded: int = Field(description="Settled + failed.")
    success_rate: Decimal | None = Field(
        description="Settled ÷ concluded, in percent; null when none concluded."
    )
    claimed: Decimal
    recovered: Decimal
    average_days: Decimal | None = Field(description="From receipt to settlement or failure.")


class RowOut(FiguresOut):
    key: str = Field(description="The period's first day, claim type, industry section, channel or org path.")
    label: str


class StatisticsOut(Schema):
    org: OrgRef
    start: date
    end: date
    breakdown: str
    period: str
    at: datetime
    definitions: list[str]
    totals: FiguresOut
    rows: list[RowOut]


class StatisticsQuery(Schema):
    start: date | None = Field(None, description="Default: the first of January of this year.")
    end: date | None = Field(None, description="Default: today.")
    by: Literal["period", "claim_type", "industry", "channel", "org"] = "period"
    period: Literal["month", "quarter", "year"] = "month"
    org: Id | None = Field(None, description="Default: the top of the caller's scope.")


@router.get("", response=StatisticsOut, summary="Dispute statistics of an org subtree")
def get_statistics(request: HttpRequest, filters: Query[StatisticsQuery]) -> dict[str, Any]:
    user = request_user(request)
    paths = scope_paths(user, PERM)
    if paths is not None and not paths:
        raise NotFound(_("There are no figures for you to see."))
    default_start, default_end = default_range(timezone.localdate())
    start, end = filters.start or default_start, filters.end or default_end
    problems = range_problems(start, end)
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    org = default_org(user) if filters.org is None else statistics_orgs(user).filter(pk=filters.org).first()
    if org is None:
        raise NotFound(
            _("There is no such organisation."), fields={"org": [_("There is no such organisation.")]}
        )
    chosen = Request(org=org, start=start, end=end, breakdown=filters.by, period=filters.period)
    return as_json(dispute_statistics(user, chosen))
