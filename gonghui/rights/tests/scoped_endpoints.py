"""The rights app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping), gathered from every module in `endpoints/` (disputes, centres,
the worker's own API, and the statistics pages)."""

from __future__ import annotations

import importlib
import pkgutil

from gonghui.orgs.tests.scoping import ScopedEndpoint
from gonghui.rights.tests import endpoints

_MODULES = [
    importlib.import_module(f"{endpoints.__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(endpoints.__path__), key=lambda info: info.name)
]

ENDPOINTS: list[ScopedEndpoint] = [endpoint for module in _MODULES for endpoint in module.ENDPOINTS]
UNSCOPED: dict[str, str] = {
    route: reason for module in _MODULES for route, reason in getattr(module, "UNSCOPED", {}).items()
}
