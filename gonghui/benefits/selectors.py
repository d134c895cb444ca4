"""Reads of the benefits app that pages, the API and exports share: the campaign report.

`campaign_report` counts in the database, a fixed number of queries whatever the campaign's
size: per item (GROUP BY item) and per org below the organiser (GROUP BY the prefix of the
claimant's org path one level below the organiser's, with Substr), never a loop over rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.benefits.models import Campaign, CampaignItem, Claim, Entry, Voucher, VoucherStatus
from gonghui.core.money import to_money
from gonghui.core.spreadsheets import neutralise_formula
from gonghui.orgs.models import Org

ZERO = Decimal("0.00")


@dataclass
class Figures:
    """The counts and money of a campaign, one of its items or one org's members."""

    entries: int = 0
    claims: int = 0
    redeemed: int = 0
    expired: int = 0
    valid: int = 0
    shipped: int = 0
    spend_committed: Decimal = ZERO
    spend_redeemed: Decimal = ZERO

    def add(self, other: Figures) -> None:
        self.entries += other.entries
        self.claims += other.claims
        self.redeemed += other.redeemed
        self.expired += other.expired
        self.valid += other.valid
        self.shipped += other.shipped
        self.spend_committed += other.spend_committed
        self.spend_redeemed += other.spend_redeemed


@dataclass
class ItemRow:
    id: int
    name: str
    unit_cost: Decimal
    stock: int
    remaining: int
    figures: Figures

    @property
    def given(self) -> int:
        return self.stock - self.remaining


@dataclass
class OrgRow:
    """One org below the organiser with everything under it, or the organiser itself
    (`is_organiser`); `org` is None for members whose union is outside the organiser's subtree."""

    org: Org | None
    is_organiser: bool
    figures: Figures

    @property
    def name(self) -> str:
        return self.org.name if self.org is not None else ""


@dataclass
class CampaignReport:
    campaign: Campaign
    at: datetime
    totals: Figures
    budget: Decimal
    items: list[ItemRow] = field(default_factory=list)
    by_org: list[OrgRow] = field(default_factory=list)

    @property
    def remaining_budget(self) -> Decimal:
        return self.budget - self.totals.spend_committed

    @property
    def entries(self) -> int:
        return self.totals.entries

    @property
    def claims(self) -> int:
        return self.totals.claims


def _money(value: Any) -> Decimal:
    return to_money(value) if value is not None else ZERO


def _voucher_counts(queryset: QuerySet[Voucher], now: datetime, key: str) -> dict[Any, dict[str, Any]]:
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)
    rows = queryset.values(key).annotate(
        redeemed=Count("pk", filter=Q(status=VoucherStatus.REDEEMED)),
        expired=Count("pk", filter=Q(status=VoucherStatus.ISSUED, expires_at__lte=now)),
        valid=Count("pk", filter=Q(status=VoucherStatus.ISSUED, expires_at__gt=now)),
        spend_redeemed=Coalesce(
            Sum("claim__item__unit_cost", filter=Q(status=VoucherStatus.REDEEMED)),
            Value(ZERO),
            output_field=money,
        ),
    )
    return {row[key]: row for row in rows}


def _claim_counts(queryset: QuerySet[Claim], key: str) -> dict[Any, dict[str, Any]]:
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)
    rows = queryset.values(key).annotate(
        claims=Count("pk"),
        shipped=Count("pk", filter=Q(shipped_at__isnull=False)),
        spend=Coalesce(Sum("item__unit_cost"), Value(ZERO), output_field=money),
    )
    return {row[key]: row for row in rows}


def _entry_counts(queryset: QuerySet[Entry], key: str) -> dict[Any, int]:
    return {row[key]: row["entries"] for row in queryset.values(key).annotate(entries=Count("pk"))}


def _figures(key: Any, claims: dict[Any, Any], vouchers: dict[Any, Any], entries: dict[Any, int]) -> Figures:
    claim = claims.get(key, {})
    voucher = vouchers.get(key, {})
    return Figures(
        entries=entries.get(key, 0),
        claims=claim.get("claims", 0),
        shipped=claim.get("shipped", 0),
        spend_committed=_money(claim.get("spend")),
        redeemed=voucher.get("redeemed", 0),
        expired=voucher.get("expired", 0),
        valid=voucher.get("valid", 0),
        spend_redeemed=_money(voucher.get("spend_redeemed")),
    )


