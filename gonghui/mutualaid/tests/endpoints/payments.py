"""Scoped endpoints: mutual aid payment batches in the console and the officers' API. A batch
belongs to the federation running its plan: the scoping world's own union, made a federation
(see endpoints/claims.py)."""

from __future__ import annotations

from typing import Any

from gonghui.mutualaid.models import AidClaim, PaymentBatch
from gonghui.mutualaid.services.claims import approve_claim, check_claim
from gonghui.mutualaid.services.payments import create_payment_batch, export_payment_batch
from gonghui.mutualaid.tests.endpoints.claims import _entry_handler, entered_claim
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/mutualaid/payments"
API = "/api/v1/mutualaid/payment-batches"


def approved_claim(org: Org) -> AidClaim:
    handler = _entry_handler(org)
    return approve_claim(check_claim(entered_claim(org), actor=handler), actor=handler)


def open_batch(org: Org) -> PaymentBatch:
    claim = approved_claim(org)
    return create_payment_batch(claim.plan, actor=_entry_handler(org))


def exported_batch(org: Org) -> PaymentBatch:
    batch = open_batch(org)
    export_payment_batch(batch, actor=_entry_handler(org))
    batch.refresh_from_db()
    return batch


def _plan_of(org: Org) -> int:
    return int(AidClaim.objects.filter(plan__org=org).values_list("plan_id", flat=True).get())


def _one_failed(world: ScopeWorld, batch: PaymentBatch) -> dict[str, Any]:
    claim = batch.claims.get()
    return {"failed": [str(claim.pk)], f"reason_{claim.pk}": "账户已销户"}


_FOUND_302 = frozenset({302})

ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:mutualaid:payment_list",
        action="list",
        url=lambda batch: f"{CONSOLE}/",
        make=open_batch,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:payment_detail",
        action="detail",
        url=lambda batch: f"{CONSOLE}/{batch.pk}/",
        make=open_batch,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:payment_new",
        action="detail",
        url=lambda claim: f"{CONSOLE}/new/{claim.plan_id}/",
        make=approved_claim,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:payment_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/{_plan_of(org)}/",
        make=approved_claim,
        data=lambda world, claim: {},
        model=PaymentBatch,
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:payment_export",
        action="update",
        method="POST",
        url=lambda batch: f"{CONSOLE}/{batch.pk}/export/",
        make=open_batch,
        data=lambda world, batch: {},
    ),
    ScopedEndpoint(
        covers="console:mutualaid:payment_mark_paid",
        action="update",
        method="POST",
        url=lambda batch: f"{CONSOLE}/{batch.pk}/mark-paid/",
        make=exported_batch,
        data=_one_failed,
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/mutualaid/payment-batches",
        action="list",
        url=lambda batch: API,
        make=open_batch,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/mutualaid/payment-batches/{batch_id}",
        action="detail",
        url=lambda batch: f"{API}/{batch.pk}",
        make=open_batch,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/payment-batches",
        action="create",
        method="POST",
        url=lambda org: API,
        make=approved_claim,
        data=lambda world, claim: {"plan": claim.plan_id},
        model=PaymentBatch,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/payment-batches/{batch_id}/export",
        action="update",
        method="POST",
        url=lambda batch: f"{API}/{batch.pk}/export",
        make=open_batch,
        data=lambda world, batch: {},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/payment-batches/{batch_id}/mark-paid",
        action="update",
        method="POST",
        url=lambda batch: f"{API}/{batch.pk}/mark-paid",
        make=exported_batch,
        data=lambda world, batch: {"failed": []},
    ),
]

UNSCOPED: dict[str, str] = {}
