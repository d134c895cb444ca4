"""REST API of assistance reports (/api/v1/assistance/reports): the figures of the console's
report page for a year and an org subtree in the caller's scope (assistance.view). Amounts are
decimal strings; what each figure counts is described in gonghui/assistance/reports.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from gonghui.api import request_user
from gonghui.assistance.reports import (
    FILE_STATUSES,
    MAX_YEAR,
    MIN_YEAR,
    YearReport,
    default_org,
    report_orgs,
    year_report,
)
from gonghui.core.api_types import MAX_ID, OrgRef
from gonghui.core.errors import NotFound
from gonghui.orgs.models import Org

router = Router(tags=["assistance"])

Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)]


class AssistanceReportGradeOut(Schema):
    grade: str = Field(description="severe, relative, accidental, or empty for files not graded.")
    by_status: dict[str, int] = Field(description="Files of the year per status now.")
    total: int
    on_record_now: int = Field(description="Files of every year on record today with this grade.")


class AssistanceReportCauseOut(Schema):
    cause: str
    files: int = Field(
        description="Files of the year with this cause; a file with two causes counts under both."
    )
    on_record: int


class AssistanceReportFilesOut(Schema):
    grades: list[AssistanceReportGradeOut]
    causes: list[AssistanceReportCauseOut]
    new_files: int = Field(description="Files applied for in the year.")
    on_record_now: int
    exits: int = Field(description="Files that left the record in the year.")
    rechecks_done: int
    rechecks_by_result: dict[str, int]
    rechecks_due: int = Field(description="Files on record whose re-check falls due by the end of the year.")
    rechecks_overdue: int = Field(description="Of those, the ones already past due today.")


class AssistanceReportFundRef(Schema):
    id: int
    name: str
    held_by: OrgRef


class AssistanceReportGrantLineOut(Schema):
    fund: AssistanceReportFundRef
    purpose: str
    status: str
    count: int
    amount: Decimal


class AssistanceReportFundSpendOut(Schema):
    fund: AssistanceReportFundRef
    grants_paid: int
    paid: Decimal = Field(description="Grants paid from the fund in the year, yuan.")
    reversals: int
    reversed: Decimal = Field(description="Grants reversed in the year, yuan.")
    spend: Decimal = Field(description="Paid − reversed, yuan.")


class AssistanceReportCampaignOut(Schema):
    id: int
    title: str
    season: str
    status: str
    run_by: OrgRef
    people: int = Field(description="People on the list from the subtree.")
    amount: Decimal = Field(description="Their amounts, yuan.")
    budget: Decimal
    budget_used: Decimal | None = Field(
        description="Amount as a percentage of the budget, for a campaign run inside the subtree; else null."
    )


class AssistanceReportOrgFiguresOut(Schema):
    new_files: int
    on_record_now: int
    exits: int
    grants_paid: int
    spend: Decimal
    beneficiaries: int
    campaign_amount: Decimal


class AssistanceReportOrgRowOut(Schema):
    org: OrgRef
    is_self: bool = Field(description="The chosen org's own members (not those of the orgs under it).")
    figures: AssistanceReportOrgFiguresOut


class AssistanceYearReportOut(Schema):
    year: int
    org: OrgRef
    at: datetime
    today: date
    files: AssistanceReportFilesOut
    grants: list[AssistanceReportGrantLineOut]
    grants_count: int
    grants_amount: Decimal
    funds: list[AssistanceReportFundSpendOut]
    spend: Decimal
    campaigns: list[AssistanceReportCampaignOut]
    by_org: list[AssistanceReportOrgRowOut]


class AssistanceReportQuery(Schema):
    org: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The org whose subtree is reported; the top of your scope if left out.",
    )


def _org(org: Org) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _fund(fund: Any) -> dict[str, Any]:
    return {"id": fund.pk, "name": fund.name, "held_by": _org(fund.org)}


def report_out(report: YearReport) -> dict[str, Any]:
    files = report.files
    return {
        "year": report.year,
        "org": _org(report.org),
        "at": report.at,
        "today": report.today,
        "files": {
            "grades": [
                {
                    "grade": row.grade,
                    "by_status": dict(
                        zip([status.value for status in FILE_STATUSES], row.counts, strict=True)
                    ),
                    "total": row.total,
                    "on_record_now": row.on_record_now,
                }
                for row in files.grades
            ],
            "causes": [
                {"cause": row.cause, "files": row.files, "on_record": row.on_record} for row in files.causes
            ],
            "new_files": files.new_files,
            "on_record_now": files.on_record_now,
            "exits": files.exits,
            "rechecks_done": files.rechecks_done,
            "rechecks_by_result": files.rechecks_by_result,
            "rechecks_due": files.rechecks_due,
            "rechecks_overdue": files.rechecks_overdue,
        },
        "grants": [
            {
                "fund": _fund(line.fund),
                "purpose": line.purpose,
                "status": line.status,
                "count": line.count,
                "amount": line.amount,
            }
            for line in report.grants
        ],
        "grants_count": report.grants_count,
        "grants_amount": report.grants_amount,
        "funds": [
            {
                "fund": _fund(row.fund),
                "grants_paid": row.grants_paid,
                "paid": row.paid,
                "reversals": row.reversals,
                "reversed": row.reversed,
                "spend": row.spend,
            }
            for row in report.funds
        ],
        "spend": report.spend,
        "campaigns": [
            {
                "id": row.campaign.pk,
                "title": row.campaign.title,
                "season": row.campaign.season,
                "status": row.campaign.status,
                "run_by": _org(row.campaign.org),
                "people": row.people,
                "amount": row.amount,
                "budget": row.campaign.budget,
                "budget_used": row.budget_used,
            }
            for row in report.campaigns
        ],
        "by_org": [
            {
                "org": _org(line.org),
                "is_self": line.is_self,
                "figures": {
                    "new_files": line.figures.new_files,
                    "on_record_now": line.figures.on_record_now,
                    "exits": line.figures.exits,
                    "grants_paid": line.figures.grants_paid,
                    "spend": line.figures.spend,
                    "beneficiaries": line.figures.beneficiaries,
                    "campaign_amount": line.figures.campaign_amount,
                },
            }
            for line in report.by_org
        ],
    }


@router.get("/years/{year}", response=AssistanceYearReportOut, summary="The assistance report of a year")
def get_year_report(request: HttpRequest, year: Year, query: Query[AssistanceReportQuery]) -> dict[str, Any]:
    """Hardship files by grade, status and cause, new files, exits, re-checks done and due;
    grants by fund, purpose and status; spend by fund (paid − reversed); care campaigns (people
    and amount against the budget); and the same by each org directly under the chosen one.
    404 for an org outside your scope, as for a missing one."""
    user = request_user(request)
    org = default_org(user) if query.org is None else report_orgs(user).filter(pk=query.org).first()
    if org is None:
        message = _("Choose an organisation in your scope.")
        raise NotFound(message, fields={"org": [message]})
    return report_out(year_report(user, year, org))
