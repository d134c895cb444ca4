"""The mutual aid report of one plan for one org subtree, shared by the console page, its xlsx
download and the API (docs/mutualaid-rules.md, "Reports").

Counts and money only: no hospital, diagnosis or invoice line ever leaves this module, so the
report can be shown to every holder of MUTUALAID_VIEW (finance officers and auditors too).

`plan_report` counts in the database with a fixed number of queries whatever the plan's size:
enrolments, enrolment batches and claims are each grouped once by the prefix of their union's
path cut one level below the chosen org (Substr), the claims once more by type and status, and
their invoice lines once by type and status. Totals are the sums of the branch rows, so a total
and its breakdown can never disagree.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import xlsxwriter
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.money import to_money
from gonghui.core.spreadsheets import neutralise_formula
from gonghui.mutualaid.models import (
    CAP_STATUSES,
    AidClaim,
    AidClaimLine,
    AidClaimStatus,
    AidPlan,
    AidPlanStatus,
    ClaimType,
    Enrolment,
    EnrolmentBatch,
)
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import path_filter, scope_paths, visible

ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")
PERM = Perm.MUTUALAID_VIEW
# The order claims move through their statuses; a report lists them so.
STATUS_ORDER: tuple[AidClaimStatus, ...] = (
    AidClaimStatus.ENTERED,
    AidClaimStatus.CHECKED,
    AidClaimStatus.SECOND_REVIEW,
    AidClaimStatus.APPROVED,
    AidClaimStatus.IN_PAYMENT,
    AidClaimStatus.PAID,
    AidClaimStatus.REJECTED,
)
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)


def _money(value: Any) -> Decimal:
    return to_money(value) if value is not None else ZERO


def _sum(expression: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=_MONEY)


def average(total: Decimal, count: int) -> Decimal | None:
    """`total` ÷ `count` to the fen (half up); None when there is nothing to divide by."""
    return to_money(total / count) if count else None


def ratio_percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` with one decimal (half up); None when `whole` is 0."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Which plans and orgs a viewer may report on
# --------------------------------------------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(Org.steplen, len(path) + 1, Org.steplen)]


def report_plans(user: Any) -> QuerySet[AidPlan]:
    """The plans `user` may report on: those run in their scope, and those run by a federation
    above it (a district's officers report on their part of the city's plan). Drafts have no
    enrolments yet and are left out."""
    rows = AidPlan.objects.exclude(status=AidPlanStatus.DRAFT).select_related("org")
    paths = scope_paths(user, PERM)
    if paths is None:
        return rows.order_by("-year", "org__path", "name", "id")
    if not paths:
        return rows.none()
    above = {ancestor for path in paths for ancestor in _ancestor_paths(path)}
    rows = rows.filter(path_filter(paths, ("org__path",)) | Q(org__path__in=sorted(above)))
    return rows.order_by("-year", "org__path", "name", "id")


def report_orgs(user: Any) -> QuerySet[Org]:
    """The orgs a report may be asked for: any org in the viewer's scope."""
    return visible(Org, user, PERM)


def default_org(user: Any, plan: AidPlan) -> Org | None:
    """The plan's federation when it is in the viewer's scope, else the top of the viewer's
    scope that lies in the plan's area (or the first top)."""
    paths = scope_paths(user, PERM)
    if paths is None or any(plan.org.path.startswith(root) for root in paths):
        return plan.org
    if not paths:
        return None
    inside = [root for root in paths if root.startswith(plan.org.path)]
    found: Org | None = Org.objects.filter(path=(inside or paths)[0]).first()
    return found


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The figures of the chosen org's subtree, or of one branch of it."""

    insured: int = 0
    contributions_due: Decimal = ZERO
    contributions_paid: Decimal = ZERO
    claims: int = 0
    paid_claims: int = 0
    paid_total: Decimal = ZERO

    def add(self, other: Figures) -> None:
        self.insured += other.insured
        self.contributions_due += other.contributions_due
        self.contributions_paid += other.contributions_paid
        self.claims += other.claims
        self.paid_claims += other.paid_claims
        self.paid_total += other.paid_total

    @property
    def average_payout(self) -> Decimal | None:
        """Paid total ÷ number of paid claims."""
        return average(self.paid_total, self.paid_claims)

    @property
    def payout_ratio(self) -> Decimal | None:
        """Paid total as a percentage of the contributions due."""
        return ratio_percent(self.paid_total, self.contributions_due)


@dataclass(frozen=True)
class ClaimLine:
    """The claims of one type in one status. `payout` is None where no payout counts: a claim
    not yet checked has none, a rejected one pays nothing."""

    claim_type: str
    status: str
    count: int
    invoice_total: Decimal
    payout: Decimal | None

    @property
    def claim_type_label(self) -> str:
        return str(ClaimType(self.claim_type).label)

    @property
    def status_label(self) -> str:
        return str(AidClaimStatus(self.status).label)


