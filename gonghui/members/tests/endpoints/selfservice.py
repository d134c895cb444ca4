"""Scoped endpoints: member self-service. No console page; every API operation acts on the
caller's own records (found from the signed-in account), so none takes an org or an object id
that scoping could check. test_selfservice_api.py shows that another person's data never appears."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "the caller's own membership, found from the signed-in account; no org or object id is taken"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    "GET /api/v1/membership": _OWN,
    "GET /api/v1/membership/union": _OWN + " (the union of the caller's own membership)",
    "PATCH /api/v1/membership/categories": _OWN,
    "GET /api/v1/membership/history": _OWN,
    "GET /api/v1/membership/export": _OWN,
    "POST /api/v1/membership/mobile/code": "texts a code to the number the caller wants as their own",
    "POST /api/v1/membership/mobile": _OWN + "; proven by a texted code and the current password",
}
