"""REST API of campaign reports for officers (/api/v1/benefits/reports): the same figures as the
console's report page, for campaigns of the unions in the caller's scope (benefits.view)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from gonghui.api import request_user
from gonghui.benefits.models import Campaign
from gonghui.benefits.selectors import CampaignReport, Figures, campaign_report
from gonghui.core.api_types import PathId
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible

router = Router(tags=["benefits"])


class FiguresOut(Schema):
    entries: int
    claims: int
    redeemed: int = Field(description="Vouchers redeemed.")
    expired: int = Field(description="Vouchers issued and past their expiry, not redeemed.")
    valid: int = Field(description="Vouchers that can still be redeemed.")
    shipped: int
    spend_committed: Decimal = Field(description="Σ claims × unit cost, yuan.")
    spend_redeemed: Decimal = Field(description="Σ redeemed vouchers × unit cost, yuan.")


class ItemReportOut(Schema):
    id: int
    name: str
    unit_cost: Decimal
    stock: int
    remaining: int
    figures: FiguresOut


class OrgReportOut(Schema):
    org_id: int | None = Field(description="None: members of unions outside the organiser's subtree.")
    org_code: str
    org_name: str
    is_organiser: bool = Field(description="The organiser's own members (not those of unions under it).")
    figures: FiguresOut


class CampaignReportOut(Schema):
    campaign_id: int
    title: str
    organiser: str
    status: str
    at: datetime
    budget: Decimal
    remaining_budget: Decimal
    totals: FiguresOut
    items: list[ItemReportOut]
    by_org: list[OrgReportOut]


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "entries": figures.entries,
        "claims": figures.claims,
        "redeemed": figures.redeemed,
        "expired": figures.expired,
        "valid": figures.valid,
        "shipped": figures.shipped,
        "spend_committed": figures.spend_committed,
        "spend_redeemed": figures.spend_redeemed,
    }


def report_out(report: CampaignReport) -> dict[str, Any]:
    campaign = report.campaign
    return {
        "campaign_id": campaign.pk,
        "title": campaign.title,
        "organiser": campaign.org.name,
        "status": campaign.status,
        "at": report.at,
        "budget": report.budget,
        "remaining_budget": report.remaining_budget,
        "totals": _figures(report.totals),
        "items": [
            {
                "id": item.id,
                "name": item.name,
                "unit_cost": item.unit_cost,
                "stock": item.stock,
                "remaining": item.remaining,
                "figures": _figures(item.figures),
            }
            for item in report.items
        ],
        "by_org": [
            {
                "org_id": line.org.pk if line.org is not None else None,
                "org_code": line.org.code if line.org is not None else "",
                "org_name": line.org.name if line.org is not None else "",
                "is_organiser": line.is_organiser,
                "figures": _figures(line.figures),
            }
            for line in report.by_org
        ],
    }


@router.get("/campaigns/{campaign_id}", response=CampaignReportOut, summary="The report of a campaign")
def get_campaign_report(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    """Entries, claims, vouchers redeemed / expired / still valid, shipped items and spend
    against the budget: in total, per item and by the unions directly under the organiser."""
    campaign = get_visible(
        Campaign.objects.select_related("org"), request_user(request), Perm.BENEFITS_VIEW, pk=campaign_id
    )
    return report_out(campaign_report(campaign))
