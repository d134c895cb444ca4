"""Scoped endpoints: hardship files in the console and the officers' API.

The API's document upload takes a multipart body, which the scoping base (JSON bodies for the
API) cannot send: it is declared here and checked for each kind of visitor in test_files_api."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.assistance.models import HardshipDocument, HardshipFile
from gonghui.assistance.tests.factories_files import (
    PDF,
    household_id,
    make_member_with_account,
    member_file,
)
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/assistance/files"
API = "/api/v1/assistance/files"


def _member(org: Org) -> Member:
    return make_member_with_account(org)[0]


def _on_file(org: Org) -> HardshipFile:
    return member_file(org, status="on_file", recheck_due=timezone.localdate())


def _document(org: Org) -> HardshipDocument:
    hardship_file = member_file(org)
    document = HardshipDocument(
        hardship_file=hardship_file,
        original_name="诊断证明.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    document.file.save("scoping-test.pdf", SimpleUploadedFile("scoping-test.pdf", PDF), save=False)
    document.save()
    return document


def _console_application(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {
        "member": str(member.pk),
        "own_occupation": "employed",
        "own_monthly_income": "1800",
        "own_health": "",
        "other_monthly_income": "0",
        "causes": ["illness"],
        "situation": "妻子患尿毒症长期透析。",
        "household-TOTAL_FORMS": "1",
        "household-INITIAL_FORMS": "0",
        "household-MIN_NUM_FORMS": "0",
        "household-MAX_NUM_FORMS": "19",
        "household-0-relation": "spouse",
        "household-0-name": "李秀英",
        "household-0-id_number": household_id(),
        "household-0-occupation": "unable",
        "household-0-monthly_income": "0",
        "household-0-health": "尿毒症",
    }


def _api_application(world: ScopeWorld, member: Member) -> dict[str, Any]:
    return {
        "member": member.pk,
        "household": [
            {
                "relation": "self",
                "name": member.name,
                "id_number": member.id_number,
                "occupation": "employed",
                "monthly_income": "1800.00",
            },
            {
                "relation": "spouse",
                "name": "李秀英",
                "id_number": household_id(),
                "occupation": "unable",
                "monthly_income": "0",
            },
        ],
        "other_monthly_income": "0",
        "causes": ["illness"],
        "situation": "妻子患尿毒症长期透析。",
    }


def _upload(world: ScopeWorld, hardship_file: HardshipFile) -> dict[str, Any]:
    return {"document-documents": SimpleUploadedFile("低保证.pdf", PDF, content_type="application/pdf")}


ENDPOINTS: list[ScopedEndpoint] = [
    # --- console ---
    ScopedEndpoint(
        covers="console:assistance:file_list",
        action="list",
        url=lambda f: f"{CONSOLE}/?status=applied",
        make=member_file,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:file_recheck_due",
        action="list",
        url=lambda f: f"{CONSOLE}/recheck-due/",
        make=_on_file,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:file_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        make=_member,
        data=_console_application,
        model=HardshipFile,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:file_detail",
        action="detail",
        url=lambda f: f"{CONSOLE}/{f.pk}/",
        make=member_file,
    ),
    ScopedEndpoint(
        covers="console:assistance:file_approve",
        action="update",
        method="POST",
        url=lambda f: f"{CONSOLE}/{f.pk}/approve/",
        make=member_file,
        data=lambda world, f: {"approve-grade": "severe", "approve-opinion": "情况属实"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:file_reject",
        action="update",
        method="POST",
        url=lambda f: f"{CONSOLE}/{f.pk}/reject/",
        make=member_file,
        data=lambda world, f: {"reject-opinion": "人均收入高于标准"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:file_recheck",
        action="update",
        method="POST",
        url=lambda f: f"{CONSOLE}/{f.pk}/recheck/",
        make=_on_file,
        data=lambda world, f: {"recheck-result": "keep", "recheck-opinion": "情况无变化"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:file_exit",
        action="update",
        method="POST",
        url=lambda f: f"{CONSOLE}/{f.pk}/exit/",
        make=_on_file,
        data=lambda world, f: {"exit-reason": "已再就业"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:file_documents",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/{HardshipFile.objects.get(org=org).pk}/documents/",
        make=member_file,
        data=_upload,
        model=HardshipDocument,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:file_document",
        action="detail",
        url=lambda d: f"{CONSOLE}/{d.hardship_file_id}/documents/{d.pk}/",
        make=_document,
    ),
    # --- API ---
    ScopedEndpoint(
        covers=f"GET {API}", action="list", url=lambda f: f"{API}?status=applied", make=member_file
    ),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        make=_member,
        data=_api_application,
        model=HardshipFile,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{file_id}}", action="detail", url=lambda f: f"{API}/{f.pk}", make=member_file
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{file_id}}/approve",
        action="update",
        method="POST",
        url=lambda f: f"{API}/{f.pk}/approve",
        make=member_file,
        data=lambda world, f: {"grade": "relative"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{file_id}}/reject",
        action="update",
        method="POST",
        url=lambda f: f"{API}/{f.pk}/reject",
        make=member_file,
        data=lambda world, f: {"opinion": "不符合条件"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{file_id}}/recheck",
        action="update",
        method="POST",
        url=lambda f: f"{API}/{f.pk}/recheck",
        make=_on_file,
        data=lambda world, f: {"result": "keep", "opinion": "情况无变化"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{file_id}}/exit",
        action="update",
        method="POST",
        url=lambda f: f"{API}/{f.pk}/exit",
        make=_on_file,
        data=lambda world, f: {"reason": "已再就业"},
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{file_id}}/documents/{{document_id}}",
        action="detail",
        url=lambda d: f"{API}/{d.hardship_file_id}/documents/{d.pk}",
        make=_document,
    ),
]

UNSCOPED: dict[str, str] = {
    f"POST {API}/{{file_id}}/documents": (
        "scoped (ASSISTANCE_HANDLE on the file's union); a multipart body the scoping base cannot "
        "send, so test_files_api checks it for every kind of visitor"
    ),
}
