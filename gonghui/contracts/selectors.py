"""Reads of collective contracts: the filtered registry, coverage rates per subtree, a
workplace's contracts, and bargaining topics with the rule of who sees the proposer.

Coverage (what the console page states):
- a workplace is placed like the coverage statistics place it (gonghui.orgs.services.coverage):
  in the subtree of its covering union, else of the federation or joint union whose area it
  lies in; a workplace with neither is counted nowhere;
- it is *covered* on a day when a contract in force that day (status in force, the day within
  its term) lists it, whoever registered the contract;
- rate among unionised workplaces = covered workplaces that have a union ÷ workplaces that have
  a union; rate among all workplaces = covered workplaces ÷ workplaces; employees covered = the
  employee counts of the covered workplaces ÷ those of all workplaces.
All figures of the children of one org come from one GROUP BY over the workplaces, grouped by
their placing path cut at the children's depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from gonghui.contracts.models import (
    BargainingTopic,
    CollectiveContract,
    ContractCoverage,
    ContractKind,
    ContractStatus,
    TopicCategory,
    TopicStatus,
)
from gonghui.orgs.models import Org, RoleGrant, Workplace
from gonghui.orgs.permissions import ROLE_PERMISSIONS, Perm
from gonghui.orgs.scoping import scope_paths, visible
from gonghui.orgs.selectors import percent

KINDS = tuple(ContractKind)


def contracts_for(user: Any) -> QuerySet[CollectiveContract]:
    return visible(CollectiveContract, user, Perm.CONTRACTS_VIEW).select_related("org")


def filter_contracts(
    rows: QuerySet[CollectiveContract],
    *,
    kind: str = "",
    scope: str = "",
    status: str = "",
    expiring: bool = False,
    today: date,
) -> QuerySet[CollectiveContract]:
    """The registry list's filters; `expiring`: in force and past its reminder day."""
    if kind:
        rows = rows.filter(kind=kind)
    if scope:
        rows = rows.filter(scope=scope)
    if status:
        rows = rows.filter(status=status)
    if expiring:
        rows = expiring_contracts(rows, today)
    return rows


def expiring_contracts(rows: QuerySet[CollectiveContract], today: date) -> QuerySet[CollectiveContract]:
    return rows.filter(status=ContractStatus.IN_FORCE, reminder_due_on__lte=today, term_end__gte=today)


# --- coverage ------------------------------------------------------------------------------------


