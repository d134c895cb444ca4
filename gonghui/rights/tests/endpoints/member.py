"""The signed-in worker's own disputes API: no org scoping, each operation acts on the
disputes the caller reported (test_portal_api)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "a worker's own disputes: found by the caller's account, never by org (test_portal_api)"
API = "/api/v1/rights/me"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    f"GET {API}": _OWN,
    f"POST {API}": _OWN,
    f"GET {API}/{{dispute_id}}": _OWN,
    f"GET {API}/{{dispute_id}}/messages": _OWN,
    f"POST {API}/{{dispute_id}}/messages": _OWN,
    f"POST {API}/{{dispute_id}}/rating": _OWN,
    f"POST {API}/{{dispute_id}}/documents": _OWN,
}
