"""API: hardship files (困难档案), for officers, mounted at /api/v1/assistance/files.

Lists are paged (`page`, 50 items) and answer `{count, page, pages, items}`; everything is
scoped: a file outside the caller's unions answers 404, exactly like a missing one. ID numbers
are always masked; names in lists are masked for callers who do not handle the file's union.
Amounts are decimal strings in yuan with 2 places. Decisions (`approve`, `reject`, `recheck`,
`exit`) answer 409 `invalid_transition` when the file's status does not allow them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.assistance.models import (
    HARDSHIP_FILE_TRANSITIONS,
    MAX_REASON,
    Channel,
    HardshipCause,
    HardshipDocument,
    HardshipFile,
    HardshipFileAction,
    HardshipFileHistory,
    HardshipFileStatus,
    HardshipGrade,
    HouseholdMember,
    Occupation,
    RecheckResult,
    Relation,
)
from gonghui.assistance.services import files as services
from gonghui.assistance.views.files import document_response, person_rows
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.documents import MAX_DOCUMENT_BYTES
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanText
from gonghui.core.text import mask_name
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

router = Router(tags=["assistance"])

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


# --------------------------------------------------------------------------------------------
# Schemas shared with the member's router (api/member.py)
# --------------------------------------------------------------------------------------------


class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    relation: Relation = Field(description="`self` for the member themselves: exactly one row.")
    name: CleanText = Field(max_length=services.MAX_PERSON_NAME)
    id_number: CleanText = Field(max_length=24, description="18 characters (or the old 15-digit form).")
    occupation: Occupation
    monthly_income: Money = Decimal("0.00")
    health: CleanText = Field("", max_length=services.MAX_HEALTH, description="Illness or disability.")


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    household: list[PersonIn] = Field(min_length=1, max_length=services.MAX_HOUSEHOLD)
    other_monthly_income: Money = Decimal("0.00")
    causes: list[HardshipCause] = Field(min_length=1, max_length=len(HardshipCause.values))
    situation: CleanText = Field(max_length=services.MAX_SITUATION)


class OfficerApplicationIn(ApplicationIn):
    member: Id = Field(description="The member, of a union where the caller handles hardship files.")


class PersonOut(Schema):
    position: int
    relation: Relation
    name: str
    id_number: str = Field(description="Masked: region code and last four characters.")
    sex: str
    birth_year: int | None
    occupation: Occupation
    monthly_income: Decimal
    health: str


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class HistoryOut(Schema):
    action: HardshipFileAction
    from_status: HardshipFileStatus | Literal[""]
    to_status: HardshipFileStatus
    comment: str
    created_at: datetime


class RecheckOut(Schema):
    checked_on: date
    result: RecheckResult
    grade_before: HardshipGrade
    grade_after: HardshipGrade | Literal[""]
    per_capita_income: Decimal
    opinion: str


class FileOut(Schema):
    id: int
    reference: str
    member_name: str = Field(description="Masked for callers who do not handle the file's union.")
    org: OrgRef
    year: int
    status: HardshipFileStatus
    grade: HardshipGrade | Literal[""]
    household_size: int
    household_monthly_income: Decimal
    per_capita_income: Decimal
    threshold: Decimal | None = Field(description="The threshold compared with; null when none was set.")
    threshold_org: OrgRef | None
    below_threshold: bool | None
    channel: Channel
    overdue: bool = Field(
        description=f"Applied for more than {services.REVIEW_DAYS} days ago and not decided."
    )
    last_checked_on: date | None
    recheck_due: date | None
    created_at: datetime


class FileDetailOut(FileOut):
    causes: list[HardshipCause]
    situation: str
    other_monthly_income: Decimal
    opinion: str
    exited_on: date | None
    exit_reason: str
    household: list[PersonOut]
    documents: list[DocumentOut]
    rechecks: list[RecheckOut]
    history: list[HistoryOut]
    allowed_actions: list[HardshipFileAction] = Field(description="What the caller may do next.")


class FilePage(PageOut):
    items: list[FileOut]


def _org(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "code": org.code, "name": org.name}


def file_out(hardship_file: HardshipFile, *, name_shown: bool) -> dict[str, Any]:
    return {
        "id": hardship_file.pk,
        "reference": hardship_file.reference,
        "member_name": hardship_file.member.name if name_shown else mask_name(hardship_file.member.name),
        "org": _org(hardship_file.org),
        "year": hardship_file.year,
        "status": hardship_file.status,
        "grade": hardship_file.grade,
        "household_size": hardship_file.household_size,
        "household_monthly_income": hardship_file.household_monthly_income,
        "per_capita_income": hardship_file.per_capita_income,
        "threshold": hardship_file.threshold,
        "threshold_org": _org(hardship_file.threshold_org),
        "below_threshold": hardship_file.below_threshold,
        "channel": hardship_file.channel,
        "overdue": services.is_overdue(hardship_file),
        "last_checked_on": hardship_file.last_checked_on,
        "recheck_due": hardship_file.recheck_due,
        "created_at": hardship_file.created_at,
    }


def detail_queryset() -> QuerySet[HardshipFile]:
    return HardshipFile.objects.select_related("member", "org", "threshold_org").prefetch_related(
        "causes",
        Prefetch("household", queryset=HouseholdMember.objects.order_by("position")),
        "documents",
        "rechecks",
        Prefetch("history", queryset=HardshipFileHistory.objects.order_by("created_at", "id")),
    )


def detail_out(hardship_file: HardshipFile, *, handler: bool) -> dict[str, Any]:
    """The whole file; `handler`: the caller may decide on it (names shown, actions offered)."""
    allowed = [t.action for t in HARDSHIP_FILE_TRANSITIONS.available(hardship_file.status)] if handler else []
    return {
        **file_out(hardship_file, name_shown=True),
        "causes": [cause.cause for cause in hardship_file.causes.all()],
        "situation": hardship_file.situation,
        "other_monthly_income": hardship_file.other_monthly_income,
        "opinion": hardship_file.opinion,
        "exited_on": hardship_file.exited_on,
        "exit_reason": hardship_file.exit_reason,
        "household": [
            {
                "position": row.person.position,
                "relation": row.person.relation,
                "name": row.person.name,
                "id_number": row.id_masked,
                "sex": row.sex,
                "birth_year": row.birth_year,
                "occupation": row.person.occupation,
                "monthly_income": row.person.monthly_income,
                "health": row.person.health,
            }
            for row in person_rows(list(hardship_file.household.all()))
        ],
        "documents": [document_out(document) for document in hardship_file.documents.all()],
        "rechecks": list(hardship_file.rechecks.all()),
        "history": list(hardship_file.history.all()),
        "allowed_actions": allowed,
    }


def person_inputs(payload: ApplicationIn) -> list[services.PersonInput]:
    return [
        services.PersonInput(
            relation=person.relation,
            name=person.name,
            id_number=person.id_number,
            occupation=person.occupation,
            monthly_income=person.monthly_income,
            health=person.health,
        )
        for person in payload.household
    ]


def upload_content(file: UploadedFile) -> bytes:
    try:
        return read_upload(file, max_bytes=MAX_DOCUMENT_BYTES)
    except FileTooLarge:
        message = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
            "size": MAX_DOCUMENT_BYTES // 2**20
        }
        raise ValidationFailed(message, fields={"file": [message]}) from None


# --------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------


class FileQuery(Schema):
    status: HardshipFileStatus | None = Field(None, description="Default: every status.")
    recheck_due_by: date | None = Field(
        None, description="Only files on record due for re-check by this day."
    )
    page: PageNumber = 1


@router.get("", response=FilePage, summary="Hardship files of the caller's unions")
def list_files(request: HttpRequest, filters: Query[FileQuery]) -> dict[str, Any]:
    """Applications waiting (`status=applied`) come oldest first; otherwise newest first."""
    user = request_user(request)
    rows = visible(HardshipFile, user, Perm.ASSISTANCE_VIEW).select_related("member", "org", "threshold_org")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.recheck_due_by:
        rows = rows.filter(status=HardshipFileStatus.ON_FILE, recheck_due__lte=filters.recheck_due_by)
        rows = rows.order_by("recheck_due", "id")
    elif filters.status == HardshipFileStatus.APPLIED:
        rows = rows.order_by("created_at", "id")
    else:
        rows = rows.order_by("-created_at", "-id")
    meta, items = page_of(rows, filters.page)
    return {
        **meta,
        "items": [
            file_out(item, name_shown=has_perm_at(user, Perm.ASSISTANCE_HANDLE, item.org.path))
            for item in items
        ],
    }


@router.post("", response={201: FileDetailOut}, summary="Apply for a member of the caller's union")
def create_file(request: HttpRequest, payload: OfficerApplicationIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    created = services.apply_for_hardship(
        actor=user,
        member=payload.member,
        household=person_inputs(payload),
        other_monthly_income=payload.other_monthly_income,
        causes=list(payload.causes),
        situation=payload.situation,
    )
    return Status(201, detail_out(detail_queryset().get(pk=created.pk), handler=True))


def _detail(request: HttpRequest, file_id: int) -> dict[str, Any]:
    user = request_user(request)
    found = get_visible(detail_queryset(), user, Perm.ASSISTANCE_VIEW, pk=file_id)
    return detail_out(found, handler=services.may_handle(user, found))


@router.get("/{int:file_id}", response=FileDetailOut, summary="One hardship file")
def get_file(request: HttpRequest, file_id: PathId) -> dict[str, Any]:
    return _detail(request, file_id)


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    grade: HardshipGrade
    opinion: CleanText = Field("", max_length=MAX_REASON)


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    opinion: CleanText = Field(max_length=MAX_REASON, description="Required: the member reads it.")


class RecheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    result: RecheckResult
    grade: HardshipGrade | Literal[""] = Field("", description="The new grade, for `regrade` only.")
    per_capita_income: Money | None = Field(
        None, description="The monthly income per person now, if it changed."
    )
    opinion: CleanText = Field(max_length=MAX_REASON)


class ExitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(max_length=MAX_REASON)


def _handled(request: HttpRequest, file_id: int) -> HardshipFile:
    return get_visible(HardshipFile, request_user(request), Perm.ASSISTANCE_VIEW, pk=file_id)


@router.post("/{int:file_id}/approve", response=FileDetailOut, summary="Accept a file and grade it")
def approve_file(request: HttpRequest, file_id: PathId, payload: ApproveIn) -> dict[str, Any]:
    services.approve_hardship_file(
        _handled(request, file_id), actor=request_user(request), grade=payload.grade, opinion=payload.opinion
    )
    return _detail(request, file_id)


@router.post("/{int:file_id}/reject", response=FileDetailOut, summary="Do not accept a file")
def reject_file(request: HttpRequest, file_id: PathId, payload: RejectIn) -> dict[str, Any]:
    services.reject_hardship_file(
        _handled(request, file_id), actor=request_user(request), opinion=payload.opinion
    )
    return _detail(request, file_id)


@router.post("/{int:file_id}/recheck", response=FileDetailOut, summary="Record the yearly re-check")
def recheck_file(request: HttpRequest, file_id: PathId, payload: RecheckIn) -> dict[str, Any]:
    """`keep` the grade, `regrade` (with `grade`) or `exit` (the file leaves the record)."""
    services.recheck_hardship_file(
        _handled(request, file_id),
        actor=request_user(request),
        result=payload.result,
        grade=payload.grade,
        per_capita_income=payload.per_capita_income,
        opinion=payload.opinion,
    )
    return _detail(request, file_id)


@router.post("/{int:file_id}/exit", response=FileDetailOut, summary="Take a file off the record")
def exit_file(request: HttpRequest, file_id: PathId, payload: ExitIn) -> dict[str, Any]:
    services.exit_hardship_file(
        _handled(request, file_id), actor=request_user(request), reason=payload.reason
    )
    return _detail(request, file_id)


@router.post("/{int:file_id}/documents", response={201: DocumentOut}, summary="Add a document to a file")
def upload_document(
    request: HttpRequest, file_id: PathId, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """A photo (JPEG, PNG, WebP) or a PDF, at most 10 MB, as multipart field `file`."""
    user = request_user(request)
    found = _handled(request, file_id)
    (document,) = services.add_hardship_documents(
        found, actor=user, documents=[(file.name or "", upload_content(file))]
    )
    return Status(201, document_out(document))


def document_out(document: HardshipDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "uploaded_at": document.created_at,
    }


DOCUMENT_RESPONSE = {
    "responses": {
        200: {
            "description": "The document, as a download.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/{int:file_id}/documents/{int:document_id}",
    response={200: None},
    openapi_extra=DOCUMENT_RESPONSE,
    summary="Download a document of a file",
)
def download_document(request: HttpRequest, file_id: PathId, document_id: PathId) -> HttpResponse:
    """For officers who handle the file's union."""
    found = get_visible(HardshipFile, request_user(request), Perm.ASSISTANCE_HANDLE, pk=file_id)
    document = get_visible_document(found, document_id)
    return document_response(document)


def get_visible_document(hardship_file: HardshipFile, document_id: int) -> HardshipDocument:
    document: HardshipDocument | None = hardship_file.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("The document was not found."))
    return document