@dataclass
class CoverageFigures:
    workplaces: int = 0
    unionised: int = 0
    covered: int = 0
    covered_unionised: int = 0
    employees: int = 0
    covered_employees: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # covered workplaces per contract kind

    def add(self, other: CoverageFigures) -> None:
        for name in (
            "workplaces",
            "unionised",
            "covered",
            "covered_unionised",
            "employees",
            "covered_employees",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.by_kind.items():
            self.by_kind[kind] = self.by_kind.get(kind, 0) + count

    @property
    def rate_unionised(self) -> Decimal | None:
        return percent(self.covered_unionised, self.unionised)

    @property
    def rate_all(self) -> Decimal | None:
        return percent(self.covered, self.workplaces)

    @property
    def rate_employees(self) -> Decimal | None:
        return percent(self.covered_employees, self.employees)

    def kind_counts(self) -> list[int]:
        return [self.by_kind.get(kind, 0) for kind in KINDS]


@dataclass(frozen=True)
class CoverageLine:
    org: Org
    is_self: bool
    figures: CoverageFigures


@dataclass(frozen=True)
class CoverageReport:
    org: Org
    day: date
    lines: list[CoverageLine]
    total: CoverageFigures


def coverage_orgs(user: Any) -> QuerySet[Org]:
    return visible(Org, user, Perm.CONTRACTS_VIEW)


def default_coverage_org(user: Any) -> Org | None:
    """The top of the viewer's scope (the first tree root for a superuser)."""
    paths = scope_paths(user, Perm.CONTRACTS_VIEW)
    roots = Org.objects.filter(depth=1) if paths is None else Org.objects.filter(path__in=paths)
    first: Org | None = roots.order_by("path").first()
    return first


def _covered(day: date, kind: str | None = None) -> Exists:
    rows = ContractCoverage.objects.filter(
        workplace=OuterRef("pk"),
        contract__status=ContractStatus.IN_FORCE,
        contract__term_start__lte=day,
        contract__term_end__gte=day,
    )
    if kind is not None:
        rows = rows.filter(contract__kind=kind)
    return Exists(rows)


def coverage_report(org: Org, day: date) -> CoverageReport:
    """The coverage of `org`'s subtree on `day`, per child (and the org's own workplaces first).
    The caller has checked that the viewer may see `org`."""
    width = (org.depth + 1) * Org.steplen
    kinds = {f"c_{kind}": _covered(day, kind) for kind in KINDS}
    aggregates: dict[str, Any] = {
        "workplaces": Count("pk"),
        "unionised": Count("pk", filter=Q(union__isnull=False)),
        "covered": Count("pk", filter=Q(c_any=True)),
        "covered_unionised": Count("pk", filter=Q(c_any=True, union__isnull=False)),
        "employees": Coalesce(Sum("employee_count"), 0),
        "covered_employees": Coalesce(Sum("employee_count", filter=Q(c_any=True)), 0),
        **{f"n_{kind}": Count("pk", filter=Q(**{f"c_{kind}": True})) for kind in KINDS},
    }
    grouped = (
        Workplace.objects.annotate(placed=Coalesce("union__path", "jurisdiction__path"))
        .filter(placed__startswith=org.path)
        .annotate(prefix=Substr("placed", 1, width), c_any=_covered(day), **kinds)
        .values("prefix")
        .annotate(**aggregates)
        .order_by()
    )
    figures: dict[str, CoverageFigures] = {}
    for row in grouped:
        figures[row["prefix"]] = CoverageFigures(
            workplaces=row["workplaces"],
            unionised=row["unionised"],
            covered=row["covered"],
            covered_unionised=row["covered_unionised"],
            employees=row["employees"],
            covered_employees=row["covered_employees"],
            by_kind={kind: row[f"n_{kind}"] for kind in KINDS},
        )
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    lines = [CoverageLine(org, True, figures.get(org.path, CoverageFigures()))]
    lines += [CoverageLine(child, False, figures.get(child.path, CoverageFigures())) for child in children]
    total = CoverageFigures()
    for line in lines:
        total.add(line.figures)
    return CoverageReport(org=org, day=day, lines=lines, total=total)


def coverage_definition() -> str:
    """What the figures count, in words for the page, the workbook and the API."""
    return _(
        "A workplace is covered on the day when a contract in force that day lists it, whoever "
        "registered the contract. Rate among unionised workplaces = covered workplaces with a union ÷ "
        "workplaces with a union; rate among all workplaces = covered workplaces ÷ all workplaces; "
        "employees covered = employees of the covered workplaces ÷ employees of all workplaces. "
        "Workplaces are counted under their union, or under the federation of their area when they "
        "have none."
    )


def coverage_chart(report: CoverageReport) -> dict[str, Any]:
    """The two rates of each child for the console's bar chart (app.js draws `coverage-chart`)."""
    lines = [line for line in report.lines if not line.is_self]

    def values(rates: list[Decimal | None]) -> list[float | None]:
        # ECharts takes JSON numbers; the figures themselves stay Decimal everywhere else.
        return [None if rate is None else float(rate) for rate in rates]

    return {
        "labels": [line.org.short_name or line.org.name for line in lines],
        "series": [
            {
                "name": _("Among unionised workplaces"),
                "values": values([line.figures.rate_unionised for line in lines]),
            },
            {"name": _("Among all workplaces"), "values": values([line.figures.rate_all for line in lines])},
        ],
        "axis_label": _("Percent"),
    }


# --- a workplace's contracts -----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkplaceContract:
    contract: CollectiveContract
    linked: bool  # whether the viewer may open the contract's page


PANEL_LIMIT = 20


def workplace_contracts(workplace: Workplace, user: Any) -> list[WorkplaceContract]:
    """The contracts covering `workplace`, newest term first. Which contracts cover a workplace
    is a fact of the workplace, shown to whoever sees its page; a contract's own page opens only
    for those who see its registering union."""
    rows = list(
        CollectiveContract.objects.filter(coverage__workplace=workplace)
        .select_related("org")
        .order_by("-term_start", "-pk")[:PANEL_LIMIT]
    )
    mine = set(contracts_for(user).filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True))
    return [WorkplaceContract(row, row.pk in mine) for row in rows]


# --- bargaining topics ---------------------------------------------------------------------------

_VIEW_ROLES = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CONTRACTS_VIEW in perms]


def topics_for(user: Any) -> QuerySet[BargainingTopic]:
    return visible(BargainingTopic, user, Perm.CONTRACTS_VIEW).select_related("org", "member")


def own_union_ids(user: Any) -> set[int]:
    """The unions the officer serves directly (a grant on the union itself, not above it): only
    there do they see who proposed a topic."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(RoleGrant.objects.filter(user=user, role__in=_VIEW_ROLES).values_list("org_id", flat=True))


def proposer_label(topic: BargainingTopic, own_unions: set[int]) -> str:
    member = topic.member
    return member.name if topic.org_id in own_unions else member.masked_name


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    open: int
    adopted: int
    not_adopted: int

    @property
    def total(self) -> int:
        return self.open + self.adopted + self.not_adopted


def topic_counts(rows: QuerySet[BargainingTopic]) -> list[CategoryCount]:
    """How many topics of each category are open, adopted and not adopted (one GROUP BY)."""
    counts: dict[tuple[str, str], int] = {
        (row["category"], row["status"]): row["n"]
        for row in rows.order_by().values("category", "status").annotate(n=Count("pk"))
    }
    return [
        CategoryCount(
            category=category.value,
            label=str(category.label),
            open=counts.get((category.value, TopicStatus.OPEN), 0),
            adopted=counts.get((category.value, TopicStatus.ADOPTED), 0),
            not_adopted=counts.get((category.value, TopicStatus.NOT_ADOPTED), 0),
        )
        for category in TopicCategory
    ]


MY_TOPICS_LIMIT = 100


def my_topics(user: Any) -> QuerySet[BargainingTopic]:
    return BargainingTopic.objects.filter(user=user).select_related("org").order_by("-created_at", "-pk")
