"""Scoped endpoints: campaign reports (console page, xlsx download, API)."""

from __future__ import annotations

from gonghui.benefits.tests.factories import make_campaign
from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:benefits:campaign_report",
        action="detail",
        url=lambda campaign: f"/console/benefits/campaigns/{campaign.pk}/report/",
        make=make_campaign,
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_report_xlsx",
        action="detail",
        url=lambda campaign: f"/console/benefits/campaigns/{campaign.pk}/report.xlsx",
        make=make_campaign,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/benefits/reports/campaigns/{campaign_id}",
        action="detail",
        url=lambda campaign: f"/api/v1/benefits/reports/campaigns/{campaign.pk}",
        make=make_campaign,
    ),
]
UNSCOPED: dict[str, str] = {}
