"""Mutual aid pages and API operations, for the scoping test base (gonghui.orgs.tests.scoping).

None yet: this slice is the data model, the services and the payout engine. The console pages
and API operations of plans, enrolment and claims register here as they are built.
"""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []

UNSCOPED: dict[str, str] = {}
