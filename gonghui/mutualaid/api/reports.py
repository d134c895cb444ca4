"""REST API of mutual aid reports (/api/v1/mutualaid/reports): the figures of the console's
report page for a plan and an org subtree in the caller's scope (mutualaid.view). Counts and
money only; amounts are decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.api import request_user
from gonghui.core.api_types import MAX_ID, OrgRef, PathId
from gonghui.core.errors import NotFound
from gonghui.mutualaid.reports import Figures, PlanReport, default_org, plan_report, report_orgs, report_plans
from gonghui.orgs.models import Org

router = Router(tags=["mutualaid"])


class AidReportFiguresOut(Schema):
    insured: int = Field(description="People enrolled in the plan by the unions of the subtree.")
    contributions_due: Decimal = Field(description="Σ enrolment batch totals, yuan.")
    contributions_paid: Decimal = Field(description="Σ batches whose payment is recorded, yuan.")
    claims: int
    paid_claims: int
    paid_total: Decimal = Field(description="Σ payouts of paid claims, yuan.")
    average_payout: Decimal | None = Field(description="Paid total ÷ paid claims; null without paid claims.")
    payout_ratio: Decimal | None = Field(
        description="Paid total as a percentage of the contributions due (one decimal); "
        "null when none are due."
    )


class AidReportClaimLineOut(Schema):
    status: str
    count: int
    invoice_total: Decimal = Field(description="Σ invoice lines submitted, rejected lines included, yuan.")
    payout: Decimal | None = Field(
        description="Σ payouts; null for claims not yet checked and rejected ones."
    )


class AidReportClaimTypeOut(Schema):
    claim_type: str
    count: int
    invoice_total: Decimal
    payout: Decimal = Field(description="Σ payouts of the checked, approved, in-payment and paid claims.")
    paid_claims: int
    paid_total: Decimal
    average_payout: Decimal | None
    statuses: list[AidReportClaimLineOut] = Field(
        description="One line per status that has claims, in workflow order."
    )


class AidReportOrgFiguresOut(Schema):
    org: OrgRef
    is_self: bool = Field(description="The chosen org's own members (not those of the orgs under it).")
    figures: AidReportFiguresOut


class AidPlanReportOut(Schema):
    plan_id: int
    plan: str
    federation: OrgRef
    org: OrgRef
    at: datetime
    totals: AidReportFiguresOut
    invoice_total: Decimal
    claim_types: list[AidReportClaimTypeOut]
    by_org: list[AidReportOrgFiguresOut]


class AidReportQuery(Schema):
    org: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The org whose subtree is reported; the plan's federation (or the top of your "
        "scope) if left out.",
    )


def _org(org: Org) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "insured": figures.insured,
        "contributions_due": figures.contributions_due,
        "contributions_paid": figures.contributions_paid,
        "claims": figures.claims,
        "paid_claims": figures.paid_claims,
        "paid_total": figures.paid_total,
        "average_payout": figures.average_payout,
        "payout_ratio": figures.payout_ratio,
    }


def report_out(report: PlanReport) -> dict[str, Any]:
    return {
        "plan_id": report.plan.pk,
        "plan": report.plan.name,
        "federation": _org(report.plan.org),
        "org": _org(report.org),
        "at": report.at,
        "totals": _figures(report.totals),
        "invoice_total": report.invoice_total,
        "claim_types": [
            {
                "claim_type": row.claim_type,
                "count": row.count,
                "invoice_total": row.invoice_total,
                "payout": row.payout,
                "paid_claims": row.paid_claims,
                "paid_total": row.paid_total,
                "average_payout": row.average_payout,
                "statuses": [
                    {
                        "status": line.status,
                        "count": line.count,
                        "invoice_total": line.invoice_total,
                        "payout": line.payout,
                    }
                    for line in row.lines
                ],
            }
            for row in report.claim_types
        ],
        "by_org": [
            {"org": _org(line.org), "is_self": line.is_self, "figures": _figures(line.figures)}
            for line in report.by_org
        ],
    }


@router.get("/plans/{plan_id}", response=AidPlanReportOut, summary="The report of a mutual aid plan")
def get_plan_report(request: HttpRequest, plan_id: PathId, query: Query[AidReportQuery]) -> dict[str, Any]:
    """Insured members, contributions due and paid, claims by type and status (count, invoice
    total, payout), paid total, average payout per paid claim and payout ratio of the members of
    an org's subtree, and the same for each org directly under it. Plans run in your scope or by
    a federation above it; 404 for a plan or org outside your scope, as for a missing one."""
    user = request_user(request)
    plan = report_plans(user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("There is no such plan in your scope."))
    org = default_org(user, plan) if query.org is None else report_orgs(user).filter(pk=query.org).first()
    if org is None:
        message = _("Choose an organisation in your scope.")
        raise NotFound(message, fields={"org": [message]})
    return report_out(plan_report(user, plan, org))
