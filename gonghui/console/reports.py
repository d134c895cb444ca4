"""The report index (统计报表): every figure page of the console in one list, grouped, each
shown only to officers who may open it. The pages themselves live in their apps and scope
their figures to the officer's subtree; this list only says where they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import holding
from gonghui.orgs.permissions import Perm


@dataclass(frozen=True)
class Report:
    key: str
    label: str | Promise
    about: str | Promise
    url_name: str
    visible: Callable[[Any], bool]


@dataclass(frozen=True)
class ReportGroup:
    label: str | Promise
    reports: tuple[Report, ...]


GROUPS: tuple[ReportGroup, ...] = (
    ReportGroup(
        _("Organisation"),
        (
            Report(
                "coverage",
                _("Union coverage"),
                _("Workplaces, unions and members per organisation: founding and membership rates."),
                "console:orgs:coverage",
                holding(Perm.COVERAGE_VIEW),
            ),
            Report(
                "ratings",
                _("Vitality ratings"),
                _("How the unions of each level were graded this year."),
                "console:ratings:summary",
                holding(Perm.RATING_VIEW),
            ),
            Report(
                "contracts",
                _("Collective contract coverage"),
                _("Share of workplaces with a contract in force, by kind and organisation."),
                "console:contracts:coverage",
                holding(Perm.CONTRACTS_VIEW),
            ),
        ),
    ),
    ReportGroup(
        _("Services for workers"),
        (
            Report(
                "benefits",
                _("Giveaway campaigns"),
                _("Each campaign's claims, redemptions and spending against its budget (on its page)."),
                "console:benefits:campaign_list",
                holding(Perm.BENEFITS_VIEW),
            ),
            Report(
                "mutualaid",
                _("Mutual aid"),
                _("People insured, contributions, claims and payouts, by plan and organisation."),
                "console:mutualaid:report",
                holding(Perm.MUTUALAID_VIEW),
            ),
            Report(
                "assistance",
                _("Hardship and assistance"),
                _("Families on file by grade and cause, grants, funds and care campaigns."),
                "console:assistance:report",
                holding(Perm.ASSISTANCE_VIEW),
            ),
            Report(
                "events",
                _("Event participation"),
                _("Sign-ups, attendance and feedback of events."),
                "console:events:participation",
                holding(Perm.EVENTS_VIEW),
            ),
            Report(
                "services",
                _("Best service points"),
                _("The year's ranking of service points by their visitors' ratings."),
                "console:services:point_ranking",
                holding(Perm.SERVICES_VIEW),
            ),
            Report(
                "counselling",
                _("Counselling"),
                _("Sessions by month, union, mode and topic (counts only, never content)."),
                "console:counselling:report",
                holding(Perm.COUNSELLING_MANAGE),
            ),
        ),
    ),
    ReportGroup(
        _("Rights protection"),
        (
            Report(
                "disputes",
                _("Labour disputes"),
                _("Disputes received, settled, success rate, amounts recovered and days to conclude."),
                "console:rights:statistics",
                holding(Perm.RIGHTS_VIEW),
            ),
            Report(
                "supervision",
                _("Labour-law supervision"),
                _("Inspections, notices and the rectification rate of this year."),
                "console:supervision:inspection_list",
                holding(Perm.RIGHTS_VIEW),
            ),
        ),
    ),
)


def reports_for(user: Any) -> list[tuple[ReportGroup, list[Report]]]:
    """The groups with the reports `user` may open; groups left empty are left out."""
    shown = [(group, [report for report in group.reports if report.visible(user)]) for group in GROUPS]
    return [(group, reports) for group, reports in shown if reports]


@require_GET
@officer_required
def report_index(request: HttpRequest) -> HttpResponse:
    groups = [
        (
            group,
            [
                {
                    "key": report.key,
                    "label": report.label,
                    "about": report.about,
                    "url": reverse(report.url_name),
                }
                for report in reports
            ],
        )
        for group, reports in reports_for(signed_in_user(request))
    ]
    return render(request, "console/reports.html", {"groups": groups, "console_section": "reports"})
