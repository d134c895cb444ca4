"""Scoped endpoints: the signed-in member's own hardship files (/api/v1/assistance/me).

Nothing here is an officer's scope: each operation answers for the caller's own files only
(someone else's answers 404), which test_files_api checks."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "the signed-in member's own hardship files only; another person's file answers 404 (test_files_api)"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    "GET /api/v1/assistance/me/files": _OWN,
    "POST /api/v1/assistance/me/files": _OWN,
    "GET /api/v1/assistance/me/files/{file_id}": _OWN,
    "POST /api/v1/assistance/me/files/{file_id}/documents": _OWN,
    "GET /api/v1/assistance/me/grants": "the signed-in member's own paid grants (test_grants)",
}
