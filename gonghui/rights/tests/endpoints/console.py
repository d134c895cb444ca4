"""Scoped endpoints: the rights console pages. Every dispute, centre and alert belongs to the
own union; the parent district's officers see and act on it, the sibling district's get 404
as for a missing one (or, receiving a dispute, the form's refusal of the union code)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile

from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed
from gonghui.rights.models import CollectiveAlert, Dispute, DisputeDocument, DisputeStatus, MediationCentre
from gonghui.rights.tests.factories import make_centre, make_dispute, make_mediator

CONSOLE = "/console/rights"
PDF = b"%PDF-1.4\n%scope\n"


def _document(org: Org) -> DisputeDocument:
    document = DisputeDocument(
        dispute=make_dispute(org), original_name="工资条.pdf", content_type="application/pdf", size=len(PDF)
    )
    document.file.save("scope.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


def _alert(org: Org) -> CollectiveAlert:
    return CollectiveAlert.objects.create(dispute=make_dispute(org, parties=10), org=org)


def _settled(org: Org) -> Dispute:
    return make_dispute(org, status=DisputeStatus.SETTLED, claims=[("wage_arrears", "8600.00", "8000.00")])


def _intake(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "channel": "walk_in",
        "received_on": "2026-11-02",
        "employer_name": "示范建筑劳务有限公司",
        "summary": "拖欠工资",
        "workers_count": 1,
        "parties-TOTAL_FORMS": 1,
        "parties-INITIAL_FORMS": 0,
        "parties-0-name": "王小明",
        "claims-TOTAL_FORMS": 1,
        "claims-INITIAL_FORMS": 0,
        "claims-0-type": "wage_arrears",
        "claims-0-amount_claimed": "8600",
    }


def _centre_form(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {"org": world.own.code, "kind": "centre", "name": "甲公司调解工作室", "active": "on"}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:rights:dispute_list",
        action="list",
        url=lambda dispute: f"{CONSOLE}/",
        make=make_dispute,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:rights:overdue",
        action="list",
        url=lambda dispute: f"{CONSOLE}/overdue/",
        make=lambda org: make_dispute(org, received_on=date(2026, 1, 5)),
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:rights:dispute_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=_intake,
        model=Dispute,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:rights:dispute_detail",
        action="detail",
        url=lambda dispute: f"{CONSOLE}/{dispute.pk}/",
        make=make_dispute,
    ),
    ScopedEndpoint(
        covers="console:rights:dispute_act",
        action="update",
        method="POST",
        url=lambda dispute: f"{CONSOLE}/{dispute.pk}/act/decline/",
        make=make_dispute,
        data=lambda world, dispute: {"decline-reason": "不属于劳动争议"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:rights:dispute_document",
        action="detail",
        url=lambda document: f"{CONSOLE}/{document.dispute_id}/documents/{document.pk}/",
        make=_document,
    ),
    ScopedEndpoint(
        covers="console:rights:dispute_settlement_pdf",
        action="detail",
        url=lambda dispute: f"{CONSOLE}/{dispute.pk}/settlement.pdf",
        make=_settled,
    ),
    ScopedEndpoint(
        covers="console:rights:alert_acknowledge",
        action="update",
        method="POST",
        url=lambda alert: f"{CONSOLE}/alerts/{alert.pk}/acknowledge/",
        make=_alert,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:rights:centre_list",
        action="list",
        url=lambda centre: f"{CONSOLE}/centres/",
        make=make_centre,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:rights:centre_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/centres/new/",
        data=_centre_form,
        model=MediationCentre,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:rights:centre_detail",
        action="detail",
        url=lambda centre: f"{CONSOLE}/centres/{centre.pk}/",
        make=make_centre,
    ),
    ScopedEndpoint(
        covers="console:rights:centre_detail",
        action="update",
        method="POST",
        url=lambda centre: f"{CONSOLE}/centres/{centre.pk}/",
        make=make_centre,
        data=lambda world, centre: {"kind": "studio", "name": "改名工作室", "active": "on"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:rights:mediator_new",
        action="update",
        method="POST",
        url=lambda centre: f"{CONSOLE}/centres/{centre.pk}/mediators/",
        make=make_centre,
        data=lambda world, centre: {"name": "陈调解"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:rights:mediator_deactivate",
        action="update",
        method="POST",
        url=lambda mediator: f"{CONSOLE}/mediators/{mediator.pk}/deactivate/",
        make=lambda org: make_mediator(make_centre(org)),
        ok=frozenset({302}),
    ),
]
UNSCOPED: dict[str, str] = {
    "console:rights:desk": "the mediator's own desk: found by the caller's account (test_console)",
}
