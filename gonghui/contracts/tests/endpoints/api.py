"""Scoped endpoints: the officers' contracts API (/api/v1/contracts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gonghui.contracts.models import CollectiveContract
from gonghui.contracts.tests.endpoints import _objects as objects
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld

API = "/api/v1/contracts"
CREATED = frozenset({201})


def _register(world: ScopeWorld, org: Any) -> dict[str, Any]:
    workplace = objects.own_workplace(world)
    return {
        **objects.terms(world),
        "org": world.own.code,
        "scope": "workplace",
        "kind": "general",
        "workplaces": [workplace.credit_code],
    }


def _renew(world: ScopeWorld, contract: CollectiveContract) -> dict[str, Any]:
    codes = list(contract.workplaces.values_list("credit_code", flat=True))
    return {**objects.terms(world, start=contract.term_end + timedelta(days=1)), "workplaces": codes}


def _correct(world: ScopeWorld, contract: CollectiveContract) -> dict[str, Any]:
    codes = list(contract.workplaces.values_list("credit_code", flat=True))
    return {**objects.terms(world), "workplaces": codes, "workers_covered": 31}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda contract: API, make=objects.contract),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        data=_register,
        model=CollectiveContract,
        ok=CREATED,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{contract_id}}",
        action="detail",
        url=lambda contract: f"{API}/{contract.pk}",
        make=objects.contract,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{contract_id}}/action",
        action="update",
        method="POST",
        url=lambda contract: f"{API}/{contract.pk}/action",
        make=objects.draft,
        data=lambda world, contract: {"action": "bring_into_force"},
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/{{contract_id}}",
        action="update",
        method="PUT",
        url=lambda contract: f"{API}/{contract.pk}",
        make=objects.draft,
        data=_correct,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{contract_id}}/renew",
        action="update",
        method="POST",
        url=lambda contract: f"{API}/{contract.pk}/renew",
        make=objects.contract,
        data=_renew,
        model=CollectiveContract,
        ok=CREATED,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/{{contract_id}}/filing",
        action="update",
        method="PUT",
        url=lambda contract: f"{API}/{contract.pk}/filing",
        make=objects.contract,
        data=lambda world, contract: {
            "filed_on": contract.signed_on.isoformat(),
            "review_result": "accepted",
        },
    ),
    ScopedEndpoint(
        covers=f"GET {API}/coverage",
        action="detail",
        url=lambda org: f"{API}/coverage?org={org.pk}",
    ),
    ScopedEndpoint(
        covers=f"GET {API}/topics", action="list", url=lambda topic: f"{API}/topics", make=objects.topic
    ),
    ScopedEndpoint(
        covers=f"POST {API}/topics/{{topic_id}}/answer",
        action="update",
        method="POST",
        url=lambda topic: f"{API}/topics/{topic.pk}/answer",
        make=objects.topic,
        data=lambda world, topic: {"status": "not_adopted", "reply": "本轮暂不列入，下一轮再议"},
    ),
]
UNSCOPED: dict[str, str] = {}
