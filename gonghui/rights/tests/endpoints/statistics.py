"""Scoped endpoints: dispute statistics (console page, xlsx download, API).

The figures are asked for an org (`?org=`): the target union's, so an officer of a sibling subtree
gets the 404 of a missing org; test_statistics*.py check what the figures hold."""

from __future__ import annotations

from datetime import timedelta

from gonghui.orgs.tests.scoping import ScopedEndpoint
from gonghui.rights.models import Dispute
from gonghui.rights.tests.factories import make_dispute


def _query(dispute: Dispute) -> str:
    start, end = dispute.received_on - timedelta(days=1), dispute.received_on + timedelta(days=1)
    return f"org={dispute.org_id}&start={start.isoformat()}&end={end.isoformat()}&by=org"


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:rights:statistics",
        action="detail",
        url=lambda dispute: f"/console/rights/statistics/?{_query(dispute)}",
        make=make_dispute,
    ),
    ScopedEndpoint(
        covers="console:rights:statistics_xlsx",
        action="detail",
        url=lambda dispute: f"/console/rights/statistics.xlsx?{_query(dispute)}",
        make=make_dispute,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/rights/statistics",
        action="detail",
        url=lambda dispute: f"/api/v1/rights/statistics?{_query(dispute)}",
        make=make_dispute,
    ),
]
UNSCOPED: dict[str, str] = {}
