"""The courses app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping), gathered from one module per concern in `endpoints/`."""

from __future__ import annotations

from gonghui.courses.tests.endpoints import courses, member
from gonghui.orgs.tests.scoping import ScopedEndpoint

_MODULES = (courses, member)

ENDPOINTS: list[ScopedEndpoint] = [endpoint for module in _MODULES for endpoint in module.ENDPOINTS]
UNSCOPED: dict[str, str] = {route: reason for module in _MODULES for route, reason in module.UNSCOPED.items()}
