"""REST API of disputes (/api/v1/rights/disputes), for officers and mediators.

Officers holding rights.view on a dispute's handling org or above list and read it; rights.handle
receives disputes and takes the workflow's steps. A mediator with a sign-in reaches the disputes
assigned to them (`/desk` lists them) and takes the mediation steps on them, nothing else. Out of
reach is 404, exactly like missing. ID and mobile numbers of the parties are masked unless the
caller handles the dispute. Errors are `{code, message, fields}`; a refusal writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PathId, page_of
from gonghui.core.errors import ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible
from gonghui.orgs.selectors import org_in_scope
from gonghui.rights.api.schemas import (
    AlertOut,
    AlertsOut,
    ClaimIn,
    DisputeListOut,
    DisputeOut,
    DisputeRowOut,
    DocumentsOut,
    ExtensionIn,
    MessageIn,
    MessageOut,
    MessagesOut,
    PartyIn,
    ReassignIn,
    TransitionIn,
    alert_out,
    dispute_out,
    dispute_row,
    document_out,
    message_out,
)
from gonghui.rights.models import DISPUTE_TRANSITIONS, MAX_NAME, MAX_SUMMARY, MAX_TEXT, Dispute
from gonghui.rights.selectors import (
    DisputeFilters,
    dispute_detail_rows,
    dispute_for,
    dispute_rows,
    disputes_of_mediator,
    filtered_disputes,
    is_own_mediator,
    may_handle,
    may_see_contacts,
    mediator_of,
    pending_alerts,
    thread,
)
from gonghui.rights.services import disputes as services
from gonghui.rights.uploads import read_documents

router = Router(tags=["rights"])
ALERTS_LIMIT = 200


class DisputeQuery(Schema):
    status: str = Field("", max_length=20)
    channel: str = Field("", max_length=20)
    claim_type: str = Field("", max_length=20)
    centre: Id | None = None
    overdue: bool = False
    collective: bool = False
    q: CleanText = Field("", max_length=60)
    page: PageNumber = 1


class IntakeIn(Schema):
    org: str = Field(max_length=32, description="Code of the handling union.")
    channel: str = Field(max_length=20, description="walk_in, hotline, arbitration or court.")
    received_on: date | None = Field(None, description="Today when left out.")
    workplace_id: Id | None = None
    employer_name: CleanText = Field("", max_length=MAX_NAME * 2)
    summary: CleanText = Field(max_length=MAX_SUMMARY * 2)
    description: str = Field("", max_length=MAX_TEXT * 2)
    workers_count: int = Field(1, ge=1, le=100_000)
    parties: list[PartyIn] = Field(max_length=services.MAX_PARTIES)
    claims: list[ClaimIn] = Field(max_length=services.MAX_CLAIMS)
    centre_id: Id | None = None
    mediator_id: Id | None = None


def _detail(request: HttpRequest, dispute_id: int) -> dict[str, Any]:
    user = request_user(request)
    dispute = dispute_for(user, dispute_id, rows=dispute_detail_rows())
    handle = may_handle(dispute, user)
    mediate = handle or is_own_mediator(dispute, user)
    actions = [
        str(transition.action)
        for transition in DISPUTE_TRANSITIONS.available(dispute.status)
        if handle or (mediate and transition.held_on == "mediation")
    ]
    return dispute_out(dispute, contacts=may_see_contacts(dispute, user), actions=actions)


@router.get("", response=DisputeListOut, summary="Disputes in my scope (officers)")
def dispute_list(request: HttpRequest, query: Query[DisputeQuery]) -> dict[str, Any]:
    user = request_user(request)
    filters = DisputeFilters(
        status=query.status,
        channel=query.channel,
        claim_type=query.claim_type,
        centre=query.centre,
        overdue=query.overdue,
        collective=query.collective,
        query=query.q,
    )
    rows = filtered_disputes(visible(dispute_rows(), user, Perm.RIGHTS_VIEW), filters, timezone.localdate())
    header, items = page_of(rows.order_by("-received_on", "-id"), query.page)
    return {**header, "items": [dispute_row(dispute) for dispute in items]}


@router.get("/desk", response=list[DisputeRowOut], summary="The disputes assigned to me (mediators)")
def desk(request: HttpRequest) -> list[dict[str, Any]]:
    mediator = mediator_of(request_user(request))
    if mediator is None:
        return []
    return [
        dispute_row(dispute)
        for dispute in disputes_of_mediator(mediator).order_by("mediation_deadline", "id")[:200]
    ]


@router.get("/alerts", response=AlertsOut, summary="Collective disputes to acknowledge (superior orgs)")
def alerts(request: HttpRequest) -> dict[str, Any]:
    """The unacknowledged alerts to the orgs in my scope, as on top of the console's list."""
    rows = pending_alerts(request_user(request))[:ALERTS_LIMIT]
    return {"items": [alert_out(alert) for alert in rows]}


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, summary="Acknowledge an alert")
def alert_acknowledge(request: HttpRequest, alert_id: PathId) -> dict[str, Any]:
    return alert_out(services.acknowledge_alert(alert_id, actor=request_user(request)))


