"""The assistance report of one year for one org subtree, shared by the console page, its xlsx
download and the API (docs/assistance.md, "Reports").

What "in the year" means, table by table:
- hardship files by grade and status, and by cause: the files applied for in the year (a file's
  `year`), each in the status it has now; a file with two causes counts under both;
- on record now: every file on record today, whatever year it was applied for;
- exits and re-checks done: by the day of the exit or re-check; re-checks due: files on record
  whose re-check falls due by the end of the year (overdue ones included);
- grants by fund, purpose and status: the grants proposed in the year; spend by fund: the
  ledger's grant payments booked in the year less the reversals booked in the year;
- campaigns: the year's care campaigns, with the people and amounts on their lists.
Money is counted where it went: a grant or a beneficiary belongs to the recipient's union.

Everything is grouped in the database, a fixed number of queries whatever the size of the
subtree; the breakdown by org groups each source once by its union's path cut one level below
the chosen org (Substr), as the benefits campaign report does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import xlsxwriter
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import (
    CareBeneficiary,
    CareCampaign,
    EntryKind,
    Fund,
    FundEntry,
    Grant,
    GrantPurpose,
    GrantStatus,
    HardshipCause,
    HardshipFile,
    HardshipFileCause,
    HardshipFileStatus,
    HardshipGrade,
    HardshipRecheck,
    RecheckResult,
)
from gonghui.core.money import to_money
from gonghui.core.spreadsheets import neutralise_formula
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible

ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")
PERM = Perm.ASSISTANCE_VIEW
MIN_YEAR, MAX_YEAR = 2000, 2100
FILE_STATUSES: tuple[HardshipFileStatus, ...] = (
    HardshipFileStatus.APPLIED,
    HardshipFileStatus.ON_FILE,
    HardshipFileStatus.EXITED,
    HardshipFileStatus.REJECTED,
)
GRANT_STATUSES: tuple[GrantStatus, ...] = (
    GrantStatus.PROPOSED,
    GrantStatus.APPROVED,
    GrantStatus.REVERSED,
    GrantStatus.REJECTED,
)
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)


def _money(value: Any) -> Decimal:
    return to_money(value) if value is not None else ZERO


def _sum(expression: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=_MONEY)


def ratio_percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` with one decimal (half up); None when `whole` is 0."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


def report_orgs(user: Any) -> QuerySet[Org]:
    """The orgs a report may be asked for: any org in the viewer's scope."""
    return visible(Org, user, PERM)


def default_org(user: Any) -> Org | None:
    """The top of the viewer's scope (the first one, in tree order, when there are several)."""
    paths = scope_paths(user, PERM)
    if not paths:
        return None if paths is not None else Org.objects.filter(depth=1).order_by("path").first()
    found: Org | None = Org.objects.filter(path=paths[0]).first()
    return found


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeRow:
    """The files of the year with one grade (`grade` "" for those not graded: applied for or not
    accepted), per status now, and the files of every year on record now with that grade."""

    grade: str
    by_status: dict[str, int]
    on_record_now: int

    @property
    def label(self) -> str:
        return str(HardshipGrade(self.grade).label) if self.grade else _("Not graded")

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def counts(self) -> list[int]:
        return [self.by_status.get(status.value, 0) for status in FILE_STATUSES]


@dataclass(frozen=True)
class CauseRow:
    cause: str
    files: int
    on_record: int

    @property
    def label(self) -> str:
        return str(HardshipCause(self.cause).label)


@dataclass
class Files:
    grades: list[GradeRow]
    causes: list[CauseRow]
    new_files: int
    on_record_now: int
    exits: int
    rechecks_done: int
    rechecks_by_result: dict[str, int]
    rechecks_due: int
    rechecks_overdue: int

    @property
    def status_totals(self) -> list[int]:
        return [sum(row.counts[n] for row in self.grades) for n in range(len(FILE_STATUSES))]

    @property
    def recheck_results(self) -> list[tuple[str, int]]:
        return [(str(result.label), self.rechecks_by_result.get(result.value, 0)) for result in RecheckResult]