@dataclass(frozen=True)
class ClaimTypeRow:
    """One claim type: a line per status that has claims, and the type's totals."""

    claim_type: str
    lines: list[ClaimLine]
    count: int
    invoice_total: Decimal
    payout: Decimal
    paid_claims: int
    paid_total: Decimal

    @property
    def label(self) -> str:
        return str(ClaimType(self.claim_type).label)

    @property
    def average_payout(self) -> Decimal | None:
        return average(self.paid_total, self.paid_claims)


@dataclass(frozen=True)
class OrgRow:
    """One org directly under the chosen one with everything under it, or the chosen org's own
    members (`is_self`)."""

    org: Org
    is_self: bool
    figures: Figures


@dataclass
class PlanReport:
    plan: AidPlan
    org: Org
    at: datetime
    totals: Figures
    claim_types: list[ClaimTypeRow] = field(default_factory=list)
    by_org: list[OrgRow] = field(default_factory=list)

    @property
    def invoice_total(self) -> Decimal:
        return sum((row.invoice_total for row in self.claim_types), ZERO)


def _branch(queryset: QuerySet[Any], path_field: str, cut: int) -> QuerySet[Any]:
    grouped: QuerySet[Any] = queryset.order_by().annotate(branch=Substr(path_field, 1, cut)).values("branch")
    return grouped


def _by_branch(user: Any, plan: AidPlan, org: Org) -> dict[str, Figures]:
    cut = len(org.path) + Org.steplen
    subtree = Q(org__path__startswith=org.path)
    figures: dict[str, Figures] = {}

    def of(branch: str) -> Figures:
        return figures.setdefault(branch, Figures())

    enrolments = visible(Enrolment, user, PERM).filter(subtree, plan=plan)
    for row in _branch(enrolments, "org__path", cut).annotate(n=Count("pk")):
        of(row["branch"]).insured = row["n"]
    batches = visible(EnrolmentBatch, user, PERM).filter(subtree, plan=plan)
    for row in _branch(batches, "org__path", cut).annotate(
        due=_sum("total_contribution"), paid=_sum("amount_paid", Q(paid_on__isnull=False))
    ):
        of(row["branch"]).contributions_due = _money(row["due"])
        of(row["branch"]).contributions_paid = _money(row["paid"])
    claims = visible(AidClaim, user, PERM).filter(subtree, plan=plan)
    paid = Q(status=AidClaimStatus.PAID)
    for row in _branch(claims, "org__path", cut).annotate(
        n=Count("pk"), paid_n=Count("pk", filter=paid), paid_total=_sum("payout", paid)
    ):
        found = of(row["branch"])
        found.claims, found.paid_claims, found.paid_total = row["n"], row["paid_n"], _money(row["paid_total"])
    return figures


def _claim_types(user: Any, plan: AidPlan, org: Org) -> list[ClaimTypeRow]:
    claims = visible(AidClaim, user, PERM).filter(org__path__startswith=org.path, plan=plan).order_by()
    counted = {
        (row["claim_type"], row["status"]): row
        for row in claims.values("claim_type", "status").annotate(n=Count("pk"), payout_total=_sum("payout"))
    }
    invoiced = {
        (row["claim__claim_type"], row["claim__status"]): _money(row["total"])
        for row in AidClaimLine.objects.filter(claim__in=claims)
        .order_by()
        .values("claim__claim_type", "claim__status")
        .annotate(total=_sum("amount"))
    }
    rows: list[ClaimTypeRow] = []
    for claim_type in ClaimType:
        lines = [
            ClaimLine(
                claim_type=claim_type.value,
                status=status.value,
                count=counted[(claim_type.value, status.value)]["n"],
                invoice_total=invoiced.get((claim_type.value, status.value), ZERO),
                payout=_money(counted[(claim_type.value, status.value)]["payout_total"])
                if status in CAP_STATUSES
                else None,
            )
            for status in STATUS_ORDER
            if (claim_type.value, status.value) in counted
        ]
        paid = next((line for line in lines if line.status == AidClaimStatus.PAID), None)
        rows.append(
            ClaimTypeRow(
                claim_type=claim_type.value,
                lines=lines,
                count=sum(line.count for line in lines),
                invoice_total=sum((line.invoice_total for line in lines), ZERO),
                payout=sum((line.payout for line in lines if line.payout is not None), ZERO),
                paid_claims=paid.count if paid else 0,
                paid_total=(paid.payout or ZERO) if paid else ZERO,
            )
        )
    return rows


def plan_report(user: Any, plan: AidPlan, org: Org, now: datetime | None = None) -> PlanReport:
    """The figures of `plan` for the members of `org`'s subtree, as far as `user` may see them
    (the callers choose `org` inside the viewer's scope): insured members, contributions due and
    paid, claims by type and status, paid total, average payout and payout ratio, and the same
    for each org directly under `org` (its own members on the first line)."""
    branches = _by_branch(user, plan, org)
    totals = Figures()
    for figures in branches.values():
        totals.add(figures)
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    by_org = [OrgRow(org=org, is_self=True, figures=branches.get(org.path, Figures()))]
    by_org += [
        OrgRow(org=child, is_self=False, figures=branches.get(child.path, Figures())) for child in children
    ]
    return PlanReport(
        plan=plan,
        org=org,
        at=now or timezone.now(),
        totals=totals,
        claim_types=_claim_types(user, plan, org),
        by_org=by_org,
    )


