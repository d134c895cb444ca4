"""The contracts app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping), gathered from one module per concern in `endpoints/`."""

from __future__ import annotations

from gonghui.contracts.tests.endpoints import api, console, member
from gonghui.orgs.tests.scoping import ScopedEndpoint

_MODULES = (api, console, member)

ENDPOINTS: list[ScopedEndpoint] = [endpoint for module in _MODULES for endpoint in module.ENDPOINTS]
UNSCOPED: dict[str, str] = {route: reason for module in _MODULES for route, reason in module.UNSCOPED.items()}