@dataclass(frozen=True)
class GrantLine:
    fund: Fund
    purpose: str
    status: str
    count: int
    amount: Decimal

    @property
    def purpose_label(self) -> str:
        return str(GrantPurpose(self.purpose).label)

    @property
    def status_label(self) -> str:
        return str(GrantStatus(self.status).label)


@dataclass(frozen=True)
class FundSpend:
    fund: Fund
    grants_paid: int
    paid: Decimal
    reversals: int
    reversed: Decimal

    @property
    def spend(self) -> Decimal:
        return self.paid - self.reversed


@dataclass(frozen=True)
class CampaignRow:
    """A care campaign of the year: the people and amount on its list from the chosen subtree.
    `whole` when the campaign is run inside the subtree, so that its list is all counted here
    and comparing with the budget makes sense."""

    campaign: CareCampaign
    people: int
    amount: Decimal
    whole: bool

    @property
    def budget_used(self) -> Decimal | None:
        return ratio_percent(self.amount, self.campaign.budget) if self.whole else None


@dataclass
class OrgFigures:
    new_files: int = 0
    on_record_now: int = 0
    exits: int = 0
    grants_paid: int = 0
    spend: Decimal = ZERO
    beneficiaries: int = 0
    campaign_amount: Decimal = ZERO


@dataclass(frozen=True)
class OrgRow:
    """One org directly under the chosen one with everything under it, or the chosen org's own
    members (`is_self`)."""

    org: Org
    is_self: bool
    figures: OrgFigures


@dataclass
class YearReport:
    year: int
    org: Org
    at: datetime
    today: date
    files: Files
    grants: list[GrantLine] = field(default_factory=list)
    funds: list[FundSpend] = field(default_factory=list)
    campaigns: list[CampaignRow] = field(default_factory=list)
    by_org: list[OrgRow] = field(default_factory=list)

    @property
    def grants_count(self) -> int:
        return sum(line.count for line in self.grants)

    @property
    def grants_amount(self) -> Decimal:
        return sum((line.amount for line in self.grants), ZERO)

    @property
    def spend(self) -> Decimal:
        return sum((row.spend for row in self.funds), ZERO)

    @property
    def beneficiaries(self) -> int:
        return sum(row.people for row in self.campaigns)

    @property
    def campaign_amount(self) -> Decimal:
        return sum((row.amount for row in self.campaigns), ZERO)


def _files(user: Any, org: Org, year: int, today: date) -> Files:
    files = visible(HardshipFile, user, PERM).filter(org__path__startswith=org.path).order_by()
    of_year = files.filter(year=year)
    grid: dict[str, dict[str, int]] = {}
    for row in of_year.values("grade", "status").annotate(n=Count("pk")):
        grid.setdefault(row["grade"], {})[row["status"]] = row["n"]
    on_record = {
        row["grade"]: row["n"]
        for row in files.filter(status=HardshipFileStatus.ON_FILE).values("grade").annotate(n=Count("pk"))
    }
    grades = [
        GradeRow(grade=grade, by_status=grid.get(grade, {}), on_record_now=on_record.get(grade, 0))
        for grade in [*HardshipGrade.values, ""]
    ]
    causes = {
        row["cause"]: row
        for row in HardshipFileCause.objects.filter(file__in=of_year)
        .order_by()
        .values("cause")
        .annotate(
            n=Count("file_id"), on_record=Count("file_id", filter=Q(file__status=HardshipFileStatus.ON_FILE))
        )
    }
    rechecks = {
        row["result"]: row["n"]
        for row in HardshipRecheck.objects.filter(file__in=files, checked_on__year=year)
        .order_by()
        .values("result")
        .annotate(n=Count("pk"))
    }
    end_of_year = date(year, 12, 31)
    movement = files.aggregate(
        exits=Count("pk", filter=Q(exited_on__year=year)),
        due=Count("pk", filter=Q(status=HardshipFileStatus.ON_FILE, recheck_due__lte=end_of_year)),
        overdue=Count("pk", filter=Q(status=HardshipFileStatus.ON_FILE, recheck_due__lt=today)),
    )
    return Files(
        grades=grades,
        causes=[
            CauseRow(cause=cause, files=causes[cause]["n"], on_record=causes[cause]["on_record"])
            for cause in HardshipCause.values
            if cause in causes
        ],
        new_files=sum(row.total for row in grades),
        on_record_now=sum(on_record.values()),
        exits=movement["exits"],
        rechecks_done=sum(rechecks.values()),
        rechecks_by_result=rechecks,
        rechecks_due=movement["due"],
        rechecks_overdue=movement["overdue"],
    )


