"""Scoped endpoints: the member's own mutual aid. No console page; every API operation and portal
page acts on the caller's own enrolments and claims, found from the ID blind indexes of the
memberships linked to the signed-in account, so none takes an org that officer scoping could
check. A claim or document id of another person is 404 like a missing one (test_api_member.py
and test_portal_claims.py prove it)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "the caller's own enrolments and claims, found from the signed-in account"
_OWN_CLAIM = _OWN + "; any other claim id is 404, like a missing one"
_OWN_DOCUMENT = _OWN_CLAIM + " (and any document of another claim)"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    "GET /api/v1/mutualaid/me/coverage": _OWN,
    "GET /api/v1/mutualaid/me/claims": _OWN,
    "POST /api/v1/mutualaid/me/claims": _OWN + "; the service claims for the caller's own membership only",
    "GET /api/v1/mutualaid/me/claims/{claim_id}": _OWN_CLAIM,
    "POST /api/v1/mutualaid/me/claims/{claim_id}/documents": _OWN_CLAIM,
    "GET /api/v1/mutualaid/me/claims/{claim_id}/documents/{document_id}": _OWN_DOCUMENT,
    # Portal pages (not console pages, listed for the record).
    "portal:mutualaid": _OWN,
    "portal:mutualaid_claims": _OWN,
    "portal:mutualaid_claim_new": _OWN + "; the service claims for the caller's own membership only",
    "portal:mutualaid_claim": _OWN_CLAIM,
    "portal:mutualaid_claim_documents": _OWN_CLAIM,
    "portal:mutualaid_claim_document": _OWN_DOCUMENT,
}
