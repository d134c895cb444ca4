"""Scoped endpoints: transfers (转会) and leaving (退会).

Both unions see a transfer, so the transfers made here move between the own union and a
neighbour union under the same parent federation: the parent officer sees both ends, the own
officer one end, and the sibling district's officer neither (404, as for a missing transfer).
"Outgoing" transfers leave the own union (its officer may cancel them); "incoming" ones arrive
there (its officer decides them).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gonghui.members.models import Member, Transfer
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.tests.factories import add_org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

NEIGHBOUR_CODE = "SCOPE-AZ"


def _neighbour(org: Org) -> Org:
    """A union beside `org` under the same parent: outside the sibling officer's scope."""
    found = Org.objects.filter(code=NEIGHBOUR_CODE).first()
    return found or add_org(
        Org.objects.get_parent(org), NEIGHBOUR_CODE, "甲区另一公司工会", OrgKind.GRASSROOTS
    )


def _member(org: Org) -> Member:
    _neighbour(org)
    return make_members(org, 1)[0]


def _member_of_neighbour(org: Org) -> Member:
    return make_members(_neighbour(org), 1)[0]


def _outgoing(org: Org) -> Transfer:
    member = make_members(org, 1)[0]
    return Transfer.objects.create(member=member, from_org=org, to_org=_neighbour(org))


def _incoming(org: Org) -> Transfer:
    neighbour = _neighbour(org)
    member = make_members(neighbour, 1)[0]
    return Transfer.objects.create(member=member, from_org=neighbour, to_org=org)


def _api_request(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {"member_id": member.pk, "to_org": _neighbour(world.own).pk, "reason": "工作调动"}


def _console_request(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {"to_org": NEIGHBOUR_CODE, "to_workplace": "", "reason": "工作调动"}


def _console_transfer_in(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {"id_number": member.id_number, "to_org": world.own.code, "to_workplace": "", "reason": ""}


def _console_leave(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {"status": "left", "on": timezone.localdate().isoformat(), "reason": "本人书面申请"}


def _api_leave(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {"member_id": member.pk, "status": "left", "reason": "本人书面申请"}


ENDPOINTS: list[ScopedEndpoint] = [
    # --- console ---
    ScopedEndpoint(
        covers="console:members:transfer_list",
        action="list",
        url=lambda transfer: "/console/members/transfers/?tab=all",
        make=_outgoing,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:members:transfer_detail",
        action="detail",
        url=lambda transfer: f"/console/members/transfers/{transfer.pk}/",
        make=_outgoing,
    ),
    ScopedEndpoint(
        covers="console:members:transfer_step",
        action="update",
        method="POST",
        url=lambda transfer: f"/console/members/transfers/{transfer.pk}/step/",
        make=_incoming,
        data=lambda world, transfer: {"action": "approve", "comment": ""},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:member_transfer",
        action="detail",
        url=lambda member: f"/console/members/{member.pk}/transfer/",
        make=_member,
    ),
    ScopedEndpoint(
        covers="console:members:member_transfer",
        action="update",
        method="POST",
        url=lambda member: f"/console/members/{member.pk}/transfer/",
        make=_member,
        data=_console_request,
        model=Transfer,
        ok=frozenset({302}),
    ),
    # The form itself holds nothing of any org; what it creates is checked against the receiving
    # union, so a sibling officer naming the own union is refused on that field (422).
    ScopedEndpoint(
        covers="console:members:transfer_in",
        action="create",
        method="POST",
        url=lambda org: "/console/members/transfers/new/",
        make=_member_of_neighbour,
        data=_console_transfer_in,
        model=Transfer,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:member_leave",
        action="detail",
        url=lambda member: f"/console/members/{member.pk}/leave/",
        make=_member,
    ),
    ScopedEndpoint(
        covers="console:members:member_leave",
        action="update",
        method="POST",
        url=lambda member: f"/console/members/{member.pk}/leave/",
        make=_member,
        data=_console_leave,
        ok=frozenset({302}),
    ),
    # --- API ---
    ScopedEndpoint(
        covers="GET /api/v1/transfers",
        action="list",
        url=lambda transfer: "/api/v1/transfers?direction=all",
        make=_outgoing,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/transfers",
        action="create",
        method="POST",
        url=lambda org: "/api/v1/transfers",
        make=_member,
        data=_api_request,
        model=Transfer,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="GET /api/v1/transfers/{transfer_id}",
        action="detail",
        url=lambda transfer: f"/api/v1/transfers/{transfer.pk}",
        make=_outgoing,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/transfers/{transfer_id}/approve",
        action="update",
        method="POST",
        url=lambda transfer: f"/api/v1/transfers/{transfer.pk}/approve",
        make=_incoming,
        data=lambda world, transfer: {"comment": ""},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/transfers/{transfer_id}/reject",
        action="update",
        method="POST",
        url=lambda transfer: f"/api/v1/transfers/{transfer.pk}/reject",
        make=_incoming,
        data=lambda world, transfer: {"reason": "不在本单位工作"},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/transfers/{transfer_id}/cancel",
        action="update",
        method="POST",
        url=lambda transfer: f"/api/v1/transfers/{transfer.pk}/cancel",
        make=_outgoing,
        data=lambda world, transfer: {"comment": ""},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/transfers/leave",
        action="update",
        method="POST",
        url=lambda member: "/api/v1/transfers/leave",
        make=_member,
        data=_api_leave,
    ),
]
UNSCOPED: dict[str, str] = {}
