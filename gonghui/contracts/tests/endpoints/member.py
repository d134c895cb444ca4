"""The signed-in member's own bargaining topics API: no org scoping, each operation acts on the
caller's own proposals and their own union (test_api_member)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "a member's own topics: found by the caller's account, never by org (test_api_member)"
API = "/api/v1/contracts/me"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    f"GET {API}/topics": _OWN,
    f"POST {API}/topics": "proposed to the caller's own union, found from their membership (test_api_member)",
}
