"""The signed-in member's own courses API: no org scoping, each operation acts on the caller's
own enrolments only (test_api)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "a member's own enrolments: found by the caller's account, never by org (test_api)"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    "GET /api/v1/courses/me": _OWN,
    "POST /api/v1/courses/me/enrolments": _OWN,
    "POST /api/v1/courses/me/enrolments/{enrolment_id}/cancel": _OWN,
}
