"""Builders for the assistance tests: rows as the services would leave them.

A fund's balance and its ledger agree (`fund_with`), so tests that start from a funded fund hold
the invariant balance = sum of entries from their first line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.assistance.models import (
    CareCampaign,
    EntryKind,
    Fund,
    FundEntry,
    FundKind,
    IncomeThreshold,
    Season,
)
from gonghui.orgs.models import Org


def make_threshold(org: Org, *, year: int = 2027, amount: str = "1200.00") -> IncomeThreshold:
    threshold: IncomeThreshold = IncomeThreshold.objects.create(
        org=org, year=year, monthly_per_capita=Decimal(amount)
    )
    return threshold


def fund_with(
    org: Org, amount: str = "0.00", *, name: str = "困难职工帮扶基金", kind: str = FundKind.FEDERATION
) -> Fund:
    """A fund holding `amount`, paid in by one deposit entry (none for zero)."""
    fund: Fund = Fund.objects.create(org=org, name=name, kind=kind)
    money = Decimal(amount)
    if money:
        FundEntry.objects.create(
            fund=fund,
            kind=EntryKind.DEPOSIT,
            amount=money,
            balance_after=money,
            memo="年度帮扶资金拨入",
            booked_on=timezone.localdate(),
        )
        Fund.objects.filter(pk=fund.pk).update(balance=money)
        fund.refresh_from_db()
    return fund


def make_care_campaign(
    org: Org,
    *,
    season: str = Season.WINTER_WARMTH,
    year: int = 2027,
    budget: str = "100000.00",
    amount_per_person: str = "500.00",
    **fields: Any,
) -> CareCampaign:
    values: dict[str, Any] = {
        "title": f"{year}年{Season(season).label}",
        "eligible_org": org,
        **fields,
    }
    if season == Season.AUTUMN_EDUCATION:
        values.setdefault("applications_from", date(year, 7, 1))
        values.setdefault("applications_until", date(year, 9, 30))
    campaign: CareCampaign = CareCampaign.objects.create(
        org=org,
        year=year,
        season=season,
        budget=Decimal(budget),
        amount_per_person=Decimal(amount_per_person),
        **values,
    )
    return campaign
