"""Scoped endpoints: the contracts console pages. Every object belongs to the own union; the
parent district's officers see and change it, the sibling district's get 404 as for a missing
one (or, registering, the form's refusal of the union code)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from gonghui.contracts.models import CollectiveContract
from gonghui.contracts.tests.endpoints import _objects as objects
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, listed_by, row_listed

CONSOLE = "/console/contracts"
FOUND = frozenset({302})
NO_CLAUSES = {"clause-TOTAL_FORMS": "0", "clause-INITIAL_FORMS": "0"}


def _register(world: ScopeWorld, org: Any) -> dict[str, Any]:
    workplace = objects.own_workplace(world)
    return {
        **objects.terms(world),
        **NO_CLAUSES,
        "org": world.own.code,
        "scope": "workplace",
        "kind": "general",
        "workplaces": workplace.credit_code,
    }


def _renew(world: ScopeWorld, contract: CollectiveContract) -> dict[str, Any]:
    codes = "\n".join(contract.workplaces.values_list("credit_code", flat=True))
    start = contract.term_end + timedelta(days=1)
    return {**objects.terms(world, start=start), **NO_CLAUSES, "workplaces": codes}


def _correct(world: ScopeWorld, contract: CollectiveContract) -> dict[str, Any]:
    codes = "\n".join(contract.workplaces.values_list("credit_code", flat=True))
    return {**objects.terms(world), **NO_CLAUSES, "workplaces": codes, "workers_covered": 31}


def _filing(world: ScopeWorld, contract: CollectiveContract) -> dict[str, Any]:
    return {"filing-filed_on": contract.signed_on.isoformat(), "filing-review_result": "accepted"}


def _upload(world: ScopeWorld, contract: CollectiveContract) -> dict[str, Any]:
    return {"document-documents": SimpleUploadedFile("合同.pdf", objects.PDF, content_type="application/pdf")}


def _org_line(response: HttpResponse, org: Any) -> bool:
    return f'data-org-id="{org.pk}"' in response.content.decode()


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:contracts:contract_list",
        action="list",
        url=lambda contract: f"{CONSOLE}/",
        make=objects.contract,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=_register,
        model=CollectiveContract,
        ok=FOUND,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_detail",
        action="detail",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/",
        make=objects.contract,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_action",
        action="update",
        method="POST",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/action/",
        make=objects.draft,
        data=lambda world, contract: {"action": "bring_into_force"},
        ok=FOUND,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_edit",
        action="detail",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/edit/",
        make=objects.draft,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_edit",
        action="update",
        method="POST",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/edit/",
        make=objects.draft,
        data=_correct,
        ok=FOUND,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_renew",
        action="detail",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/renew/",
        make=objects.contract,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_renew",
        action="update",
        method="POST",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/renew/",
        make=objects.contract,
        data=_renew,
        model=CollectiveContract,
        ok=FOUND,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_filing",
        action="update",
        method="POST",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/filing/",
        make=objects.contract,
        data=_filing,
        ok=FOUND,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_documents",
        action="update",
        method="POST",
        url=lambda contract: f"{CONSOLE}/{contract.pk}/documents/",
        make=objects.contract,
        data=_upload,
        ok=FOUND,
    ),
    ScopedEndpoint(
        covers="console:contracts:contract_document",
        action="detail",
        url=lambda document: f"{CONSOLE}/{document.contract_id}/documents/{document.pk}/",
        make=objects.document,
    ),
    ScopedEndpoint(
        covers="console:contracts:coverage",
        action="list",
        url=lambda org: f"{CONSOLE}/coverage/",
        listed=_org_line,
    ),
    ScopedEndpoint(
        covers="console:contracts:coverage",
        action="detail",
        url=lambda org: f"{CONSOLE}/coverage/?org={org.pk}",
    ),
    ScopedEndpoint(
        covers="console:contracts:coverage_xlsx",
        action="detail",
        url=lambda org: f"{CONSOLE}/coverage.xlsx?org={org.pk}",
    ),
    ScopedEndpoint(
        covers="console:contracts:topic_list",
        action="list",
        url=lambda topic: f"{CONSOLE}/topics/",
        make=objects.topic,
        listed=listed_by("data-row-id"),
    ),
    ScopedEndpoint(
        covers="console:contracts:topic_answer",
        action="update",
        method="POST",
        url=lambda topic: f"{CONSOLE}/topics/{topic.pk}/answer/",
        make=objects.topic,
        data=lambda world, topic: {
            f"topic-{topic.pk}-status": "adopted",
            f"topic-{topic.pk}-reply": "已列入下一轮协商议题",
        },
        ok=FOUND,
    ),
]
UNSCOPED: dict[str, str] = {}
