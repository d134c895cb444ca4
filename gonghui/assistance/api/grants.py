"""API: grants (帮扶金) (/api/v1/assistance/grants).

The recipient's union and the fund's keepers both see a grant (ASSISTANCE_VIEW; 404 for any
other). Proposing needs ASSISTANCE_HANDLE on the recipient's union (the member found by ID
number, or the member of a hardship file on record); approving, rejecting and reversing need
ASSISTANCE_FUNDS on the fund's org, and the proposer never approves (403 `four_eyes`). A fund
that cannot pay answers 409 `insufficient_funds` with nothing written. Amounts are decimal
strings with two places; ID numbers are masked."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.assistance.api.funds import EntryOut, entry_out
from gonghui.assistance.models import MAX_REASON, FundEntry, Grant, GrantPurpose, GrantStatus
from gonghui.assistance.services import grants as services
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.inputs import CleanText
from gonghui.core.text import mask_name
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

router = Router(tags=["assistance"])


class FundRef(Schema):
    id: int
    name: str
    org: OrgRef


class RecipientOut(Schema):
    member_id: int
    name: str = Field(description="Masked for officers who neither handle the union nor keep the fund.")
    id_number: str = Field(description="Masked.")


class GrantHistoryOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    comment: str
    at: datetime


class GrantOut(Schema):
    id: int
    fund: FundRef
    recipient: RecipientOut
    org: OrgRef = Field(description="The recipient's union.")
    hardship_file_id: int | None
    campaign_id: int | None
    purpose: GrantPurpose
    amount: Decimal
    reason: str = Field(description="The grounds given by the proposing union.")
    status: GrantStatus
    decision_reason: str
    proposed_by: str
    decided_by: str
    decided_at: datetime | None
    created_at: datetime
    actions: list[str] = Field(description="What the caller may do now: approve, reject, reverse.")


class GrantDetailOut(GrantOut):
    history: list[GrantHistoryOut]
    entries: list[EntryOut]


class GrantListOut(PageOut):
    items: list[GrantOut] = Field(description="Proposed first, then newest first.")


class GrantQuery(Schema):
    status: GrantStatus | None = None
    fund: Id | None = None
    page: PageNumber = 1


class ProposalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fund: Id
    id_number: str | None = Field(
        None, max_length=24, description="The member's ID number; or `hardship_file`."
    )
    hardship_file: Id | None = Field(
        None, description="A hardship file on record; the grant is for its member."
    )
    purpose: GrantPurpose
    amount: Decimal = Field(description="Yuan, more than 0, at most 2 decimals.")
    reason: CleanText = Field(max_length=MAX_REASON + 20)


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: CleanText = Field("", max_length=MAX_REASON + 20)


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(max_length=MAX_REASON + 20)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _label(user: Any) -> str:
    return "" if user is None else (user.display_name or user.get_username())


def grant_out(user: Any, grant: Grant) -> dict[str, Any]:
    named = has_perm_at(user, Perm.ASSISTANCE_HANDLE, grant.org.path) or has_perm_at(
        user, Perm.ASSISTANCE_FUNDS, grant.fund.org.path
    )
    return {
        "id": grant.pk,
        "fund": {"id": grant.fund.pk, "name": grant.fund.name, "org": _org(grant.fund.org)},
        "recipient": {
            "member_id": grant.member.pk,
            "name": grant.member.name if named else mask_name(grant.member.name),
            "id_number": mask_id_number(grant.member.id_number),
        },
        "org": _org(grant.org),
        "hardship_file_id": grant.hardship_file_id,
        "campaign_id": grant.campaign_id,
        "purpose": grant.purpose,
        "amount": grant.amount,
        "reason": grant.reason,
        "status": grant.status,
        "decision_reason": grant.decision_reason,
        "proposed_by": _label(grant.proposed_by),
        "decided_by": _label(grant.decided_by),
        "decided_at": grant.decided_at,
        "created_at": grant.created_at,
        "actions": services.grant_decisions(user, grant),
    }


def _scoped(user: Any) -> Any:
    return visible(Grant, user, Perm.ASSISTANCE_VIEW).select_related(
        "fund", "fund__org", "member", "org", "proposed_by", "decided_by"
    )


def _grant(user: Any, grant_id: int) -> Grant:
    found: Grant = get_visible(_scoped(user), user, Perm.ASSISTANCE_VIEW, pk=grant_id)
    return found


def _detail(user: Any, grant_id: int) -> dict[str, Any]:
    grant = _grant(user, grant_id)
    history = [
        {
            "action": row.action,
            "from_status": row.from_status,
            "to_status": row.to_status,
            "actor": _label(row.actor),
            "comment": row.comment,
            "at": row.created_at,
        }
        for row in grant.history.select_related("actor").all()
    ]
    entries = FundEntry.objects.filter(grant=grant).select_related("created_by").order_by("id")
    return {**grant_out(user, grant), "history": history, "entries": [entry_out(entry) for entry in entries]}


@router.get("", response=GrantListOut, summary="Grants in my scope")
def list_grants(request: HttpRequest, filters: Query[GrantQuery]) -> dict[str, Any]:
    user = request_user(request)
    rows = _scoped(user)
    if filters.status:
        rows = rows.filter(status=filters.status.value)
    if filters.fund:
        rows = rows.filter(fund_id=filters.fund)
    first = Case(
        When(status=GrantStatus.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    meta, items = page_of(
        rows.annotate(waiting_first=first).order_by("waiting_first", "-created_at", "-id"), filters.page
    )
    return {**meta, "items": [grant_out(user, grant) for grant in items]}


@router.post("", response={201: GrantDetailOut}, summary="Propose a grant for a member")
def propose_grant(request: HttpRequest, payload: ProposalIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    grant = services.propose_grant(
        actor=user,
        fund=payload.fund,
        purpose=payload.purpose.value,
        amount=str(payload.amount),
        reason=payload.reason,
        id_number=payload.id_number,
        hardship_file=payload.hardship_file,
    )
    return Status(201, _detail(user, grant.pk))


@router.get("/{int:grant_id}", response=GrantDetailOut, summary="One grant")
def get_grant(request: HttpRequest, grant_id: PathId) -> dict[str, Any]:
    return _detail(request_user(request), grant_id)


@router.post("/{int:grant_id}/approve", response=GrantDetailOut, summary="Approve and pay a grant")
def approve_grant(request: HttpRequest, grant_id: PathId, payload: ApproveIn) -> dict[str, Any]:
    user = request_user(request)
    services.approve_grant(_grant(user, grant_id), actor=user, note=payload.note)
    return _detail(user, grant_id)


@router.post("/{int:grant_id}/reject", response=GrantDetailOut, summary="Reject a proposed grant")
def reject_grant(request: HttpRequest, grant_id: PathId, payload: ReasonIn) -> dict[str, Any]:
    user = request_user(request)
    services.reject_grant(_grant(user, grant_id), actor=user, reason=payload.reason)
    return _detail(user, grant_id)


@router.post("/{int:grant_id}/reverse", response=GrantDetailOut, summary="Reverse an approved grant")
def reverse_grant(request: HttpRequest, grant_id: PathId, payload: ReasonIn) -> dict[str, Any]:
    user = request_user(request)
    services.reverse_grant(_grant(user, grant_id), actor=user, reason=payload.reason)
    return _detail(user, grant_id)
