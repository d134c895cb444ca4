"""Scoped endpoints: the annual pledges (十件实事) in the console. The portal pages and the API are
public (published pledges only)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.tests.factories import make_pledge, make_pledge_update
from gonghui.orgs.models import FederationLevel, Org, OrgKind
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/benefits/pledges"
_PUBLIC = "public: published pledges only, the same for everyone (test_pledges_public)"


def _as_federation(org: Org) -> Org:
    """Only a federation publishes pledges: the scoping world's own union becomes a township
    federation (under its district federation) for the pledge endpoints."""
    Org.objects.filter(pk=org.pk).update(kind=OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP)
    org.kind, org.level = OrgKind.FEDERATION, FederationLevel.TOWNSHIP
    return org


def _pledge(org: Org, **fields: Any) -> Pledge:
    return make_pledge(_as_federation(org), year=timezone.localdate().year, **fields)


def _update(org: Org) -> PledgeUpdate:
    return make_pledge_update(_pledge(org), "10")


def _pledge_form(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {
        "org": str(world.own.pk),
        "year": str(timezone.localdate().year),
        "number": "7",
        "title": "职工疗休养",
        "target_value": "20000",
        "unit": "人次",
        "owner": "",
        "description": "",
    }


def _edit_form(world: ScopeWorld, pledge: Pledge) -> dict[str, Any]:
    return _pledge_form(world, pledge) | {"title": "职工疗休养（扩大）", "target_value": "25000"}


def _report(world: ScopeWorld, pledge: Pledge) -> dict[str, Any]:
    return {"reported_on": timezone.localdate().isoformat(), "value": "15", "note": "新建站点15个"}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:benefits:pledge_list",
        action="list",
        url=lambda pledge: f"{CONSOLE}/?year={pledge.year}",
        make=_pledge,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        make=_as_federation,
        data=_pledge_form,
        model=Pledge,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_detail",
        action="detail",
        url=lambda pledge: f"{CONSOLE}/{pledge.pk}/",
        make=_pledge,
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_detail",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/{Pledge.objects.get(org=org).pk}/",
        make=_pledge,
        data=_report,
        model=PledgeUpdate,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_edit",
        action="detail",
        url=lambda pledge: f"{CONSOLE}/{pledge.pk}/edit/",
        make=_pledge,
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_edit",
        action="update",
        method="POST",
        url=lambda pledge: f"{CONSOLE}/{pledge.pk}/edit/",
        make=_pledge,
        data=_edit_form,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_publish",
        action="update",
        method="POST",
        url=lambda pledge: f"{CONSOLE}/{pledge.pk}/publish/",
        make=_pledge,
        data=lambda world, pledge: {},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_unpublish",
        action="update",
        method="POST",
        url=lambda pledge: f"{CONSOLE}/{pledge.pk}/unpublish/",
        make=lambda org: _pledge(org, is_published=True),
        data=lambda world, pledge: {},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_delete",
        action="delete",
        method="POST",
        url=lambda pledge: f"{CONSOLE}/{pledge.pk}/delete/",
        make=_pledge,
        data=lambda world, pledge: {},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:pledge_update_delete",
        action="delete",
        method="POST",
        url=lambda update: f"{CONSOLE}/{update.pledge_id}/updates/{update.pk}/delete/",
        make=_update,
        data=lambda world, update: {},
        ok=frozenset({302}),
    ),
]

UNSCOPED: dict[str, str] = {
    "GET /api/v1/benefits/pledges": _PUBLIC,
    "GET /api/v1/benefits/pledges/{pledge_id}": _PUBLIC,
}