def campaign_report(campaign: Campaign, now: datetime | None = None) -> CampaignReport:
    """Entries, claims, vouchers (redeemed, expired, still valid), shipped items and spend against
    the budget: in total, per item, and per direct child org of the organiser (plus the organiser's
    own members). Spend committed is Σ claims × unit cost; spend redeemed Σ redeemed × unit cost."""
    now = now or timezone.now()
    organiser = campaign.org
    claims = Claim.objects.filter(campaign=campaign).order_by()
    vouchers = Voucher.objects.filter(campaign=campaign).order_by()
    entries = Entry.objects.filter(campaign=campaign).order_by()

    # Per item: three GROUP BY queries and the items themselves.
    item_claims = _claim_counts(claims, "item_id")
    item_vouchers = _voucher_counts(vouchers, now, "claim__item_id")
    item_entries = _entry_counts(entries, "item_id")
    totals = Figures()
    items: list[ItemRow] = []
    for item in CampaignItem.objects.filter(campaign=campaign).order_by("position", "id"):
        figures = _figures(item.pk, item_claims, item_vouchers, item_entries)
        totals.add(figures)
        items.append(
            ItemRow(
                id=item.pk,
                name=item.name,
                unit_cost=item.unit_cost,
                stock=item.stock,
                remaining=item.remaining,
                figures=figures,
            )
        )

    # By org: the claimant's org path cut one level below the organiser's. The organiser's own
    # members keep its path whole (their path is no longer than the cut).
    cut = len(organiser.path) + Org.steplen
    org_claims = _claim_counts(claims.annotate(branch=Substr("org__path", 1, cut)), "branch")
    org_vouchers = _voucher_counts(
        vouchers.annotate(branch=Substr("claim__org__path", 1, cut)), now, "branch"
    )
    org_entries = _entry_counts(entries.annotate(branch=Substr("org__path", 1, cut)), "branch")
    children = list(
        Org.objects.filter(path__startswith=organiser.path, depth=organiser.depth + 1).order_by("path")
    )
    by_org = [
        OrgRow(
            org=organiser,
            is_organiser=True,
            figures=_figures(organiser.path, org_claims, org_vouchers, org_entries),
        )
    ]
    by_org += [
        OrgRow(
            org=child, is_organiser=False, figures=_figures(child.path, org_claims, org_vouchers, org_entries)
        )
        for child in children
    ]
    known = {organiser.path, *(child.path for child in children)}
    outside = Figures()
    for branch in set(org_claims) | set(org_vouchers) | set(org_entries):
        if branch not in known:
            outside.add(_figures(branch, org_claims, org_vouchers, org_entries))
    if outside.claims or outside.entries:
        by_org.append(OrgRow(org=None, is_organiser=False, figures=outside))

    return CampaignReport(
        campaign=campaign, at=now, totals=totals, budget=campaign.budget, items=items, by_org=by_org
    )


# --------------------------------------------------------------------------------------------
# The report as a workbook
# --------------------------------------------------------------------------------------------

FIGURE_HEADERS = (
    ("entries", _("Entries")),
    ("claims", _("Claims")),
    ("redeemed", _("Vouchers redeemed")),
    ("expired", _("Vouchers expired")),
    ("valid", _("Vouchers still valid")),
    ("shipped", _("Shipped")),
    ("spend_committed", _("Spend committed (yuan)")),
    ("spend_redeemed", _("Spend redeemed (yuan)")),
)


def _figure_values(figures: Figures) -> list[Any]:
    return [getattr(figures, key) for key, _label in FIGURE_HEADERS]


def report_workbook(report: CampaignReport) -> bytes:
    """The report in three sheets (summary, items, by org). Text cells are written as strings and
    can never start a formula; amounts are numbers with two decimals."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = workbook.add_format({"num_format": "#,##0.00"})

    def text(sheet: Any, row: int, column: int, value: str, style: Any = None) -> None:
        sheet.write_string(row, column, neutralise_formula(str(value)), style)

    def value(sheet: Any, row: int, column: int, item: Any) -> None:
        if isinstance(item, Decimal):
            sheet.write_number(row, column, item, money)
        elif isinstance(item, int):
            sheet.write_number(row, column, item)
        else:
            text(sheet, row, column, str(item))

    campaign = report.campaign
    summary = workbook.add_worksheet(str(_("Summary")))
    summary.set_column(0, 0, 24)
    summary.set_column(1, 1, 40)
    lines: list[tuple[str, Any]] = [
        (str(_("Campaign")), campaign.title),
        (str(_("Organising union")), campaign.org.name),
        (str(_("Allocation")), str(campaign.get_mode_display())),
        (str(_("Status")), str(campaign.get_status_display())),
        (str(_("Opens at")), timezone.localtime(campaign.starts_at).strftime("%Y-%m-%d %H:%M")),
        (str(_("Closes at")), timezone.localtime(campaign.ends_at).strftime("%Y-%m-%d %H:%M")),
        (str(_("Figures at")), timezone.localtime(report.at).strftime("%Y-%m-%d %H:%M")),
        *[(str(label), getattr(report.totals, key)) for key, label in FIGURE_HEADERS],
        (str(_("Budget (yuan)")), report.budget),
        (str(_("Remaining budget (yuan)")), report.remaining_budget),
    ]
    for row, (label, item) in enumerate(lines):
        text(summary, row, 0, label, bold)
        value(summary, row, 1, item)

    items = workbook.add_worksheet(str(_("Items")))
    headers = [str(_("Item")), str(_("Unit cost (yuan)")), str(_("Stock")), str(_("Remaining"))]
    headers += [str(label) for _key, label in FIGURE_HEADERS]
    items.set_column(0, 0, 24)
    items.set_column(1, len(headers) - 1, 14)
    for column, label in enumerate(headers):
        text(items, 0, column, label, head)
    for row, item in enumerate(report.items, start=1):
        for column, cell in enumerate(
            [item.name, item.unit_cost, item.stock, item.remaining, *_figure_values(item.figures)]
        ):
            value(items, row, column, cell)

    orgs = workbook.add_worksheet(str(_("By union")))
    headers = [str(_("Union")), str(_("Code"))] + [str(label) for _key, label in FIGURE_HEADERS]
    orgs.set_column(0, 0, 32)
    orgs.set_column(1, len(headers) - 1, 14)
    for column, label in enumerate(headers):
        text(orgs, 0, column, label, head)
    for row, line in enumerate(report.by_org, start=1):
        if line.org is None:
            name, code = str(_("Members of other unions")), ""
        elif line.is_organiser:
            name, code = str(_("%(org)s itself") % {"org": line.org.name}), line.org.code
        else:
            name, code = line.org.name, line.org.code
        for column, cell in enumerate([name, code, *_figure_values(line.figures)]):
            value(orgs, row, column, cell)
    workbook.close()
    return output.getvalue()


def report_file_name(campaign: Campaign) -> str:
    return f"campaign-{campaign.pk}-report-{timezone.localdate():%Y%m%d}.xlsx"
