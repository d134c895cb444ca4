"""Scoped endpoints: income thresholds in the console and the API."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gonghui.assistance.models import IncomeThreshold
from gonghui.assistance.tests.factories import make_threshold
from gonghui.orgs.models import FederationLevel, Org, OrgKind
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/assistance/thresholds"
API = "/api/v1/assistance/thresholds"


def _as_federation(org: Org) -> Org:
    """Only a federation sets a threshold: the scoping world's own union becomes a township
    federation (under its district federation) for the threshold endpoints."""
    Org.objects.filter(pk=org.pk).update(kind=OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP)
    org.kind, org.level = OrgKind.FEDERATION, FederationLevel.TOWNSHIP
    return org


def _threshold(org: Org) -> IncomeThreshold:
    return make_threshold(_as_federation(org), year=timezone.localdate().year, amount="1250.00")


def _form(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": str(world.own.pk),
        "year": str(timezone.localdate().year),
        "monthly_per_capita": "1250.00",
        "note": "甬政办发〔2027〕12号",
    }


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:assistance:threshold_list",
        action="list",
        url=lambda t: f"{CONSOLE}/?year={t.year}",
        make=_threshold,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:threshold_set",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/set/",
        make=_as_federation,
        data=_form,
        model=IncomeThreshold,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda t: f"{API}?year={t.year}", make=_threshold),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        make=_as_federation,
        data=lambda world, org: {
            "org": world.own.pk,
            "year": timezone.localdate().year,
            "monthly_per_capita": "1250.00",
            "note": "",
        },
        model=IncomeThreshold,
        ok=frozenset({201}),
    ),
]

UNSCOPED: dict[str, str] = {}
