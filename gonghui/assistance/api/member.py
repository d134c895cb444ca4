"""API: the signed-in member's own hardship files, mounted at /api/v1/assistance/me.

`GET /files` lists them (any membership of the person, newest first), `POST /files` applies for
the member's household (the household's row `self` must carry the member's own ID number),
`GET /files/{id}` is one of them and `POST /files/{id}/documents` adds a document while the file
is applied for or on record. Someone else's file answers 404. ID numbers are masked.
`GET /grants` lists the grants paid to the member (approved or reversed; a proposal is the
unions' business until it is decided)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File as FilePart
from ninja import Router, Schema, UploadedFile
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.assistance.api.files import (
    ApplicationIn,
    DocumentOut,
    FileDetailOut,
    FileOut,
    detail_out,
    detail_queryset,
    document_out,
    file_out,
    person_inputs,
    upload_content,
)
from gonghui.assistance.models import HardshipFile
from gonghui.assistance.services import files as services
from gonghui.assistance.services.grants import member_grants
from gonghui.core.api_types import PathId

router = Router(tags=["assistance"])


class MyFilesOut(Schema):
    items: list[FileOut]


def _mine(request: HttpRequest, file_id: int) -> HardshipFile:
    """The caller's own file (NotFound for anyone else's), with what its detail shows."""
    own = services.get_my_file(request_user(request), file_id)
    found: HardshipFile = detail_queryset().get(pk=own.pk)
    return found


class MyGrantOut(Schema):
    id: int
    fund: str
    purpose: str
    purpose_label: str
    amount: Decimal
    status: str
    status_label: str
    decided_at: datetime | None


class MyGrantsOut(Schema):
    items: list[MyGrantOut]


@router.get("/grants", response=MyGrantsOut, summary="Grants paid to me")
def my_grants(request: HttpRequest) -> dict[str, Any]:
    rows = member_grants(request_user(request))[:100]
    return {
        "items": [
            {
                "id": grant.pk,
                "fund": grant.fund.name,
                "purpose": grant.purpose,
                "purpose_label": str(grant.get_purpose_display()),
                "amount": grant.amount,
                "status": grant.status,
                "status_label": str(grant.get_status_display()),
                "decided_at": grant.decided_at,
            }
            for grant in rows
        ]
    }


@router.get("/files", response=MyFilesOut, summary="My hardship files")
def my_files(request: HttpRequest) -> dict[str, Any]:
    rows = (
        services.my_files(request_user(request))
        .select_related("threshold_org")
        .order_by("-created_at", "-id")
    )
    return {"items": [file_out(item, name_shown=True) for item in rows[:50]]}


@router.post("/files", response={201: FileDetailOut}, summary="Apply for hardship help for my household")
def apply(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, Any]]:
    created = services.apply_for_hardship(
        actor=request_user(request),
        household=person_inputs(payload),
        other_monthly_income=payload.other_monthly_income,
        causes=list(payload.causes),
        situation=payload.situation,
    )
    return Status(201, detail_out(detail_queryset().get(pk=created.pk), handler=False))


@router.get("/files/{int:file_id}", response=FileDetailOut, summary="One of my hardship files")
def my_file(request: HttpRequest, file_id: PathId) -> dict[str, Any]:
    return detail_out(_mine(request, file_id), handler=False)


@router.post(
    "/files/{int:file_id}/documents", response={201: DocumentOut}, summary="Add a document to my file"
)
def upload_document(
    request: HttpRequest, file_id: PathId, file: FilePart[UploadedFile]
) -> Status[dict[str, Any]]:
    """A photo (JPEG, PNG, WebP) or a PDF, at most 10 MB, as multipart field `file`."""
    found = _mine(request, file_id)
    (document,) = services.add_hardship_documents(
        found, actor=request_user(request), documents=[(file.name or "", upload_content(file))]
    )
    return Status(201, document_out(document))
