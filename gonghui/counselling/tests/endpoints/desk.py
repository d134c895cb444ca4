"""The counsellor's desk API: no org scoping, each operation acts on the calling counsellor's
own hours and bookings only; officers of any rank find nothing there (test_privacy)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "a counsellor's own hours and bookings: found by the caller's account, never by org (test_privacy)"
API = "/api/v1/counselling/desk"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    f"GET {API}/slots": _OWN,
    f"POST {API}/slots": _OWN,
    f"GET {API}/bookings": _OWN,
    f"GET {API}/bookings/{{booking_id}}": _OWN,
    f"POST {API}/bookings/{{booking_id}}/cancel": _OWN,
    f"POST {API}/bookings/{{booking_id}}/close": _OWN,
    f"PUT {API}/bookings/{{booking_id}}/note": _OWN,
}
