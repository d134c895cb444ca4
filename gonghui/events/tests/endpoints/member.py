"""The signed-in member's own events API: no org scoping, each operation acts on the caller's own
sign-ups and calendar address only (test_api_member)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "a member's own sign-ups: found by the caller's account, never by org (test_api_member)"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    "GET /api/v1/events/me": _OWN,
    "POST /api/v1/events/me/signups": _OWN,
    "POST /api/v1/events/me/signups/{signup_id}/cancel": _OWN,
    "POST /api/v1/events/me/signups/{signup_id}/feedback": _OWN,
    "POST /api/v1/events/me/calendar": "the caller's own calendar address (test_api_member)",
    "DELETE /api/v1/events/me/calendar": "the caller's own calendar address (test_api_member)",
}
