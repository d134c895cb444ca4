"""Scoped endpoints: the registry (member list, search, detail, export) and the member card."""

from __future__ import annotations

from gonghui.members.models import Member
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, row_listed


def _member(org: Org) -> Member:
    return make_members(org, 1)[0]


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:members:list",
        action="list",
        url=lambda member: "/console/members/",
        make=_member,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/members",
        action="list",
        url=lambda member: "/api/v1/members",
        make=_member,
    ),
    # Filtering by an org outside the caller's scope answers 404, as for a missing org.
    ScopedEndpoint(
        covers="GET /api/v1/members",
        action="detail",
        url=lambda member: f"/api/v1/members?org={member.org_id}",
        make=_member,
    ),
]
UNSCOPED: dict[str, str] = {
    "POST /api/v1/members/card/verify": (
        "any signed-in scanner checks a signed card token and learns only masked data (test_member_card)"
    ),
}