def _grants(grants: QuerySet[Grant], year: int) -> list[GrantLine]:
    rows = list(
        grants.filter(created_at__year=year)
        .values("fund_id", "purpose", "status")
        .annotate(n=Count("pk"), amount=_sum("amount"))
    )
    funds = Fund.objects.select_related("org").in_bulk({row["fund_id"] for row in rows})
    purposes, statuses = list(GrantPurpose.values), [status.value for status in GRANT_STATUSES]
    lines = [
        GrantLine(
            fund=funds[row["fund_id"]],
            purpose=row["purpose"],
            status=row["status"],
            count=row["n"],
            amount=_money(row["amount"]),
        )
        for row in rows
    ]
    lines.sort(
        key=lambda line: (
            line.fund.org.path,
            line.fund.name,
            purposes.index(line.purpose),
            statuses.index(line.status),
        )
    )
    return lines


def _spend(entries: QuerySet[FundEntry]) -> list[FundSpend]:
    paid, reversal = Q(kind=EntryKind.GRANT), Q(kind=EntryKind.REVERSAL)
    rows = list(
        entries.values("fund_id").annotate(
            paid_n=Count("pk", filter=paid),
            paid=_sum("amount", paid),
            reversed_n=Count("pk", filter=reversal),
            reversed=_sum("amount", reversal),
        )
    )
    funds = Fund.objects.select_related("org").in_bulk({row["fund_id"] for row in rows})
    spends = [
        FundSpend(
            fund=funds[row["fund_id"]],
            grants_paid=row["paid_n"],
            paid=-_money(row["paid"]),  # grant payments are negative entries
            reversals=row["reversed_n"],
            reversed=_money(row["reversed"]),
        )
        for row in rows
    ]
    return sorted(spends, key=lambda row: (row.fund.org.path, row.fund.name, row.fund.pk))


def _campaigns(user: Any, org: Org, year: int) -> list[CampaignRow]:
    listed = {
        row["campaign_id"]: row
        for row in visible(CareBeneficiary, user, PERM)
        .filter(org__path__startswith=org.path, campaign__year=year)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"), amount=_sum("amount"))
    }
    # A campaign run above the viewer's scope is shown with its title and budget only when its
    # list holds people of the subtree.
    campaigns = (
        CareCampaign.objects.filter(Q(pk__in=list(listed)) | Q(year=year, org__path__startswith=org.path))
        .select_related("org")
        .order_by("org__path", "id")
    )
    return [
        CampaignRow(
            campaign=campaign,
            people=listed.get(campaign.pk, {}).get("n", 0),
            amount=_money(listed.get(campaign.pk, {}).get("amount")),
            whole=campaign.org.path.startswith(org.path),
        )
        for campaign in campaigns
    ]


def _by_org(
    org: Org,
    files: QuerySet[HardshipFile],
    entries: QuerySet[FundEntry],
    listed: QuerySet[CareBeneficiary],
    year: int,
) -> list[OrgRow]:
    cut = len(org.path) + Org.steplen
    figures: dict[str, OrgFigures] = {}

    def of(branch: str) -> OrgFigures:
        return figures.setdefault(branch, OrgFigures())

    for row in (
        files.annotate(branch=Substr("org__path", 1, cut))
        .values("branch")
        .annotate(
            new=Count("pk", filter=Q(year=year)),
            on_record=Count("pk", filter=Q(status=HardshipFileStatus.ON_FILE)),
            exits=Count("pk", filter=Q(exited_on__year=year)),
        )
    ):
        found = of(row["branch"])
        found.new_files, found.on_record_now, found.exits = row["new"], row["on_record"], row["exits"]
    for row in (
        entries.annotate(branch=Substr("grant__org__path", 1, cut))
        .values("branch")
        .annotate(n=Count("pk", filter=Q(kind=EntryKind.GRANT)), total=_sum("amount"))
    ):
        of(row["branch"]).grants_paid = row["n"]
        of(row["branch"]).spend = -_money(row["total"])
    for row in (
        listed.annotate(branch=Substr("org__path", 1, cut))
        .values("branch")
        .annotate(n=Count("pk"), amount=_sum("amount"))
    ):
        of(row["branch"]).beneficiaries = row["n"]
        of(row["branch"]).campaign_amount = _money(row["amount"])
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    rows = [OrgRow(org=org, is_self=True, figures=figures.get(org.path, OrgFigures()))]
    rows += [
        OrgRow(org=child, is_self=False, figures=figures.get(child.path, OrgFigures())) for child in children
    ]
    return rows


