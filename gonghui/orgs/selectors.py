"""Reads over the org tree that are more than a one-line filter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, FloatField, QuerySet, Sum
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.errors import ValidationFailed
from gonghui.orgs.models import Org, OrgCoverage
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import granted_tops, scope_paths, visible


def scope_roots(user: User) -> list[Org]:
    """The tops of the subtrees the user's role grants cover (grants on active orgs, as scoping
    counts them), in tree order. A superuser's scope is every tree in the database."""
    if user.is_superuser:
        return list(Org.objects.filter(depth=1))
    return list(Org.objects.filter(pk__in=[top.org_id for top in granted_tops(user)]).order_by("path"))


@dataclass(frozen=True)
class CoverageSummary:
    unions: int
    active_members: int
    covered_workplaces: int


def coverage_summary(roots: list[Org]) -> CoverageSummary | None:
    """Totals over the given subtrees (which never nest: see scope_roots), read from the
    coverage rollups, so the city root costs one row read rather than a scan of its members.
    None when there are no roots; zeros until the rollups have first been refreshed."""
    if not roots:
        return None
    totals = OrgCoverage.objects.filter(org__in=roots).aggregate(
        unions=Sum("unions"), members=Sum("members"), unionised=Sum("unionised_workplaces")
    )
    return CoverageSummary(
        unions=totals["unions"] or 0,
        active_members=totals["members"] or 0,
        covered_workplaces=totals["unionised"] or 0,
    )


# --- coverage statistics -----------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal | None:
    """`part / whole` as a percentage rounded half up to one decimal; None when `whole` is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Coverage:
    """An org's subtree figures (see gonghui.orgs.services.coverage for what each counts)."""

    org: Org
    unions: int
    workplaces: int
    unionised_workplaces: int
    employees: int
    members: int
    refreshed_at: datetime

    @classmethod
    def of(cls, org: Org, row: OrgCoverage) -> Coverage:
        return cls(
            org=org,
            unions=row.unions,
            workplaces=row.workplaces,
            unionised_workplaces=row.unionised_workplaces,
            employees=row.employees,
            members=row.members,
            refreshed_at=row.refreshed_at,
        )

    @property
    def founding_rate(self) -> Decimal | None:
        """建会率: unionised workplaces / workplaces, in percent."""
        return percent(self.unionised_workplaces, self.workplaces)

    @property
    def membership_rate(self) -> Decimal | None:
        """入会率: members / employees, in percent. Members of industry unions (gig workers) need
        not work at a counted workplace, so this can exceed 100 %."""
        return percent(self.members, self.employees)


def _row(org: Org) -> OrgCoverage | None:
    try:
        return org.coverage
    except OrgCoverage.DoesNotExist:
        return None


def coverage_of(org: Org) -> Coverage | None:
    """`org`'s figures, or None if the rollups have not been refreshed since it was created.
    The caller has already checked that the user may see `org` (get_visible)."""
    row = _row(org)
    return None if row is None else Coverage.of(org, row)


def coverage_roots(user: Any) -> QuerySet[Org]:
    """Where the user's coverage view starts: the tops of their COVERAGE_VIEW scope (the tree
    roots for a superuser), each with its coverage row, in tree order."""
    paths = scope_paths(user, Perm.COVERAGE_VIEW)
    roots: QuerySet[Org] = (
        Org.objects.filter(depth=1) if paths is None else Org.objects.filter(path__in=paths)
    )
    return roots.select_related("coverage").order_by("path")


# Sorting the drill-down table: ?sort= value -> expression; anything else means tree order.
_FOUNDING = Cast("coverage__unionised_workplaces", FloatField()) / NullIf(F("coverage__workplaces"), 0)
_MEMBERSHIP = Cast("coverage__members", FloatField()) / NullIf(F("coverage__employees"), 0)
COVERAGE_SORTS: dict[str, Any] = {
    "unions": F("coverage__unions"),
    "workplaces": F("coverage__workplaces"),
    "unionised_workplaces": F("coverage__unionised_workplaces"),
    "founding_rate": _FOUNDING,
    "employees": F("coverage__employees"),
    "members": F("coverage__members"),
    "membership_rate": _MEMBERSHIP,
}


def coverage_children(org: Org, *, sort: str = "") -> QuerySet[Org]:
    """The direct children of `org` with their coverage rows, in tree order, or sorted by `sort`
    (a key of COVERAGE_SORTS, "-" in front for descending; rows without figures last).
    Children are inside the parent's subtree, so a visible parent makes them visible too."""
    children: QuerySet[Org] = Org.objects.filter(
        path__startswith=org.path, depth=org.depth + 1
    ).select_related("coverage")
    expression = COVERAGE_SORTS.get(sort.removeprefix("-"))
    if expression is None:
        return children.order_by("path")
    key = expression.desc(nulls_last=True) if sort.startswith("-") else expression.asc(nulls_last=True)
    return children.order_by(key, "path")


def coverage_rows(orgs: Iterable[Org]) -> list[Coverage | Org]:
    """Each org's Coverage, or the org itself where no figures exist yet (select_related the
    coverage row first)."""
    rows: list[Coverage | Org] = []
    for org in orgs:
        row = _row(org)
        rows.append(org if row is None else Coverage.of(org, row))
    return rows


def org_in_scope(user: Any, perm: Perm, code: str, *, field: str = "org") -> Org:
    """The org a form or payload names by its code, if `user` holds `perm` over it.

    Raises ValidationFailed on `field` otherwise: a code outside the scope reads exactly like an
    unknown one, so nobody learns which codes exist elsewhere.
    """
    found = visible(Org, user, perm).filter(code__iexact=code.strip()).first()
    if found is None:
        message = _("Give the code of a union in your scope.")
        raise ValidationFailed(message, fields={field: [message]})
    return found
