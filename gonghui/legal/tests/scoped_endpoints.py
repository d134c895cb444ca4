"""The legal app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping), gathered from one module per concern in `endpoints/`."""

from __future__ import annotations

from gonghui.legal.tests.endpoints import api, console
from gonghui.orgs.tests.scoping import ScopedEndpoint

_MODULES = (console, api)

ENDPOINTS: list[ScopedEndpoint] = [endpoint for module in _MODULES for endpoint in module.ENDPOINTS]
UNSCOPED: dict[str, str] = {route: reason for module in _MODULES for route, reason in module.UNSCOPED.items()}
