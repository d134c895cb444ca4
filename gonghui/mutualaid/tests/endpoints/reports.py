"""Scoped endpoints: mutual aid reports (console page, xlsx download, API).

The plan is run by the parent of the target union (a district's plan), so an officer of a
sibling district cannot choose it at all and gets the 404 of a missing plan; the report tests
check that an officer beside a city plan's union sees none of its figures."""

from __future__ import annotations

from gonghui.mutualaid.tests.factories_reports import reported_plan
from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:mutualaid:report",
        action="detail",
        url=lambda plan: f"/console/mutualaid/report/?plan={plan.pk}",
        make=reported_plan,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:report_xlsx",
        action="detail",
        url=lambda plan: f"/console/mutualaid/report.xlsx?plan={plan.pk}",
        make=reported_plan,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/mutualaid/reports/plans/{plan_id}",
        action="detail",
        url=lambda plan: f"/api/v1/mutualaid/reports/plans/{plan.pk}",
        make=reported_plan,
    ),
]
UNSCOPED: dict[str, str] = {}
