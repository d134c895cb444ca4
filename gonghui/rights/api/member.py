"""REST API of the signed-in worker's own disputes (/api/v1/rights/me): report one online,
list and read mine, write to the handlers, rate the handling at the end. Any signed-in account
may report (members or not); a dispute reported by someone else is 404. Errors are
`{code, message, fields}`; 409 `not_rateable`, `already_rated`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import PathId
from gonghui.rights.api.disputes import uploaded
from gonghui.rights.api.schemas import (
    DisputeOut,
    DisputeRowOut,
    DocumentsOut,
    MessageIn,
    MessageOut,
    MessagesOut,
    OnlineDisputeIn,
    RatingIn,
    dispute_out,
    dispute_row,
    document_out,
    message_out,
)
from gonghui.rights.selectors import MY_DISPUTES_LIMIT, disputes_of_worker, thread, worker_dispute
from gonghui.rights.services import disputes as services

router = Router(tags=["rights"])


def _mine(request: HttpRequest, dispute_id: int) -> dict[str, Any]:
    dispute = worker_dispute(request_user(request), dispute_id)
    # The worker is the reporting party: their own numbers are theirs to see.
    return dispute_out(dispute, contacts=True, actions=[])


@router.get("", response=list[DisputeRowOut], summary="My disputes")
def my_disputes(request: HttpRequest) -> list[dict[str, Any]]:
    rows = disputes_of_worker(request_user(request))[:MY_DISPUTES_LIMIT]
    return [dispute_row(dispute) for dispute in rows]


@router.post("", response={201: DisputeOut}, summary="Report a dispute online")
def report(request: HttpRequest, payload: OnlineDisputeIn) -> Status[dict[str, Any]]:
    dispute = services.report_dispute(
        actor=request_user(request),
        data=services.DisputeInput(
            employer_name=payload.employer_name,
            workplace_id=payload.workplace_id,
            summary=payload.summary,
            description=payload.description,
            workers_count=payload.workers_count,
            parties=[services.PartyInput(name=payload.name, id_number=payload.id_number)],
            claims=[claim.data() for claim in payload.claims],
        ),
    )
    return Status(201, _mine(request, dispute.pk))


@router.get("/{dispute_id}", response=DisputeOut, summary="One of my disputes")
def my_dispute(request: HttpRequest, dispute_id: PathId) -> dict[str, Any]:
    return _mine(request, dispute_id)


@router.get("/{dispute_id}/messages", response=MessagesOut, summary="Messages of my dispute")
def my_messages(request: HttpRequest, dispute_id: PathId) -> dict[str, Any]:
    dispute = worker_dispute(request_user(request), dispute_id)
    return {"items": [message_out(message) for message in thread(dispute)]}


@router.post("/{dispute_id}/messages", response={201: MessageOut}, summary="Write to the handlers")
def my_message(request: HttpRequest, dispute_id: PathId, payload: MessageIn) -> Status[dict[str, Any]]:
    message = services.post_worker_message(dispute_id, actor=request_user(request), text=payload.text)
    return Status(201, message_out(message))


@router.post("/{dispute_id}/rating", response=DisputeOut, summary="Rate the handling (1–5, once)")
def my_rating(request: HttpRequest, dispute_id: PathId, payload: RatingIn) -> dict[str, Any]:
    services.rate_dispute(
        dispute_id, actor=request_user(request), rating=payload.rating, comment=payload.comment
    )
    return _mine(request, dispute_id)


@router.post(
    "/{dispute_id}/documents",
    response={201: DocumentsOut},
    summary="Add photos or PDFs to my dispute (multipart, field files)",
)
def my_documents(
    request: HttpRequest, dispute_id: PathId, files: File[list[UploadedFile]]
) -> Status[dict[str, Any]]:
    user = request_user(request)
    services.add_worker_documents(dispute_id, actor=user, documents=uploaded(files))
    dispute = worker_dispute(user, dispute_id)
    # As on the case page: the worker's own uploads (officers' may hold the employer's data).
    mine = dispute.documents.filter(from_worker=True)
    return Status(201, {"items": [document_out(document) for document in mine]})