@router.post("", response={201: DisputeOut}, summary="Receive a dispute (walk-in, hotline, referral)")
def dispute_create(request: HttpRequest, payload: IntakeIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = org_in_scope(user, Perm.RIGHTS_HANDLE, payload.org)
    dispute = services.intake_dispute(
        actor=user,
        org_id=org.pk,
        data=services.DisputeInput(
            channel=payload.channel,
            received_on=payload.received_on,
            workplace_id=payload.workplace_id,
            employer_name=payload.employer_name,
            summary=payload.summary,
            description=payload.description,
            workers_count=payload.workers_count,
            parties=[party.data() for party in payload.parties],
            claims=[claim.data() for claim in payload.claims],
            centre_id=payload.centre_id,
            mediator_id=payload.mediator_id,
        ),
    )
    return Status(201, _detail(request, dispute.pk))


@router.get("/{dispute_id}", response=DisputeOut, summary="One dispute")
def dispute_detail(request: HttpRequest, dispute_id: PathId) -> dict[str, Any]:
    return _detail(request, dispute_id)


@router.post("/{dispute_id}/transitions", response=DisputeOut, summary="Take a step of the workflow")
def dispute_transition(request: HttpRequest, dispute_id: PathId, payload: TransitionIn) -> dict[str, Any]:
    data = payload.dict()
    data["amounts"] = [amount.dict() for amount in payload.amounts]
    services.apply_action(dispute_id, actor=request_user(request), action=payload.action, data=data)
    return _detail(request, dispute_id)


@router.post("/{dispute_id}/extensions", response={201: DisputeOut}, summary="Record the parties' extension")
def dispute_extension(
    request: HttpRequest, dispute_id: PathId, payload: ExtensionIn
) -> Status[dict[str, Any]]:
    services.record_extension(
        dispute_id,
        actor=request_user(request),
        new_deadline=payload.new_deadline,
        agreed_by=payload.agreed_by,
        note=payload.note,
    )
    return Status(201, _detail(request, dispute_id))


@router.post("/{dispute_id}/parties", response={201: DisputeOut}, summary="Name one more worker")
def dispute_party(request: HttpRequest, dispute_id: PathId, payload: PartyIn) -> Status[dict[str, Any]]:
    services.add_party(dispute_id, actor=request_user(request), party=payload.data())
    return Status(201, _detail(request, dispute_id))


@router.get("/{dispute_id}/messages", response=MessagesOut, summary="The messages with the worker")
def dispute_messages(request: HttpRequest, dispute_id: PathId) -> dict[str, Any]:
    dispute: Dispute = dispute_for(request_user(request), dispute_id)
    return {"items": [message_out(message) for message in thread(dispute)]}


@router.post("/{dispute_id}/messages", response={201: MessageOut}, summary="Write to the worker")
def dispute_message(request: HttpRequest, dispute_id: PathId, payload: MessageIn) -> Status[dict[str, Any]]:
    message = services.post_message(dispute_id, actor=request_user(request), text=payload.text)
    return Status(201, message_out(message))


@router.post("/{dispute_id}/reassign", response=DisputeOut, summary="Hand over to another mediator")
def dispute_reassign(request: HttpRequest, dispute_id: PathId, payload: ReassignIn) -> dict[str, Any]:
    services.reassign_dispute(
        dispute_id, actor=request_user(request), mediator_id=payload.mediator_id, reason=payload.reason
    )
    return _detail(request, dispute_id)


def uploaded(files: list[UploadedFile]) -> list[tuple[str, bytes]]:
    """The files' names and bytes, checked as in the console; one more than the limit is read
    so that the service refuses too many."""
    documents, problems = read_documents(files[: services.MAX_DOCUMENTS + 1])
    if problems:
        raise ValidationFailed(problems[0], fields={"files": problems})
    return documents


@router.post(
    "/{dispute_id}/documents",
    response={201: DocumentsOut},
    summary="Add photos or PDFs (multipart, field files)",
)
def dispute_documents(
    request: HttpRequest, dispute_id: PathId, files: File[list[UploadedFile]]
) -> Status[dict[str, Any]]:
    user = request_user(request)
    services.add_documents(dispute_id, actor=user, documents=uploaded(files))
    dispute: Dispute = dispute_for(user, dispute_id)
    return Status(201, {"items": [document_out(document) for document in dispute.documents.all()]})
