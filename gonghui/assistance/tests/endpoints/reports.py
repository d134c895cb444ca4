"""Scoped endpoints: assistance reports (console page, xlsx download, API).

A report is asked for an org (`?org=`): the target union's, so an officer of a sibling subtree
gets the 404 of a missing org; the report tests check what each officer's default report holds."""

from __future__ import annotations

from gonghui.assistance.tests.factories_reports import reported_file
from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:assistance:report",
        action="detail",
        url=lambda file: f"/console/assistance/report/?year={file.year}&org={file.org_id}",
        make=reported_file,
    ),
    ScopedEndpoint(
        covers="console:assistance:report_xlsx",
        action="detail",
        url=lambda file: f"/console/assistance/report.xlsx?year={file.year}&org={file.org_id}",
        make=reported_file,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/assistance/reports/years/{year}",
        action="detail",
        url=lambda file: f"/api/v1/assistance/reports/years/{file.year}?org={file.org_id}",
        make=reported_file,
    ),
]
UNSCOPED: dict[str, str] = {}
