"""Scoped endpoints: mutual aid plans and their benefit rules (console and API).

Only a federation runs a plan: the scoping world's own union becomes a township federation
(under its district federation) for these endpoints, as for the annual pledges."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gonghui.mutualaid.models import AidPlan, AidPlanStatus, BenefitRule
from gonghui.mutualaid.tests.factories import TWO_BANDS, make_plan, make_rule
from gonghui.orgs.models import FederationLevel, Org, OrgKind
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/mutualaid/plans"
API = "/api/v1/mutualaid/plans"


def _year() -> int:
    return timezone.localdate().year


def as_federation(org: Org) -> Org:
    Org.objects.filter(pk=org.pk).update(kind=OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP)
    org.kind, org.level = OrgKind.FEDERATION, FederationLevel.TOWNSHIP
    return org


def _plan(org: Org, status: str = AidPlanStatus.DRAFT) -> AidPlan:
    plan = make_plan(as_federation(org), year=_year(), name=f"{_year()}年度职工医疗互助", status=status)
    make_rule(plan)
    return plan


def _open_plan(org: Org) -> AidPlan:
    return _plan(org, AidPlanStatus.OPEN)


def _plan_of(org: Org) -> AidPlan:
    return AidPlan.objects.get(org=org)


def _console_plan(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    year = _year()
    return {
        "org": str(world.own.pk),
        "year": str(year),
        "name": f"{year}年度新计划",
        "coverage_start": f"{year}-01-01",
        "coverage_end": f"{year}-12-31",
        "contribution_per_member": "60.00",
    }


def _api_plan(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {**_console_plan(world, obj), "org": world.own.pk, "year": _year()}


def _console_rule(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {
        "effective_from": f"{_year()}-01-01",
        "deductible": "800.00",
        "per_claim_cap": "50000.00",
        "per_year_cap": "100000.00",
        "waiting_days": "90",
        "note": "调整起付线",
        "up_to_0": "10000",
        "rate_0": "0.50",
        "up_to_1": "",
        "rate_1": "0.70",
    }


def _api_rule(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {
        "claim_type": "inpatient",
        "effective_from": f"{_year()}-01-01",
        "deductible": "800.00",
        "per_claim_cap": "50000.00",
        "per_year_cap": "100000.00",
        "waiting_days": 90,
        "bands": TWO_BANDS,
        "note": "调整起付线",
    }


def _nothing(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {}


ENDPOINTS: list[ScopedEndpoint] = [
    # --- console ---
    ScopedEndpoint(
        covers="console:mutualaid:plan_list",
        action="list",
        url=lambda plan: f"{CONSOLE}/?year={plan.year}",
        make=_plan,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:plan_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        make=as_federation,
        data=_console_plan,
        model=AidPlan,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:mutualaid:plan_detail",
        action="detail",
        url=lambda plan: f"{CONSOLE}/{plan.pk}/",
        make=_plan,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:plan_open",
        action="update",
        method="POST",
        url=lambda plan: f"{CONSOLE}/{plan.pk}/open/",
        make=_plan,
        data=_nothing,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:mutualaid:plan_close",
        action="update",
        method="POST",
        url=lambda plan: f"{CONSOLE}/{plan.pk}/close/",
        make=_open_plan,
        data=_nothing,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:mutualaid:rule_new",
        action="detail",
        url=lambda plan: f"{CONSOLE}/{plan.pk}/rules/inpatient/new/",
        make=_plan,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:rule_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/{_plan_of(org).pk}/rules/inpatient/new/",
        make=_plan,
        data=_console_rule,
        model=BenefitRule,
        ok=frozenset({302}),
    ),
    # --- API ---
    ScopedEndpoint(
        covers=f"GET {API}", action="list", url=lambda plan: f"{API}?year={plan.year}", make=_plan
    ),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        make=as_federation,
        data=_api_plan,
        model=AidPlan,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{plan_id}}", action="detail", url=lambda plan: f"{API}/{plan.pk}", make=_plan
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{plan_id}}/open",
        action="update",
        method="POST",
        url=lambda plan: f"{API}/{plan.pk}/open",
        make=_plan,
        data=_nothing,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{plan_id}}/close",
        action="update",
        method="POST",
        url=lambda plan: f"{API}/{plan.pk}/close",
        make=_open_plan,
        data=_nothing,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{plan_id}}/rules",
        action="create",
        method="POST",
        url=lambda org: f"{API}/{_plan_of(org).pk}/rules",
        make=_plan,
        data=_api_rule,
        model=BenefitRule,
        ok=frozenset({201}),
    ),
]

UNSCOPED: dict[str, str] = {}
