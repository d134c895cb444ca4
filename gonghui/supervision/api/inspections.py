"""/api/v1/supervision/inspections: inspections of the caller's scope (rights.view), planning one,
its findings and workflow steps (rights.handle on the inspecting union). Out-of-scope
inspections are 404, exactly like missing ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, WorkplaceRef, page_of
from gonghui.core.inputs import CleanText
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.supervision import selectors
from gonghui.supervision.api.common import OrgOut, org_id, org_out
from gonghui.supervision.models import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    TRANSITIONS,
    Finding,
    Inspection,
    InspectionAction,
    InspectionKind,
    InspectionStatus,
    ScopeItem,
    Severity,
)
from gonghui.supervision.services import inspections as services

router = Router(tags=["supervision"])


class FindingOut(Schema):
    id: int
    item: ScopeItem
    finding: str
    severity: Severity
    legal_basis: str


class InspectionOut(Schema):
    id: int
    org: OrgOut
    workplace: WorkplaceRef
    inspected_on: date
    kind: InspectionKind
    campaign: str
    scope_items: list[ScopeItem]
    supervisors: list[int] = Field(description="Ids of the supervisors present.")
    summary: str
    status: InspectionStatus
    next_actions: list[InspectionAction] = Field(
        description="Steps the workflow allows now (authority aside)."
    )
    findings: list[FindingOut]


class InspectionListOut(PageOut):
    items: list[InspectionOut]


class InspectionQuery(Schema):
    status: InspectionStatus | None = None
    kind: InspectionKind | None = None
    district: CleanText = Field("", max_length=40)
    overdue: bool = Field(
        False, description="Only inspections with a notice past its deadline and no follow-up."
    )
    page: PageNumber = 1


class InspectionDetailsIn(Schema):
    inspected_on: date
    kind: InspectionKind
    scope_items: list[ScopeItem] = Field(min_length=1, max_length=len(ScopeItem.values))
    supervisors: list[Id] = Field(default_factory=list, max_length=50)
    campaign: str = Field("", max_length=120)
    summary: str = Field("", max_length=MAX_LONG_TEXT * 2)

    def details(self) -> dict[str, Any]:
        """The fields of `InspectionDetails`, as keyword arguments."""
        return {
            "inspected_on": self.inspected_on,
            "kind": self.kind,
            "scope_items": [str(item) for item in self.scope_items],
            "supervisors": self.supervisors,
            "campaign": self.campaign,
            "summary": self.summary,
        }


class InspectionIn(InspectionDetailsIn):
    org: str = Field(max_length=32, description="Code of the inspecting union.")
    workplace: Id


class TransitionIn(Schema):
    action: str = Field(
        max_length=32,
        description="start, record_findings, close, or cancel (a planned one; the comment is the reason).",
    )
    comment: str = Field("", max_length=1000)


class FindingIn(Schema):
    item: ScopeItem
    finding: str = Field(max_length=MAX_TEXT * 2)
    severity: Severity
    legal_basis: str = Field("", max_length=MAX_TEXT * 2)


def inspection_out(inspection: Inspection) -> dict[str, Any]:
    workplace = inspection.workplace
    return {
        "id": inspection.pk,
        "org": org_out(inspection.org),
        "workplace": {"id": workplace.pk, "name": workplace.name, "credit_code": workplace.credit_code},
        "inspected_on": inspection.inspected_on,
        "kind": inspection.kind,
        "campaign": inspection.campaign,
        "scope_items": list(inspection.scope_items),
        "supervisors": [supervisor.pk for supervisor in inspection.supervisors.all()],
        "summary": inspection.summary,
        "status": inspection.status,
        "next_actions": [transition.action for transition in TRANSITIONS.available(inspection.status)],
        "findings": [finding_out(finding) for finding in inspection.findings.all()],
    }


def finding_out(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "item": finding.item,
        "finding": finding.finding,
        "severity": finding.severity,
        "legal_basis": finding.legal_basis,
    }


def _one(request: HttpRequest, pk: int) -> dict[str, Any]:
    rows = Inspection.objects.select_related("org", "workplace").prefetch_related("supervisors", "findings")
    return inspection_out(get_visible(rows, request_user(request), Perm.RIGHTS_VIEW, pk=pk))


@router.get("", response=InspectionListOut, summary="Inspections in my scope")
def inspection_list(request: HttpRequest, query: Query[InspectionQuery]) -> dict[str, Any]:
    rows = selectors.inspections(
        request_user(request),
        status=query.status or "",
        kind=query.kind or "",
        district=query.district,
        overdue=query.overdue,
    ).prefetch_related("supervisors", "findings")
    header, items = page_of(rows, query.page)
    return {**header, "items": [inspection_out(inspection) for inspection in items]}


@router.post("", response={201: InspectionOut}, summary="Enter an inspection (planned)")
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Status[dict[str, Any]]:
    inspection = services.plan_inspection(
        services.InspectionInput(org=org_id(payload.org), workplace=payload.workplace, **payload.details()),
        actor=request_user(request),
    )
    return Status(201, _one(request, inspection.pk))


@router.get("/{inspection_id}", response=InspectionOut, summary="One inspection with its findings")
def inspection_detail(request: HttpRequest, inspection_id: PathId) -> dict[str, Any]:
    return _one(request, inspection_id)


@router.put(
    "/{inspection_id}",
    response=InspectionOut,
    summary="Correct an inspection until a notice is issued",
    description="The whole set of details, as on the console's form; the inspecting union and the "
    "workplace stay as entered. 409 once a notice is issued or the case is closed; 422 when an item "
    "with a finding is left out.",
)
def inspection_change(
    request: HttpRequest, inspection_id: PathId, payload: InspectionDetailsIn
) -> dict[str, Any]:
    services.change_inspection(
        inspection_id,
        services.InspectionDetails(**payload.details()),
        actor=request_user(request),
    )
    return _one(request, inspection_id)


@router.post("/{inspection_id}/transitions", response=InspectionOut, summary="Take a workflow step")
def inspection_transition(
    request: HttpRequest, inspection_id: PathId, payload: TransitionIn
) -> dict[str, Any]:
    services.advance_inspection(
        inspection_id, action=payload.action, comment=payload.comment, actor=request_user(request)
    )
    return _one(request, inspection_id)


@router.post("/{inspection_id}/findings", response={201: FindingOut}, summary="Record a finding")
def finding_create(request: HttpRequest, inspection_id: PathId, payload: FindingIn) -> Status[dict[str, Any]]:
    finding = services.add_finding(
        inspection_id,
        services.FindingInput(
            item=payload.item,
            finding=payload.finding,
            severity=payload.severity,
            legal_basis=payload.legal_basis,
        ),
        actor=request_user(request),
    )
    return Status(201, finding_out(finding))
