"""Scoped endpoints: grants in the console and the officers' API. The member's own grants are
the portal page `portal:hardship_grants` (own data, not an officer's scope)."""

from __future__ import annotations

from typing import Any

from gonghui.assistance.models import Fund, FundEntry, Grant
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import make_approved_grant, make_grant, make_member
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/assistance/grants"
API = "/api/v1/assistance/grants"


def _fund(org: Org) -> Fund:
    return fund_with(org, "1000.00", name="甲公司困难职工帮扶金", kind="workplace")


def _proposed(org: Org) -> Grant:
    return make_grant(_fund(org), make_member(org))


def _approved(org: Org) -> Grant:
    return make_approved_grant(_fund(org), make_member(org))


def _recipient(org: Org) -> Member:
    _fund(org)
    return make_member(org)


def _proposal(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {
        "id_number": member.id_number,
        "fund": Fund.objects.get(org=member.org).pk,
        "purpose": "medical",
        "amount": "800.00",
        "reason": "本人患病住院，自付医疗费较多",
    }


def _console_proposal(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {key: str(value) for key, value in _proposal(world, member).items()}


def _reason(world: ScopeWorld, grant: Grant) -> dict[str, Any]:
    return {"reason": "经核实情况不符"}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:assistance:grant_list",
        action="list",
        url=lambda grant: f"{CONSOLE}/",
        make=_proposed,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:grant_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        make=_recipient,
        data=_console_proposal,
        model=Grant,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:grant_detail",
        action="detail",
        url=lambda grant: f"{CONSOLE}/{grant.pk}/",
        make=_proposed,
    ),
    ScopedEndpoint(
        covers="console:assistance:grant_approve",
        action="update",
        method="POST",
        url=lambda grant: f"{CONSOLE}/{grant.pk}/approve/",
        make=_proposed,
        data=lambda world, grant: {"note": "同意"},
        model=FundEntry,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:grant_reject",
        action="update",
        method="POST",
        url=lambda grant: f"{CONSOLE}/{grant.pk}/reject/",
        make=_proposed,
        data=_reason,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:grant_reverse",
        action="update",
        method="POST",
        url=lambda grant: f"{CONSOLE}/{grant.pk}/reverse/",
        make=_approved,
        data=_reason,
        model=FundEntry,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda grant: API, make=_proposed),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        make=_recipient,
        data=_proposal,
        model=Grant,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{grant_id}}",
        action="detail",
        url=lambda grant: f"{API}/{grant.pk}",
        make=_proposed,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{grant_id}}/approve",
        action="update",
        method="POST",
        url=lambda grant: f"{API}/{grant.pk}/approve",
        make=_proposed,
        data=lambda world, grant: {"note": ""},
        model=FundEntry,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{grant_id}}/reject",
        action="update",
        method="POST",
        url=lambda grant: f"{API}/{grant.pk}/reject",
        make=_proposed,
        data=_reason,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{grant_id}}/reverse",
        action="update",
        method="POST",
        url=lambda grant: f"{API}/{grant.pk}/reverse",
        make=_approved,
        data=_reason,
        model=FundEntry,
    ),
]
UNSCOPED: dict[str, str] = {}
