"""Dispute statistics for an org subtree over a range of days, in total and broken down by
period, claim type, industry, intake channel or child org (docs/rights.md, "Statistics").

Which day places a dispute in the range (and in a month, quarter or year):

- intake figures — received, accepted, collective, amount claimed — by `received_on`;
- outcome figures — settled, failed, declined, amount recovered, days to conclude, success
  rate — by `concluded_on`, the day the dispute was settled, failed or was declined.

So a dispute received on 28 March and settled on 10 April counts as received in March and settled
in April. Success rate = settled ÷ concluded, concluded = settled + failed (a declined dispute was
never mediated). Average days to conclude: from `received_on` to `concluded_on` over the settled
and failed disputes. How a dispute ended is read from what that step leaves behind — a settlement
agreement, a reason for the failure, a reason for declining — so a dispute closed, referred or
archived since still counts as it ended; accepted means it left "received" other than by being
declined.

A dispute with claims of several types counts once under each of its types; amounts per type are
those of the claim items of that type.

The query count does not depend on the number of disputes or rows: at most eight queries for the
figures, plus one for the child orgs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import xlsxwriter
from django.db import models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from gonghui.core.spreadsheets import neutralize_formula
from gonghui.orgs.models import Industry, Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible
from gonghui.rights.models import ClaimItem, ClaimType, Dispute, DisputeStatus, IntakeChannel

PERM = Perm.RIGHTS_VIEW
MIN_YEAR, MAX_YEAR = 2000, 2100
# Ten years of months is 120 chart bars: more is no longer readable.
MAX_SPAN_DAYS = 3660
ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")
_MONEY: models.DecimalField[Decimal, Decimal] = models.DecimalField(max_digits=20, decimal_places=2)


class Period(models.TextChoices):
    MONTH = "month", gettext_lazy("Month")
    QUARTER = "quarter", gettext_lazy("Quarter")
    YEAR = "year", gettext_lazy("Year")


class Breakdown(models.TextChoices):
    PERIOD = "period", gettext_lazy("Period")
    CLAIM_TYPE = "claim_type", gettext_lazy("Claim type")
    INDUSTRY = "industry", gettext_lazy("Industry")
    CHANNEL = "channel", gettext_lazy("Intake channel")
    ORG = "org", gettext_lazy("Organisation")


_TRUNC = {Period.MONTH: TruncMonth, Period.QUARTER: TruncQuarter, Period.YEAR: TruncYear}


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    collective: int = 0
    settled: int = 0
    failed: int = 0
    declined: int = 0
    claimed: Decimal = ZERO
    recovered: Decimal = ZERO
    # Sum of the days from receipt to conclusion over the settled and failed disputes.
    days_to_conclude: int = 0

    @property
    def concluded(self) -> int:
        return self.settled + self.failed

    @property
    def success_rate(self) -> Decimal | None:
        """Settled ÷ (settled + failed), a percentage with one decimal; None with nothing concluded."""
        return _ratio(Decimal(self.settled * 100), Decimal(self.concluded))

    @property
    def average_days(self) -> Decimal | None:
        return _ratio(Decimal(self.days_to_conclude), Decimal(self.concluded))

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "collective": self.collective,
            "settled": self.settled,
            "failed": self.failed,
            "declined": self.declined,
            "concluded": self.concluded,
            "success_rate": self.success_rate,
            "claimed": self.claimed,
            "recovered": self.recovered,
            "average_days": self.average_days,
        }


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: Figures
    org: Org | None = None


@dataclass(frozen=True)
class Request:
    org: Org
    start: date
    end: date
    breakdown: str = Breakdown.PERIOD
    period: str = Period.MONTH


@dataclass
class Statistics:
    request: Request
    at: datetime
    totals: Figures
    rows: list[Row] = field(default_factory=list)

    @property
    def org(self) -> Org:
        return self.request.org


# --------------------------------------------------------------------------------------------
# Whose figures, and the input checks the page and the API share
# --------------------------------------------------------------------------------------------


def statistics_orgs(user: Any) -> QuerySet[Org]:
    """The orgs whose statistics `user` may ask for: any org where they hold rights.view."""
    return visible(Org, user, PERM)


def default_org(user: Any) -> Org | None:
    """The top of the viewer's scope (the first one, in tree order, when there are several)."""
    paths = scope_paths(user, PERM)
    if paths is None:
        first: Org | None = Org.objects.filter(depth=1).order_by("path").first()
        return first
    if not paths:
        return None
    found: Org | None = Org.objects.filter(path=paths[0]).first()
    return found


