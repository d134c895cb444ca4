"""Scoped endpoints: the registry (member list, search, detail, edit, reveal, add, export) and
the member card."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse

from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed


def _member(org: Org) -> Member:
    return make_members(org, 1)[0]


def _edit(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {"name": "李四", "mobile": "", "workplace": "", "joined_on": "2020-01-01", "note": "更正姓名"}


def _new_person(world: ScopeWorld, org: Org) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "name": "赵六",
        "id_number": make_id_number("330203", date(1991, 2, 3), 77, "male"),
    }


def _export_lists(response: HttpResponse, member: Member) -> bool:
    """Whether the exported CSV holds the member (by the masked ID number it shows)."""
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return member.masked_id_number in content


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:members:list",
        action="list",
        url=lambda member: "/console/members/",
        make=_member,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:members:member_detail",
        action="detail",
        url=lambda member: f"/console/members/{member.pk}/",
        make=_member,
    ),
    ScopedEndpoint(
        covers="console:members:member_edit",
        action="detail",
        url=lambda member: f"/console/members/{member.pk}/edit/",
        make=_member,
    ),
    ScopedEndpoint(
        covers="console:members:member_edit",
        action="update",
        method="POST",
        url=lambda member: f"/console/members/{member.pk}/edit/",
        make=_member,
        data=_edit,
        ok=frozenset({302}),
    ),
    # Showing the full numbers writes only an audit event; out of scope it is a missing member.
    ScopedEndpoint(
        covers="console:members:member_reveal",
        action="detail",
        method="POST",
        url=lambda member: f"/console/members/{member.pk}/reveal/",
        make=_member,
    ),
    ScopedEndpoint(
        covers="console:members:member_add",
        action="detail",
        url=lambda org: f"/console/members/new/?org={org.code}",
    ),
    ScopedEndpoint(
        covers="console:members:member_add",
        action="create",
        method="POST",
        url=lambda org: "/console/members/new/",
        data=_new_person,
        model=Member,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:member_export",
        action="list",
        method="POST",
        url=lambda member: "/console/members/export/",
        make=_member,
        data=lambda world, member: {"file_format": "csv"},
        listed=_export_lists,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/members",
        action="list",
        url=lambda member: "/api/v1/members",
        make=_member,
    ),
    # Filtering by an org outside the caller's scope answers 404, as for a missing org.
    ScopedEndpoint(
        covers="GET /api/v1/members",
        action="detail",
        url=lambda member: f"/api/v1/members?org={member.org_id}",
        make=_member,
    ),
]
UNSCOPED: dict[str, str] = {
    "console:members:roster_export": (
        "an export is shown only to the officer who started it, 404 to everyone else (test_export)"
    ),
    "console:members:roster_export_download": (
        "an export's file is served only to the officer who started it, 404 to everyone else (test_export)"
    ),
    "POST /api/v1/members/card/verify": (
        "any signed-in scanner checks a signed card token and learns only masked data (test_member_card)"
    ),
}
