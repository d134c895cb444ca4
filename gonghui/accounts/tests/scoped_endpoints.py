"""Accounts endpoints act on the caller's own account only: nothing here belongs to an org."""

from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED = {
    "GET /api/v1/me": "the caller's own account",
    "GET /api/v1/tokens": "the caller's own tokens (filtered by user)",
    "POST /api/v1/tokens": "creates a token for the caller",
    "DELETE /api/v1/tokens/{token_id}": "the caller's own tokens; others' answer 404 (test_api_tokens)",
}
