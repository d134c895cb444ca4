"""The supervision app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping), gathered from one module per concern in `endpoints/`."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint
from gonghui.supervision.tests.endpoints import api, console

_MODULES = (console, api)

ENDPOINTS: list[ScopedEndpoint] = [endpoint for module in _MODULES for endpoint in module.ENDPOINTS]
UNSCOPED: dict[str, str] = {route: reason for module in _MODULES for route, reason in module.UNSCOPED.items()}
