"""Scoped endpoints: the supervision API (/api/v1/supervision). Every object belongs to the own
union; the sibling district gets 404 (or, creating, 422 on the union or workplace it may not use)."""

from __future__ import annotations

from typing import Any

from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld
from gonghui.supervision.models import FollowUp, Inspection, Interview, Notice, Supervisor
from gonghui.supervision.tests.endpoints import objects
from gonghui.supervision.tests.factories import (
    make_inspection,
    make_interview,
    make_notice,
    make_supervisor,
    today,
    workplace_of,
)

API = "/api/v1/supervision"


def _inspection_body(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "workplace": workplace_of(world.own).pk,
        "inspected_on": today().isoformat(),
        "kind": "complaint",
        "scope_items": ["wages"],
    }


def _notice_body(world: ScopeWorld, org: Any) -> dict[str, Any]:
    inspection = objects.with_a_finding(world.own)
    return {
        "inspection": inspection.pk,
        "kind": "recommendation",
        "findings": [finding.pk for finding in inspection.findings.all()],
        "requirements": "补发工资",
    }


def _interview_body(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "workplace": workplace_of(world.own).pk,
        "held_on": today().isoformat(),
        "representative": "王总",
        "attendees": "李华、王总",
        "subject": "欠薪约谈",
        "record": "承认拖欠",
    }


def _supervisor_body(world: ScopeWorld, supervisor: Any) -> dict[str, Any]:
    return {"org": world.own.code, "name": "周洁", "certificate_number": "SC-02"}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers=f"GET {API}/inspections",
        action="list",
        url=lambda inspection: f"{API}/inspections",
        make=make_inspection,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/inspections",
        action="create",
        method="POST",
        url=lambda org: f"{API}/inspections",
        data=_inspection_body,
        model=Inspection,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/inspections/{{inspection_id}}",
        action="detail",
        url=lambda inspection: f"{API}/inspections/{inspection.pk}",
        make=make_inspection,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/inspections/{{inspection_id}}",
        action="update",
        method="PUT",
        url=lambda inspection: f"{API}/inspections/{inspection.pk}",
        make=make_inspection,
        data=lambda world, inspection: {
            "inspected_on": today().isoformat(),
            "kind": "routine",
            "scope_items": ["wages", "safety"],
            "summary": "改期",
        },
    ),
    ScopedEndpoint(
        covers=f"POST {API}/inspections/{{inspection_id}}/transitions",
        action="update",
        method="POST",
        url=lambda inspection: f"{API}/inspections/{inspection.pk}/transitions",
        make=make_inspection,
        data=lambda world, inspection: {"action": "start"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/inspections/{{inspection_id}}/findings",
        action="update",
        method="POST",
        url=lambda inspection: f"{API}/inspections/{inspection.pk}/findings",
        make=objects.in_progress,
        data=lambda world, inspection: {"item": "wages", "finding": "拖欠", "severity": "grave"},
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/notices",
        action="list",
        url=lambda notice: f"{API}/notices",
        make=make_notice,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/notices",
        action="create",
        method="POST",
        url=lambda org: f"{API}/notices",
        data=_notice_body,
        model=Notice,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/notices/{{notice_id}}",
        action="detail",
        url=lambda notice: f"{API}/notices/{notice.pk}",
        make=make_notice,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/notices/{{notice_id}}/pdf",
        action="detail",
        url=lambda notice: f"{API}/notices/{notice.pk}/pdf",
        make=make_notice,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/notices/{{notice_id}}/followup",
        action="update",
        method="POST",
        url=lambda notice: f"{API}/notices/{notice.pk}/followup",
        make=make_notice,
        data=lambda world, notice: {"checked_on": today().isoformat(), "result": "not_rectified"},
        model=FollowUp,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/interviews",
        action="list",
        url=lambda interview: f"{API}/interviews",
        make=make_interview,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/interviews",
        action="create",
        method="POST",
        url=lambda org: f"{API}/interviews",
        data=_interview_body,
        model=Interview,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/interviews/{{interview_id}}",
        action="detail",
        url=lambda interview: f"{API}/interviews/{interview.pk}",
        make=make_interview,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/supervisors",
        action="list",
        url=lambda supervisor: f"{API}/supervisors",
        make=make_supervisor,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/supervisors",
        action="create",
        method="POST",
        url=lambda org: f"{API}/supervisors",
        data=_supervisor_body,
        model=Supervisor,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/supervisors/{{supervisor_id}}",
        action="detail",
        url=lambda supervisor: f"{API}/supervisors/{supervisor.pk}",
        make=make_supervisor,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/supervisors/{{supervisor_id}}",
        action="update",
        method="PUT",
        url=lambda supervisor: f"{API}/supervisors/{supervisor.pk}",
        make=make_supervisor,
        data=lambda world, supervisor: {
            "org": world.own.code,
            "name": "改名",
            "certificate_number": supervisor.certificate_number,
        },
    ),
]
UNSCOPED: dict[str, str] = {}
