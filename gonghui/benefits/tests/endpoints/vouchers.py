"""Scoped endpoints: vouchers and the member's side of campaigns. None of these takes an org
that officer scoping could check: a member's pages and API act on the caller's own claims,
entries and vouchers (found from the signed-in account); campaigns for members and draw records
are public; the tills (merchant desk, console pick-up redemption, the inspect/redeem API) are
scoped by the voucher service itself, which answers "unknown" for any code the caller may not
redeem (test_desk.py and test_portal_redeem.py prove it for another merchant and a sibling officer)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

_OWN = "the caller's own claims, entries and vouchers, found from the signed-in account"
_PUBLIC = "public: published campaigns and lottery draw records, which anyone may re-compute"
_TILL = "the service scopes by the voucher's merchant or pick-up union; out-of-scope codes are 'unknown'"

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED: dict[str, str] = {
    "console:benefits:redeem": (
        "the service scopes by the voucher's pick-up union; out-of-scope codes are 'unknown'"
    ),
    "GET /api/v1/benefits/campaigns": _PUBLIC + " (narrowed to the caller's unions for a member)",
    "GET /api/v1/benefits/campaigns/{campaign_id}": _PUBLIC + "; the standing shown is " + _OWN,
    "POST /api/v1/benefits/campaigns/{campaign_id}/claims": _OWN + "; eligibility checked by the service",
    "POST /api/v1/benefits/campaigns/{campaign_id}/entries": _OWN + "; eligibility checked by the service",
    "GET /api/v1/benefits/campaigns/{campaign_id}/draw": _PUBLIC,
    "GET /api/v1/benefits/vouchers": _OWN,
    "POST /api/v1/benefits/vouchers/inspect": _TILL,
    "POST /api/v1/benefits/vouchers/redeem": _TILL,
    # Portal pages (not console pages, listed for the record).
    "portal:benefits": _PUBLIC,
    "portal:campaign_detail": _PUBLIC + "; the standing and the button act on " + _OWN,
    "portal:campaign_draw": _PUBLIC,
    "portal:my_vouchers": _OWN,
    "portal:voucher_detail": _OWN + " (any other code is 404)",
    "portal:merchant_desk": _TILL + " (merchant accounts only)",
}