def default_range(today: date) -> tuple[date, date]:
    """From the first of January to today: the year so far."""
    return date(today.year, 1, 1), today


def range_problems(start: date | None, end: date | None) -> dict[str, list[str]]:
    """What is wrong with a range of days, by field ("start", "end"); empty when nothing is."""
    problems: dict[str, list[str]] = {}
    for name, day in (("start", start), ("end", end)):
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            problems[name] = [
                _("Enter a day between %(first)d and %(last)d.") % {"first": MIN_YEAR, "last": MAX_YEAR}
            ]
    if problems or start is None or end is None:
        return problems
    if end < start:
        problems["end"] = [_("The last day cannot be before the first day.")]
    elif (end - start).days > MAX_SPAN_DAYS:
        problems["end"] = [_("Choose at most ten years at once.")]
    return problems


# --------------------------------------------------------------------------------------------
# The queries
# --------------------------------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from the second date to the first, as an integer on every database (Django's
    date subtraction gives an interval whose sum SQLite cannot add up)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


ACCEPTED = ~Q(status=DisputeStatus.RECEIVED) & Q(decline_reason__isnull=True)
SETTLED = Q(settlement__isnull=False)
FAILED = Q(failure_reason__isnull=False)
DECLINED = Q(decline_reason__isnull=False)


def _both(condition: Q, extra: Q | None) -> Q:
    return condition & extra if extra is not None else condition


def _intake(extra: Q | None = None) -> dict[str, Any]:
    return {
        "received": Count("pk", filter=extra),
        "accepted": Count("pk", filter=_both(ACCEPTED, extra)),
        "collective": Count("pk", filter=_both(Q(is_collective=True), extra)),
    }


def _outcome(extra: Q | None = None) -> dict[str, Any]:
    return {
        "settled": Count("pk", filter=_both(SETTLED, extra)),
        "failed": Count("pk", filter=_both(FAILED, extra)),
        "declined": Count("pk", filter=_both(DECLINED, extra)),
        # Named apart from the annotation it sums: an aggregate may not shadow its own source.
        "days": Sum("duration", filter=_both(SETTLED | FAILED, extra)),
    }


def _claimed(extra: Q | None = None) -> dict[str, Any]:
    return {"claimed": Coalesce(Sum("amount_claimed", filter=extra), ZERO, output_field=_MONEY)}


def _recovered(extra: Q | None = None) -> dict[str, Any]:
    return {"recovered": Coalesce(Sum("amount_recovered", filter=extra), ZERO, output_field=_MONEY)}