def chart_data(report: PlanReport) -> dict[str, Any]:
    """The payout ratio of each org directly under the chosen one, for the console's bar chart
    (the coverage page's chart script draws it: labels, series of percentages)."""
    rows = [row for row in report.by_org if not row.is_self]
    return {
        "labels": [row.org.short_name or row.org.name for row in rows],
        "series": [
            {
                "name": _("Payout ratio"),
                "values": [
                    None if row.figures.payout_ratio is None else float(row.figures.payout_ratio)
                    for row in rows
                ],
            }
        ],
        "axis_label": _("Percent"),
    }


# --------------------------------------------------------------------------------------------
# The report as a workbook: one sheet per table
# --------------------------------------------------------------------------------------------


def _figure_headers() -> list[str]:
    return [
        _("Insured members"),
        _("Contributions due (yuan)"),
        _("Contributions paid (yuan)"),
        _("Claims filed"),
        _("Paid claims"),
        _("Paid total (yuan)"),
        _("Average payout per paid claim (yuan)"),
        _("Payout ratio (%)"),
    ]


def _figure_values(figures: Figures) -> list[Any]:
    return [
        figures.insured,
        figures.contributions_due,
        figures.contributions_paid,
        figures.claims,
        figures.paid_claims,
        figures.paid_total,
        figures.average_payout,
        figures.payout_ratio,
    ]


class _Sheets:
    """Cells that can never start a formula; amounts as numbers with two decimals, a missing
    figure (nothing to divide by) as an empty cell."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.bold = workbook.add_format({"bold": True})
        self.head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.money = workbook.add_format({"num_format": "#,##0.00"})
        self.percent = workbook.add_format({"num_format": "0.0"})

    def value(self, sheet: Any, row: int, column: int, item: Any, style: Any = None) -> None:
        if item is None:
            sheet.write_blank(row, column, None)
        elif isinstance(item, Decimal):
            sheet.write_number(row, column, item, style or self.money)
        elif isinstance(item, int):
            sheet.write_number(row, column, item)
        else:
            sheet.write_string(row, column, neutralise_formula(str(item)), style)

    def table(self, name: str, headers: list[str], rows: Iterable[list[Any]], percent: int = -1) -> None:
        sheet = self.workbook.add_worksheet(name)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(headers) - 1, 16)
        for column, label in enumerate(headers):
            self.value(sheet, 0, column, label, self.head)
        for row, cells in enumerate(rows, start=1):
            for column, cell in enumerate(cells):
                self.value(sheet, row, column, cell, self.percent if column == percent else None)


def report_workbook(report: PlanReport) -> bytes:
    """Summary, claims by type and status, and by org: the same figures as the page."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheets = _Sheets(workbook)
    plan, totals = report.plan, report.totals
    summary = workbook.add_worksheet(_("Summary"))
    summary.set_column(0, 0, 36)
    summary.set_column(1, 1, 40)
    lines: list[tuple[str, Any]] = [
        (_("Plan"), plan.name),
        (_("Federation running the plan"), plan.org.name),
        (_("Organisation"), report.org.name),
        (_("Figures at"), timezone.localtime(report.at).strftime("%Y-%m-%d %H:%M")),
        *zip(_figure_headers(), _figure_values(totals), strict=True),
        (_("Invoice total (yuan)"), report.invoice_total),
    ]
    ratio_row = 4 + len(_figure_headers()) - 1
    for row, (label, item) in enumerate(lines):
        sheets.value(summary, row, 0, label, sheets.bold)
        sheets.value(summary, row, 1, item, sheets.percent if row == ratio_row else None)

    claim_rows: list[list[Any]] = []
    for claim_type in report.claim_types:
        for line in claim_type.lines:
            claim_rows.append(
                [line.claim_type_label, line.status_label, line.count, line.invoice_total, line.payout]
            )
        claim_rows.append(
            [
                claim_type.label,
                _("All statuses"),
                claim_type.count,
                claim_type.invoice_total,
                claim_type.payout,
            ]
        )
    sheets.table(
        _("Claims filed"),
        [_("Claim type"), _("Status"), _("Claims filed"), _("Invoice total (yuan)"), _("Payout (yuan)")],
        claim_rows,
    )

    org_rows = [
        [
            _("%(org)s itself") % {"org": row.org.name} if row.is_self else row.org.name,
            row.org.code,
            *_figure_values(row.figures),
        ]
        for row in report.by_org
    ]
    sheets.table(
        _("By organisation"), [_("Organisation"), _("Code"), *_figure_headers()], org_rows, percent=9
    )
    workbook.close()
    return output.getvalue()


def report_file_name(report: PlanReport) -> str:
    return f"mutualaid-plan-{report.plan.pk}-org-{report.org.pk}-{timezone.localdate():%Y%m%d}.xlsx"
