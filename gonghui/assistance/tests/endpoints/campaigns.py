"""Scoped endpoints: hardship assistance campaigns."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {}