def _apply(figures: Figures, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "days":
            figures.days_to_conclude = value or 0
        elif name in ("claimed", "recovered"):
            setattr(figures, name, Decimal(value or 0).quantize(Decimal("0.01")))
        else:
            setattr(figures, name, value or 0)


@dataclass(frozen=True)
class _Sources:
    received: QuerySet[Dispute]
    concluded: QuerySet[Dispute]
    claims_received: QuerySet[ClaimItem]
    claims_concluded: QuerySet[ClaimItem]


def _sources(user: Any, request: Request) -> _Sources:
    disputes = visible(Dispute, user, PERM).filter(org__path__startswith=request.org.path).order_by()
    in_range = (request.start, request.end)
    claims = ClaimItem.objects.filter(dispute__in=disputes).order_by()
    return _Sources(
        received=disputes.filter(received_on__range=in_range),
        concluded=disputes.filter(concluded_on__range=in_range).annotate(
            duration=DaysBetween("concluded_on", "received_on"),
        ),
        claims_received=claims.filter(dispute__received_on__range=in_range),
        claims_concluded=claims.filter(dispute__concluded_on__range=in_range),
    )


def _totals(sources: _Sources) -> Figures:
    totals = Figures()
    _apply(totals, sources.received.aggregate(**_intake()))
    _apply(totals, sources.concluded.aggregate(**_outcome()))
    _apply(totals, sources.claims_received.aggregate(**_claimed()))
    _apply(totals, sources.claims_concluded.aggregate(**_recovered()))
    return totals


def _grouped(sources: _Sources, keys: tuple[Any, Any, Any, Any]) -> dict[Any, Figures]:
    """Figures per key, the key being an expression (or field name) on each of the four sources."""
    figures: dict[Any, Figures] = {}
    for queryset, key, aggregates in (
        (sources.received, keys[0], _intake()),
        (sources.concluded, keys[1], _outcome()),
        (sources.claims_received, keys[2], _claimed()),
        (sources.claims_concluded, keys[3], _recovered()),
    ):
        key_expression = F(key) if isinstance(key, str) else key
        for values in queryset.values(group=key_expression).annotate(**aggregates):
            group = values.pop("group")
            _apply(figures.setdefault(_normal_key(group), Figures()), values)
    return figures


def _normal_key(group: Any) -> Any:
    if isinstance(group, datetime):
        return group.date()
    return group if group is not None else ""


def _by_claim_type(sources: _Sources) -> dict[Any, Figures]:
    """Per claim type without joining the claim items into the dispute rows (which would count
    a dispute's days once per item): one flag per type and conditional counts, in two queries."""
    flags = {
        f"has_{claim_type}": Exists(ClaimItem.objects.filter(dispute=OuterRef("pk"), type=claim_type))
        for claim_type in ClaimType.values
    }
    figures: dict[Any, Figures] = {claim_type: Figures() for claim_type in ClaimType.values}
    for disputes, make in ((sources.received, _intake), (sources.concluded, _outcome)):
        wanted = {
            f"{claim_type}__{name}": aggregate
            for claim_type in ClaimType.values
            for name, aggregate in make(Q(**{f"has_{claim_type}": True})).items()
        }
        result = disputes.annotate(**flags).aggregate(**wanted)
        for claim_type in ClaimType.values:
            prefix = f"{claim_type}__"
            _apply(
                figures[claim_type],
                {name[len(prefix) :]: value for name, value in result.items() if name.startswith(prefix)},
            )
    for queryset, aggregates in (
        (sources.claims_received, _claimed()),
        (sources.claims_concluded, _recovered()),
    ):
        for values in queryset.values("type").annotate(**aggregates):
            _apply(figures[values.pop("type")], values)
    return figures


def _period_starts(start: date, end: date, period: str) -> Iterator[date]:
    if period == Period.YEAR:
        current = date(start.year, 1, 1)
    elif period == Period.QUARTER:
        current = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    else:
        current = date(start.year, start.month, 1)
    step = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[Period(period)]
    while current <= end:
        yield current
        month = current.month - 1 + step
        current = date(current.year + month // 12, month % 12 + 1, 1)


def period_label(first: date, period: str) -> str:
    if period == Period.YEAR:
        return _("%(year)d") % {"year": first.year}
    if period == Period.QUARTER:
        return _("Q%(quarter)d %(year)d") % {"year": first.year, "quarter": (first.month - 1) // 3 + 1}
    return date_format(first, "YEAR_MONTH_FORMAT")


def _rows(sources: _Sources, request: Request) -> list[Row]:
    breakdown = request.breakdown
    if breakdown == Breakdown.PERIOD:
        trunc = _TRUNC[Period(request.period)]
        figures = _grouped(
            sources,
            (
                trunc("received_on"),
                trunc("concluded_on"),
                trunc("dispute__received_on"),
                trunc("dispute__concluded_on"),
            ),
        )
        return [
            Row(first.isoformat(), period_label(first, request.period), figures.get(first, Figures()))
            for first in _period_starts(request.start, request.end, request.period)
        ]
    if breakdown == Breakdown.CLAIM_TYPE:
        figures = _by_claim_type(sources)
        return [Row(value, str(label), figures[value]) for value, label in ClaimType.choices]
    if breakdown == Breakdown.CHANNEL:
        figures = _grouped(sources, ("channel", "channel", "dispute__channel", "dispute__channel"))
        return [
            Row(value, str(label), figures.get(value, Figures())) for value, label in IntakeChannel.choices
        ]
    if breakdown == Breakdown.INDUSTRY:
        industry = "workplace__industry"
        figures = _grouped(sources, (industry, industry, f"dispute__{industry}", f"dispute__{industry}"))
        rows = [
            Row(value, str(label), figures[value]) for value, label in Industry.choices if value in figures
        ]
        if "" in figures:
            rows.append(Row("", _("Employer not in the workplace registry"), figures[""]))
        return rows
    return _org_rows(sources, request.org)


def _org_rows(sources: _Sources, org: Org) -> list[Row]:
    cut = len(org.path) + Org.steplen
    figures = _grouped(
        sources,
        (
            Substr("org__path", 1, cut),
            Substr("org__path", 1, cut),
            Substr("dispute__org__path", 1, cut),
            Substr("dispute__org__path", 1, cut),
        ),
    )
    children = Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")
    rows = [Row(org.path, _("%(org)s itself") % {"org": org.name}, figures.get(org.path, Figures()), org)]
    rows += [Row(child.path, child.name, figures.get(child.path, Figures()), child) for child in children]
    return rows


def dispute_statistics(user: Any, request: Request, now: datetime | None = None) -> Statistics:
    """The figures of `request.org`'s subtree as far as `user` may see them (callers choose the
    org inside the viewer's scope; see the module docstring for what each figure counts)."""
    sources = _sources(user, request)
    return Statistics(
        request=request, at=now or timezone.now(), totals=_totals(sources), rows=_rows(sources, request)
    )


# --------------------------------------------------------------------------------------------
# For the chart, the API and the workbook
# --------------------------------------------------------------------------------------------


def chart_data(statistics: Statistics) -> dict[str, Any]:
    """Disputes received, settled and failed per row as bars, the success rate as a line."""
    rows = statistics.rows
    return {
        "labels": [row.label for row in rows],
        "bars": [
            {
                "name": pgettext("dispute statistics", "Received"),
                "values": [row.figures.received for row in rows],
            },
            {
                "name": pgettext("dispute statistics", "Settled"),
                "values": [row.figures.settled for row in rows],
            },
            {
                "name": pgettext("dispute statistics", "Mediation failed"),
                "values": [row.figures.failed for row in rows],
            },
        ],
        "line": {
            "name": _("Success rate"),
            "values": [
                None if row.figures.success_rate is None else float(row.figures.success_rate) for row in rows
            ],
        },
        "count_label": _("Disputes"),
        "rate_label": _("Success rate (%)"),
    }


def definitions() -> list[str]:
    """The definitions shown with the figures, so that nobody has to guess."""
    return [
        _(
            "Success rate = settled ÷ concluded, where concluded = settled + mediation failed. "
            "Declined disputes were never mediated and are not counted in it."
        ),
        _(
            "Received, accepted, collective disputes and amounts claimed count by the day a dispute was "
            "received; settled, failed, declined, amounts recovered and days to conclude by the day it "
            "was concluded. A dispute received in one month and settled in the next counts in both, once "
            "for each."
        ),
        _(
            "Average days to conclude: from the day of receipt to the day of settlement or failure, over "
            "the settled and failed disputes."
        ),
        _("A dispute with claims of several types counts under each of its types."),
    ]


HEADERS = (
    ("received", pgettext_lazy("dispute statistics", "Received")),
    ("accepted", pgettext_lazy("dispute statistics", "Accepted")),
    ("declined", pgettext_lazy("dispute statistics", "Declined")),
    ("settled", pgettext_lazy("dispute statistics", "Settled")),
    ("failed", pgettext_lazy("dispute statistics", "Mediation failed")),
    ("concluded", pgettext_lazy("dispute statistics", "Concluded")),
    ("success_rate", gettext_lazy("Success rate (%)")),
    ("collective", gettext_lazy("Collective disputes")),
    ("claimed", gettext_lazy("Amount claimed (yuan)")),
    ("recovered", gettext_lazy("Amount recovered (yuan)")),
    ("average_days", gettext_lazy("Average days to conclude")),
)


def _cells(figures: Figures) -> list[Any]:
    values = figures.as_dict()
    return [values[name] for name, _label in HEADERS]


def statistics_workbook(statistics: Statistics) -> bytes:
    """The totals, the definitions and the breakdown on one sheet: the same figures as the page."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    rate = workbook.add_format({"num_format": "0.0"})
    sheet = workbook.add_worksheet(_("Dispute statistics"))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, len(HEADERS), 14)

    def put(row: int, column: int, item: Any, style: Any = None) -> None:
        if item is None:
            sheet.write_blank(row, column, None)
        elif isinstance(item, Decimal):
            sheet.write_number(row, column, item, style or money)
        elif isinstance(item, int):
            sheet.write_number(row, column, item)
        else:
            sheet.write_string(row, column, neutralize_formula(str(item)), style)

    request = statistics.request
    breakdown_label = str(Breakdown(request.breakdown).label)
    if request.breakdown == Breakdown.PERIOD:
        breakdown_label = f"{breakdown_label}（{Period(request.period).label}）"
    lines: list[tuple[str, Any]] = [
        (_("Organisation"), statistics.org.name),
        (_("From"), request.start.isoformat()),
        (_("To"), request.end.isoformat()),
        (_("Broken down by"), str(breakdown_label)),
        (_("Figures at"), timezone.localtime(statistics.at).strftime("%Y-%m-%d %H:%M")),
    ]
    for row, (label, item) in enumerate(lines):
        put(row, 0, label, bold)
        put(row, 1, item)
    row = len(lines) + 1
    for text in definitions():
        put(row, 0, text)
        row += 1
    row += 1
    put(row, 0, str(breakdown_label), head)
    for column, (_name, heading) in enumerate(HEADERS, start=1):
        put(row, column, str(heading), head)
    rate_columns = {
        index
        for index, (name, _label) in enumerate(HEADERS, start=1)
        if name in ("success_rate", "average_days")
    }

    def line(label: str, figures: Figures, style: Any = None) -> None:
        nonlocal row
        row += 1
        put(row, 0, label, style)
        for column, item in enumerate(_cells(figures), start=1):
            put(row, column, item, rate if column in rate_columns and item is not None else None)

    for item in statistics.rows:
        line(item.label, item.figures)
    line(_("Total"), statistics.totals, bold)
    workbook.close()
    return output.getvalue()


def workbook_file_name(statistics: Statistics) -> str:
    request = statistics.request
    return (
        f"disputes-org-{request.org.pk}-{request.start:%Y%m%d}-{request.end:%Y%m%d}-{request.breakdown}.xlsx"
    )


def as_json(statistics: Statistics) -> dict[str, Any]:
    request = statistics.request
    return {
        "org": {"id": request.org.pk, "code": request.org.code, "name": request.org.name},
        "start": request.start,
        "end": request.end,
        "breakdown": request.breakdown,
        "period": request.period,
        "at": statistics.at,
        "definitions": definitions(),
        "totals": statistics.totals.as_dict(),
        "rows": [{"key": row.key, "label": row.label, **row.figures.as_dict()} for row in statistics.rows],
    }
