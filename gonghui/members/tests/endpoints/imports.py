"""Scoped endpoints: roster import. An import belongs to its union: officers who may change the
union's members see it (the own and parent officers), a sibling officer gets 404 as for a
missing import. Each object is a real finished import (a one-row roster checked by the service),
so that its report workbook exists."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.members.models import RosterImport
from gonghui.members.services.imports import import_roster_file
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import HEADER, csv_file, person_id
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed


def finished_import(org: Org) -> RosterImport:
    """A check of a roster naming someone active in another union (so a transfer is offered)."""
    elsewhere = member_row(Org.objects.exclude(pk=org.pk).filter(kind=org.kind).first() or org)
    elsewhere.save()
    content = csv_file([HEADER, ("王小明", person_id(), ""), ("李雷", elsewhere.id_number, "")])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "花名册.csv"
        path.write_bytes(content)
        return import_roster_file(str(path), org=org, mode="check")


def _upload(world: ScopeWorld, org: Org) -> dict[str, Any]:
    content = csv_file([HEADER, ("王小明", person_id(), "")])
    return {"org": world.own.code, "mode": "check", "file": SimpleUploadedFile("花名册.csv", content)}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:members:roster_imports",
        action="list",
        url=lambda roster_import: "/console/members/imports/",
        make=finished_import,
        listed=row_listed,
    ),
    # Uploading into a union outside the officer's scope is refused as an unknown union (422),
    # and nothing is stored.
    ScopedEndpoint(
        covers="console:members:roster_imports",
        action="create",
        url=lambda org: "/console/members/imports/",
        method="POST",
        data=_upload,
        model=RosterImport,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:roster_import_report",
        action="detail",
        url=lambda roster_import: f"/console/members/imports/{roster_import.pk}/",
        make=finished_import,
    ),
    ScopedEndpoint(
        covers="console:members:roster_import_report_xlsx",
        action="detail",
        url=lambda roster_import: f"/console/members/imports/{roster_import.pk}/report.xlsx",
        make=finished_import,
    ),
    ScopedEndpoint(
        covers="console:members:roster_import_transfers",
        action="update",
        url=lambda roster_import: f"/console/members/imports/{roster_import.pk}/transfers",
        method="POST",
        data=lambda world, roster_import: {},
        make=finished_import,
        ok=frozenset({302}),
    ),
]
UNSCOPED: dict[str, str] = {
    "console:members:roster_import_template": "an empty template: no data (officers who may add members)",
}