def year_report(user: Any, year: int, org: Org, now: datetime | None = None) -> YearReport:
    """The assistance figures of `year` for the members of `org`'s subtree, as far as `user` may
    see them (the callers choose `org` inside the viewer's scope); see the module docstring for
    what each figure counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    subtree = Q(org__path__startswith=org.path)
    grants = visible(Grant, user, PERM).filter(subtree).order_by()
    # Ledger rows of the subtree's grants: the fund may be held above the viewer's scope (the
    # city's fund paying a district's member), so they are found through the visible grants.
    entries = FundEntry.objects.filter(
        grant__in=grants.values("pk"), kind__in=[EntryKind.GRANT, EntryKind.REVERSAL], booked_on__year=year
    ).order_by()
    files = visible(HardshipFile, user, PERM).filter(subtree).order_by()
    listed = visible(CareBeneficiary, user, PERM).filter(subtree, campaign__year=year).order_by()
    return YearReport(
        year=year,
        org=org,
        at=now,
        today=today,
        files=_files(user, org, year, today),
        grants=_grants(grants, year),
        funds=_spend(entries),
        campaigns=_campaigns(user, org, year),
        by_org=_by_org(org, files, entries, listed, year),
    )


def chart_data(report: YearReport) -> dict[str, Any]:
    """How much of its budget each campaign run inside the subtree has put on its list, for the
    console's bar chart (the coverage page's chart script draws it: labels, series of percents)."""
    rows = [row for row in report.campaigns if row.whole]
    return {
        "labels": [row.campaign.title for row in rows],
        "series": [
            {
                "name": _("Share of the budget on the list"),
                "values": [None if row.budget_used is None else float(row.budget_used) for row in rows],
            }
        ],
        "axis_label": _("Percent"),
    }


# --------------------------------------------------------------------------------------------
# The report as a workbook: one sheet per table
# --------------------------------------------------------------------------------------------


class _Sheets:
    """Cells that can never start a formula; amounts as numbers with two decimals, a missing
    figure as an empty cell."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.bold = workbook.add_format({"bold": True})
        self.head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.money = workbook.add_format({"num_format": "#,##0.00"})

    def value(self, sheet: Any, row: int, column: int, item: Any, style: Any = None) -> None:
        if item is None:
            sheet.write_blank(row, column, None)
        elif isinstance(item, Decimal):
            sheet.write_number(row, column, item, style or self.money)
        elif isinstance(item, int):
            sheet.write_number(row, column, item)
        else:
            sheet.write_string(row, column, neutralise_formula(str(item)), style)

    def table(self, name: str, headers: list[str], rows: Iterable[list[Any]]) -> None:
        sheet = self.workbook.add_worksheet(name)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(headers) - 1, 16)
        for column, label in enumerate(headers):
            self.value(sheet, 0, column, label, self.head)
        for row, cells in enumerate(rows, start=1):
            for column, cell in enumerate(cells):
                self.value(sheet, row, column, cell)


def _org_name(row: OrgRow) -> str:
    return _("%(org)s itself") % {"org": row.org.name} if row.is_self else row.org.name


