"""The signed-in member's own counselling API: no org scoping, each operation acts on the
caller's own bookings, and the slots offered to the caller's own union (test_api_member)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "a member's own bookings: found by the caller's account, never by org (test_api_member)"
API = "/api/v1/counselling/me"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    f"GET {API}": _OWN,
    f"GET {API}/slots": "the slots offered to the caller's own union (test_api_member)",
    f"POST {API}/bookings": _OWN,
    f"POST {API}/bookings/{{booking_id}}/cancel": _OWN,
}
