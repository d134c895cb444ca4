"""REST API of transfers (转会) and leaving (退会), mounted at /api/v1/transfers.

Both unions see a transfer: an officer with MEMBER_VIEW on the union the member leaves or the
union they join (or above either). A member sees their own. Anything else answers 404, exactly
like a missing transfer. Lists are paged (`page`, 50 items) and answer `{count, page, pages, items}`.

Leaving is `POST /api/v1/transfers/leave` (in this router, beside transfers, because it is the
other way a membership ends): an officer with MEMBER_CHANGE on the member's union records a
leaving or a death; a member ends their own membership with their password.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.accounts.models import User
from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, WorkplaceRef, page_of
from gonghui.core.errors import ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.members.models import (
    Member,
    MemberStatus,
    Transfer,
    TransferAction,
    TransferHistory,
    TransferStatus,
)
from gonghui.members.services import transfers as services
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

router = Router(tags=["transfers"])

Reason = Annotated[CleanText, Field(max_length=services.REASON_MAX)]


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class TransferOut(Schema):
    id: int
    status: TransferStatus = Field(
        description="`requested` (waiting for the receiving union), `approved`, `rejected` or `cancelled`."
    )
    member_id: int = Field(description="The membership being moved (it ends when the transfer is accepted).")
    member_masked_name: str = Field(alias="member.masked_name", description="For example 王**.")
    from_org: OrgRef
    to_org: OrgRef
    to_workplace: WorkplaceRef | None
    reason: str
    reject_reason: str
    requested_at: datetime = Field(alias="created_at")
    decided_at: datetime | None
    new_member_id: int | None = Field(description="The membership opened in the receiving union.")


class TransferStepOut(Schema):
    from_status: str = Field(description="Empty for the first step.")
    to_status: TransferStatus
    comment: str
    time: datetime = Field(alias="created_at")


class TransferDetailOut(TransferOut):
    actions: list[TransferAction] = Field(description="What the caller may do now.")
    history: list[TransferStepOut]

    @staticmethod
    def resolve_actions(transfer: Transfer, context: dict[str, Any]) -> list[TransferAction]:
        return services.available_actions(request_user(context["request"]), transfer)

    @staticmethod
    def resolve_history(transfer: Transfer) -> list[TransferHistory]:
        return list(transfer.history.order_by("created_at", "pk"))


class TransferPage(PageOut):
    items: list[TransferOut]


class TransferQuery(Schema):
    direction: Literal["incoming", "outgoing", "all"] = Field(
        "all",
        description="`incoming`: into unions of the caller's scope; `outgoing`: out of them; `all`: both.",
    )
    status: TransferStatus | None = Field(None, description="Only transfers in this status.")
    page: PageNumber = 1


class TransferIn(Schema):
    member_id: Id | None = Field(
        None, description="A membership the caller sees (or their own). Give this or `id_number`."
    )
    id_number: Annotated[CleanText, Field(max_length=40)] = Field(
        "",
        description="The person's full ID number, for an officer of the receiving union asking for a "
        "member of another union to transfer in (MEMBER_CHANGE on `to_org` is checked first).",
    )
    to_org: Id = Field(description="The receiving union: an active grassroots, joint or industry union.")
    to_workplace: Id | None = Field(
        None, description="Optional: the new workplace, covered by `to_org` or in its area."
    )
    reason: Reason = ""


class CommentIn(Schema):
    comment: Reason = ""


class RejectIn(Schema):
    reason: Reason = Field(description="Required; the member is told it by SMS.")


class LeaveIn(Schema):
    member_id: Id
    status: Literal["left", "deceased"] = Field(
        "left", description="`left` (the member left the union) or `deceased` (officers only)."
    )
    on: date | None = Field(
        None, description="Officers: the date it happened (default today, not in the future)."
    )
    reason: Annotated[CleanText, Field(max_length=200)] = Field(
        "", description="Required when an officer records it."
    )
    password: Annotated[str, Field(max_length=200)] = Field(
        "", description="A member ending their own membership confirms it with their account's password."
    )


class LeftOut(Schema):
    id: int
    status: MemberStatus
    ended_on: date | None
    end_reason: str


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _rows() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("member", "from_org", "to_org", "to_workplace", "requested_by")


def _transfer(user: User, pk: int) -> Transfer:
    """The transfer if the caller may see it (officer of either union, the member, the
    requester); Http404 otherwise."""
    transfer: Transfer | None = _rows().filter(pk=pk).first()
    if transfer is None or not services.may_see_transfer(user, transfer):
        raise Http404
    return transfer


def _detail(user: User, transfer: Transfer) -> Transfer:
    """The transfer as it is now (a step changed it), with its unions, for TransferDetailOut."""
    return _transfer(user, transfer.pk)


def _member(user: User, pk: int) -> Member:
    """A membership the caller sees as an officer, or their own; Http404 otherwise."""
    member = visible(Member, user, Perm.MEMBER_VIEW).select_related("org").filter(pk=pk).first()
    if member is None:
        member = Member.objects.select_related("org").filter(pk=pk).first()
        if member is None or not services.is_the_member(user, member):
            raise Http404
    return member


def _org(pk: int) -> Org:
    org: Org | None = Org.objects.filter(pk=pk).first()
    if org is None:
        message = _("There is no such union.")
        raise ValidationFailed(message, fields={"to_org": [message]})
    return org


def _workplace(pk: int | None) -> Workplace | None:
    if pk is None:
        return None
    workplace: Workplace | None = (
        Workplace.objects.select_related("union", "jurisdiction").filter(pk=pk).first()
    )
    if workplace is None:
        message = _("There is no such workplace.")
        raise ValidationFailed(message, fields={"to_workplace": [message]})
    return workplace


# --------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------


@router.get("", response=TransferPage, summary="Transfers in the caller's scope, newest first")
def list_transfers(request: HttpRequest, query: Query[TransferQuery]) -> dict[str, Any]:
    """Officers: transfers into or out of the unions in their scope. Members: their own."""
    user = request_user(request)
    if user.is_officer:
        rows = services.transfers_in_scope(user, direction=query.direction, status=query.status or "")
    else:
        rows = services.transfers_of_person(user)
        if query.status:
            rows = rows.filter(status=query.status)
    meta, items = page_of(rows, query.page)
    return {**meta, "items": items}


@router.post(
    "",
    response={201: TransferDetailOut},
    summary="Ask for a transfer",
    openapi_extra={
        "responses": {
            "403": {"description": "`no_authority`: the caller may not ask for this member's transfer."},
            "409": {"description": "`transfer_open`: one is already waiting; `membership_ended`."},
        }
    },
)
def create_transfer(request: HttpRequest, payload: TransferIn) -> Status[Transfer]:
    """By the member, or an officer with MEMBER_CHANGE on the member's union or the receiving
    union. The receiving union decides; the member is told by SMS."""
    user = request_user(request)
    if (payload.member_id is None) == (not payload.id_number):
        message = _("Give either the membership (member_id) or the person's ID number (id_number).")
        raise ValidationFailed(message, fields={"member_id": [message], "id_number": [message]})
    to_org = _org(payload.to_org)
    workplace = _workplace(payload.to_workplace)
    if payload.member_id is not None:
        transfer = services.request_transfer(
            _member(user, payload.member_id),
            actor=user,
            to_org=to_org,
            to_workplace=workplace,
            reason=payload.reason,
        )
    else:
        transfer = services.request_transfer_in(
            payload.id_number, actor=user, to_org=to_org, to_workplace=workplace, reason=payload.reason
        )
    return Status(201, _detail(user, transfer))


@router.get("/{int:transfer_id}", response=TransferDetailOut, summary="One transfer, with its steps")
def get_transfer(request: HttpRequest, transfer_id: PathId) -> Transfer:
    user = request_user(request)
    return _detail(user, _transfer(user, transfer_id))


_DECISION_ERRORS = {
    "responses": {
        "403": {"description": "`no_authority`: the caller holds no authority for this step."},
        "409": {
            "description": "`invalid_transition`: the transfer is no longer waiting; `membership_changed`."
        },
    }
}


@router.post(
    "/{int:transfer_id}/approve",
    response=TransferDetailOut,
    summary="Accept a transfer (receiving union)",
    openapi_extra=_DECISION_ERRORS,
)
def approve_transfer(request: HttpRequest, transfer_id: PathId, payload: CommentIn) -> Transfer:
    """Officers with MEMBER_CHANGE on the receiving union: the old membership ends and a new one
    opens there, with the original join date, in one transaction."""
    user = request_user(request)
    transfer = services.approve_transfer(_transfer(user, transfer_id), actor=user, comment=payload.comment)
    return _detail(user, transfer)


@router.post(
    "/{int:transfer_id}/reject",
    response=TransferDetailOut,
    summary="Reject a transfer (receiving union)",
    openapi_extra=_DECISION_ERRORS,
)
def reject_transfer(request: HttpRequest, transfer_id: PathId, payload: RejectIn) -> Transfer:
    """Officers with MEMBER_CHANGE on the receiving union; the reason is required."""
    user = request_user(request)
    transfer = services.reject_transfer(_transfer(user, transfer_id), actor=user, reason=payload.reason)
    return _detail(user, transfer)


@router.post(
    "/{int:transfer_id}/cancel",
    response=TransferDetailOut,
    summary="Cancel a transfer",
    openapi_extra=_DECISION_ERRORS,
)
def cancel_transfer(request: HttpRequest, transfer_id: PathId, payload: CommentIn) -> Transfer:
    """Whoever asked, the member, or an officer with MEMBER_CHANGE on the union the member leaves."""
    user = request_user(request)
    transfer = services.cancel_transfer(_transfer(user, transfer_id), actor=user, comment=payload.comment)
    return _detail(user, transfer)


@router.post(
    "/leave",
    response=LeftOut,
    summary="End a membership: leaving the union, or death",
    openapi_extra={
        "responses": {
            "404": {
                "description": "`not_found`: no such membership in the caller's scope (or of their own)."
            },
            "409": {
                "description": "`membership_ended`: already ended; `too_many_attempts`: wrong passwords."
            },
            "422": {
                "description": "`validation_error`: e.g. wrong `password`, no `reason`, `on` in the future."
            },
        }
    },
)
def leave(request: HttpRequest, payload: LeaveIn) -> Member:
    """Officers with MEMBER_CHANGE on the member's union record a leaving or a death (`reason`
    required; the member is texted when they left). A member ends their own membership (`left`
    only) with `password`. Any transfer of the membership still waiting is cancelled."""
    user = request_user(request)
    member = _member(user, payload.member_id)
    if services.is_the_member(user, member) and not services.may_record_leaving(user, member):
        return services.leave_own_membership(
            member,
            actor=user,
            password=payload.password,
            reason=payload.reason,
            status=MemberStatus(payload.status),
        )
    return services.leave_union(
        member, actor=user, reason=payload.reason, status=MemberStatus(payload.status), on=payload.on
    )