def report_workbook(report: YearReport) -> bytes:
    """Summary, files by grade and status, causes, grants, spend by fund, campaigns and by org:
    the same figures as the page."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheets = _Sheets(workbook)
    files = report.files
    summary = workbook.add_worksheet(_("Summary"))
    summary.set_column(0, 0, 36)
    summary.set_column(1, 1, 40)
    lines: list[tuple[str, Any]] = [
        (_("Year"), str(report.year)),
        (_("Organisation"), report.org.name),
        (_("Figures at"), timezone.localtime(report.at).strftime("%Y-%m-%d %H:%M")),
        (_("New hardship files"), files.new_files),
        (_("On record now"), files.on_record_now),
        (_("Left the record"), files.exits),
        (_("Re-checks done"), files.rechecks_done),
        (_("Re-checks due by the end of the year"), files.rechecks_due),
        (_("Re-checks overdue today"), files.rechecks_overdue),
        (_("Grants proposed"), report.grants_count),
        (_("Amount of the grants proposed (yuan)"), report.grants_amount),
        (_("Spend from the funds (yuan)"), report.spend),
        (_("People on care campaign lists"), report.beneficiaries),
        (_("Amount on care campaign lists (yuan)"), report.campaign_amount),
    ]
    for row, (label, item) in enumerate(lines):
        sheets.value(summary, row, 0, label, sheets.bold)
        sheets.value(summary, row, 1, item)

    status_labels = [str(status.label) for status in FILE_STATUSES]
    sheets.table(
        _("Files by grade"),
        [_("Grade"), *status_labels, _("Total"), _("On record now (all years)")],
        [
            *([row.label, *row.counts, row.total, row.on_record_now] for row in files.grades),
            [_("Total"), *files.status_totals, files.new_files, files.on_record_now],
        ],
    )
    sheets.table(
        _("Files by cause"),
        [_("Cause"), _("Files of the year"), _("Of which on record")],
        ([row.label, row.files, row.on_record] for row in files.causes),
    )
    sheets.table(
        _("Re-checks"),
        [_("Result"), _("Re-checks done")],
        ([label, count] for label, count in files.recheck_results),
    )
    sheets.table(
        _("Grants by fund"),
        [_("Fund"), _("Held by"), _("Purpose"), _("Status"), _("Number of grants"), _("Amount (yuan)")],
        (
            [
                line.fund.name,
                line.fund.org.name,
                line.purpose_label,
                line.status_label,
                line.count,
                line.amount,
            ]
            for line in report.grants
        ),
    )
    sheets.table(
        _("Spend by fund"),
        [
            _("Fund"),
            _("Held by"),
            _("Grants paid"),
            _("Paid (yuan)"),
            _("Reversals"),
            _("Reversed (yuan)"),
            _("Spend (yuan)"),
        ],
        (
            [
                row.fund.name,
                row.fund.org.name,
                row.grants_paid,
                row.paid,
                row.reversals,
                row.reversed,
                row.spend,
            ]
            for row in report.funds
        ),
    )
    sheets.table(
        _("Campaigns"),
        [
            _("Campaign"),
            _("Run by"),
            _("Season"),
            _("Status"),
            _("People"),
            _("Amount (yuan)"),
            _("Budget (yuan)"),
            _("Share of the budget on the list (%)"),
        ],
        (
            [
                row.campaign.title,
                row.campaign.org.name,
                row.campaign.get_season_display(),
                row.campaign.get_status_display(),
                row.people,
                row.amount,
                row.campaign.budget,
                row.budget_used,
            ]
            for row in report.campaigns
        ),
    )
    sheets.table(
        _("By organisation"),
        [
            _("Organisation"),
            _("Code"),
            _("New hardship files"),
            _("On record now"),
            _("Left the record"),
            _("Grants paid"),
            _("Spend (yuan)"),
            _("People on care campaign lists"),
            _("Amount on care campaign lists (yuan)"),
        ],
        (
            [
                _org_name(row),
                row.org.code,
                row.figures.new_files,
                row.figures.on_record_now,
                row.figures.exits,
                row.figures.grants_paid,
                row.figures.spend,
                row.figures.beneficiaries,
                row.figures.campaign_amount,
            ]
            for row in report.by_org
        ),
    )
    workbook.close()
    return output.getvalue()


def report_file_name(report: YearReport) -> str:
    return f"assistance-{report.year}-org-{report.org.pk}-{timezone.localdate():%Y%m%d}.xlsx"
