"""The counselling app's console pages and API operations for the scoping test base."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {}
