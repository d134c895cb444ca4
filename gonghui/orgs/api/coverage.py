"""REST API for coverage statistics (/api/v1/coverage): an org's subtree figures and its
children's, read from the `OrgCoverage` rollups. Scoped by Perm.COVERAGE_VIEW: an org outside
the caller's scope answers 404 exactly like a missing one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.api import request_user
from gonghui.core.api_types import PathId
from gonghui.core.errors import NotFound
from gonghui.orgs.models import FederationLevel, Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.orgs.selectors import COVERAGE_SORTS, coverage_children, coverage_of, percent

router = Router(tags=["coverage"])

OrgId = PathId

RATE_DESCRIPTION = "Percent with one decimal, rounded half up; null when the denominator is 0."


class CoverageOut(Schema):
    """Read from an Org whose coverage row is loaded (select_related("coverage"))."""

    org_id: int = Field(alias="id")
    org_name: str = Field(alias="name")
    org_kind: OrgKind = Field(alias="kind")
    org_level: FederationLevel | None = Field(description="For federations: city, district or township.")
    org_status: OrgStatus = Field(alias="status")
    unions: int = Field(
        alias="coverage.unions",
        description="Active grassroots, joint and industry unions in the subtree "
        "(no federations, no union groups).",
    )
    workplaces: int = Field(
        alias="coverage.workplaces",
        description="Workplaces placed in the subtree: by covering union, "
        "or by area when they have no union.",
    )
    unionised_workplaces: int = Field(
        alias="coverage.unionised_workplaces", description="Of those, the workplaces with a covering union."
    )
    employees: int = Field(
        alias="coverage.employees", description="Sum of those workplaces' employee counts."
    )
    members: int = Field(alias="coverage.members", description="Active members of the unions in the subtree.")
    founding_rate: Decimal | None = Field(
        description=f"unionised_workplaces / workplaces. {RATE_DESCRIPTION}"
    )
    membership_rate: Decimal | None = Field(description=f"members / employees. {RATE_DESCRIPTION}")
    refreshed_at: datetime = Field(
        alias="coverage.refreshed_at", description="When the rollups these figures come from were computed."
    )

    @staticmethod
    def resolve_org_level(org: Org) -> str | None:
        return org.level or None

    @staticmethod
    def resolve_founding_rate(org: Org) -> Decimal | None:
        return percent(org.coverage.unionised_workplaces, org.coverage.workplaces)

    @staticmethod
    def resolve_membership_rate(org: Org) -> Decimal | None:
        return percent(org.coverage.members, org.coverage.employees)


class CoveragePageOut(Schema):
    items: list[CoverageOut]
    count: int = Field(description="Children with figures, on all pages.")


class ChildrenQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="Items per page, 1 to 200.")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")
    sort: str = Field(
        "",
        pattern="^-?(" + "|".join(COVERAGE_SORTS) + ")?$",
        description="Order of the children: tree order when empty, else one of "
        + ", ".join(COVERAGE_SORTS)
        + "; a leading '-' sorts descending. Children without figures come last.",
    )


def _visible_org(request: HttpRequest, org_id: int) -> Org:
    org: Org = get_visible(
        Org.objects.select_related("coverage"), request_user(request), Perm.COVERAGE_VIEW, pk=org_id
    )
    return org


@router.get("/{int:org_id}", response=CoverageOut, summary="Coverage figures of an org's subtree")
def get_coverage(request: HttpRequest, org_id: OrgId) -> Org:
    """Unions, workplaces, founding rate (建会率), employees, members and membership rate (入会率)
    of the org and everything under it. 404 `coverage_not_computed` for an org created since the
    figures were last refreshed (they are refreshed in the background within minutes)."""
    org = _visible_org(request, org_id)
    if coverage_of(org) is None:
        raise NotFound(
            _(
                "The coverage figures of this organisation have not been computed yet. "
                "Try again in a few minutes."
            ),
            code="coverage_not_computed",
        )
    return org


@router.get(
    "/{int:org_id}/children",
    response=CoveragePageOut,
    summary="Coverage figures of each direct child of an org",
)
def list_child_coverage(request: HttpRequest, org_id: OrgId, query: Query[ChildrenQuery]) -> dict[str, Any]:
    """The drill-down: each direct child's subtree figures, limit/offset paged. Children created
    since the last refresh are left out until the figures include them."""
    org = _visible_org(request, org_id)
    children = coverage_children(org, sort=query.sort).filter(coverage__isnull=False)
    return {"items": list(children[query.offset : query.offset + query.limit]), "count": children.count()}
