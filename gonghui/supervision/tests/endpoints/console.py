"""Scoped endpoints: the supervision console pages. Every object belongs to the own union (its
inspecting union) and a workplace in its area; the parent district's officers see and act on it,
the sibling district's get 404 as for a missing one (or, creating, the form's refusal)."""

from __future__ import annotations

from typing import Any

from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed
from gonghui.supervision.models import FollowUp, Inspection, Interview, Notice, Supervisor
from gonghui.supervision.tests.endpoints import objects
from gonghui.supervision.tests.factories import (
    make_finding,
    make_inspection,
    make_interview,
    make_notice,
    make_supervisor,
    today,
    workplace_of,
)

CONSOLE = "/console/supervision"


def _inspection_form(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "credit_code": workplace_of(world.own).credit_code,
        "inspected_on": today().isoformat(),
        "kind": "routine",
        "scope_items": ["wages", "hours"],
    }


def _interview_form(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "credit_code": workplace_of(world.own).credit_code,
        "held_on": today().isoformat(),
        "representative": "王总",
        "attendees": "李华、王总",
        "subject": "欠薪约谈",
        "record": "承认拖欠",
    }


def _supervisor_form(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {"org": world.own.code, "name": "周洁", "certificate_number": "SC-01", "is_active": "on"}


def _notice_form(world: ScopeWorld, inspection: Inspection) -> dict[str, Any]:
    return {
        "kind": "reminder",
        "findings": [finding.pk for finding in inspection.findings.all()],
        "requirements": "补发工资",
        "issued_on": today().isoformat(),
    }


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:supervision:inspection_list",
        action="list",
        url=lambda inspection: f"{CONSOLE}/",
        make=make_inspection,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:supervision:inspection_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/inspections/new/",
        data=_inspection_form,
        model=Inspection,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:inspection_detail",
        action="detail",
        url=lambda inspection: f"{CONSOLE}/inspections/{inspection.pk}/",
        make=make_inspection,
    ),
    ScopedEndpoint(
        covers="console:supervision:inspection_edit",
        action="update",
        method="POST",
        url=lambda inspection: f"{CONSOLE}/inspections/{inspection.pk}/edit/",
        make=make_inspection,
        data=lambda world, inspection: {
            "inspected_on": today().isoformat(),
            "kind": "campaign",
            "campaign": "根治欠薪专项行动",
            "scope_items": ["wages", "hours", "safety"],
            "summary": "改期检查",
        },
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:inspection_transition",
        action="update",
        method="POST",
        url=lambda inspection: f"{CONSOLE}/inspections/{inspection.pk}/transition/",
        make=make_inspection,
        data=lambda world, inspection: {"action": "start", "comment": ""},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:finding_add",
        action="update",
        method="POST",
        url=lambda inspection: f"{CONSOLE}/inspections/{inspection.pk}/findings/",
        make=objects.in_progress,
        data=lambda world, inspection: {"item": "wages", "finding": "拖欠工资", "severity": "minor"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:finding_remove",
        action="delete",
        method="POST",
        url=lambda finding: f"{CONSOLE}/inspections/{finding.inspection_id}/findings/{finding.pk}/remove/",
        make=lambda org: make_finding(objects.in_progress(org)),
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:notice_new",
        action="update",
        method="POST",
        url=lambda inspection: f"{CONSOLE}/inspections/{inspection.pk}/notices/new/",
        make=objects.with_a_finding,
        data=_notice_form,
        model=Notice,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:notice_pdf",
        action="detail",
        url=lambda notice: f"{CONSOLE}/notices/{notice.pk}/pdf/",
        make=make_notice,
    ),
    ScopedEndpoint(
        covers="console:supervision:followup_new",
        action="update",
        method="POST",
        url=lambda notice: f"{CONSOLE}/notices/{notice.pk}/followup/",
        make=make_notice,
        data=lambda world, notice: {"checked_on": today().isoformat(), "result": "rectified"},
        model=FollowUp,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:followup_document",
        action="detail",
        url=lambda document: f"{CONSOLE}/notices/{document.followup.notice_id}/documents/{document.pk}/",
        make=objects.evidence,
    ),
    ScopedEndpoint(
        covers="console:supervision:overdue",
        action="list",
        url=lambda notice: f"{CONSOLE}/overdue/",
        make=objects.overdue_notice,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:supervision:interview_list",
        action="list",
        url=lambda interview: f"{CONSOLE}/interviews/",
        make=make_interview,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:supervision:interview_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/interviews/new/",
        data=_interview_form,
        model=Interview,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:interview_detail",
        action="detail",
        url=lambda interview: f"{CONSOLE}/interviews/{interview.pk}/",
        make=make_interview,
    ),
    ScopedEndpoint(
        covers="console:supervision:supervisor_list",
        action="list",
        url=lambda supervisor: f"{CONSOLE}/supervisors/",
        make=make_supervisor,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:supervision:supervisor_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/supervisors/new/",
        data=_supervisor_form,
        model=Supervisor,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:supervisor_edit",
        action="update",
        method="POST",
        url=lambda supervisor: f"{CONSOLE}/supervisors/{supervisor.pk}/",
        make=make_supervisor,
        data=lambda world, supervisor: {
            "org": world.own.code,
            "name": "改名",
            "certificate_number": supervisor.certificate_number,
        },
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:supervision:workplace_history",
        action="detail",
        url=lambda workplace: f"{CONSOLE}/workplaces/{workplace.pk}/",
        make=objects.inspected_workplace,
    ),
]
UNSCOPED: dict[str, str] = {}
