"""Scoped endpoints: the officers' rights API (disputes and centres)."""

from __future__ import annotations

from typing import Any

from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld
from gonghui.rights.models import CollectiveAlert, Dispute, DisputeStatus, MediationCentre, Mediator
from gonghui.rights.tests.factories import make_centre, make_dispute, make_mediator

API = "/api/v1/rights"


def _intake(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "channel": "hotline",
        "employer_name": "示范建筑劳务有限公司",
        "summary": "拖欠工资",
        "parties": [{"name": "王小明"}],
        "claims": [{"type": "wage_arrears", "amount_claimed": "8600.00"}],
    }


def _in_mediation(org: Any) -> Dispute:
    return make_dispute(org, status=DisputeStatus.IN_MEDIATION)


def _alert(org: Any) -> CollectiveAlert:
    return CollectiveAlert.objects.create(dispute=make_dispute(org, parties=10), org=org)


def _takeover(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    """A mediator of a centre of the own union, to take the dispute (or the disputes) over."""
    return {"mediator_id": _successor(world).pk, "successor_id": _successor(world).pk, "reason": "调解员离职"}


def _successor(world: ScopeWorld) -> Mediator:
    centre = MediationCentre.objects.filter(org=world.own, name="接手调解中心").first() or make_centre(
        world.own, name="接手调解中心"
    )
    return centre.mediators.first() or make_mediator(centre)


def _mediator_in_hand(org: Any) -> Mediator:
    mediator = make_mediator(make_centre(org))
    make_dispute(org, status=DisputeStatus.ACCEPTED, mediator=mediator)
    return mediator


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers=f"GET {API}/disputes", action="list", url=lambda dispute: f"{API}/disputes", make=make_dispute
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes",
        action="create",
        method="POST",
        url=lambda org: f"{API}/disputes",
        data=_intake,
        model=Dispute,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/disputes/{{dispute_id}}",
        action="detail",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}",
        make=make_dispute,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes/{{dispute_id}}/transitions",
        action="update",
        method="POST",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}/transitions",
        make=make_dispute,
        data=lambda world, dispute: {"action": "accept"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes/{{dispute_id}}/extensions",
        action="update",
        method="POST",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}/extensions",
        make=_in_mediation,
        data=lambda world, dispute: {
            "new_deadline": (
                dispute.mediation_deadline.replace(year=dispute.mediation_deadline.year + 1)
            ).isoformat(),
            "agreed_by": "王小明、公司代表李经理",
        },
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes/{{dispute_id}}/parties",
        action="update",
        method="POST",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}/parties",
        make=make_dispute,
        data=lambda world, dispute: {"name": "李小红"},
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/disputes/{{dispute_id}}/messages",
        action="detail",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}/messages",
        make=make_dispute,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes/{{dispute_id}}/messages",
        action="update",
        method="POST",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}/messages",
        make=make_dispute,
        data=lambda world, dispute: {"text": "请带上工资条"},
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes/{{dispute_id}}/reassign",
        action="update",
        method="POST",
        url=lambda dispute: f"{API}/disputes/{dispute.pk}/reassign",
        make=lambda org: make_dispute(org, status=DisputeStatus.ACCEPTED),
        data=_takeover,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/disputes/alerts",
        action="list",
        url=lambda alert: f"{API}/disputes/alerts",
        make=_alert,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/disputes/alerts/{{alert_id}}/acknowledge",
        action="update",
        method="POST",
        url=lambda alert: f"{API}/disputes/alerts/{alert.pk}/acknowledge",
        make=_alert,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/centres/{{centre_id}}/mediators/{{mediator_id}}/deactivate",
        action="update",
        method="POST",
        url=lambda mediator: f"{API}/centres/{mediator.centre_id}/mediators/{mediator.pk}/deactivate",
        make=_mediator_in_hand,
        data=_takeover,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/centres", action="list", url=lambda centre: f"{API}/centres", make=make_centre
    ),
    ScopedEndpoint(
        covers=f"POST {API}/centres",
        action="create",
        method="POST",
        url=lambda org: f"{API}/centres",
        data=lambda world, org: {"org": world.own.code, "kind": "studio", "name": "甲公司调解工作室"},
        model=MediationCentre,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/centres/{{centre_id}}",
        action="detail",
        url=lambda centre: f"{API}/centres/{centre.pk}",
        make=make_centre,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/centres/{{centre_id}}",
        action="update",
        method="PUT",
        url=lambda centre: f"{API}/centres/{centre.pk}",
        make=make_centre,
        data=lambda world, centre: {"kind": "studio", "name": "改名工作室"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/centres/{{centre_id}}/mediators",
        action="update",
        method="POST",
        url=lambda centre: f"{API}/centres/{centre.pk}/mediators",
        make=make_centre,
        data=lambda world, centre: {"name": "陈调解"},
        ok=frozenset({201}),
    ),
]
UNSCOPED: dict[str, str] = {
    f"GET {API}/disputes/desk": "the calling mediator's own disputes (test_console)",
    # The scoping base sends JSON bodies; multipart uploads are checked for the five visitors there.
    f"POST {API}/disputes/{{dispute_id}}/documents": "multipart upload: scoped in test_api_documents",
}
