"""API: funds (帮困基金) and their ledgers (/api/v1/assistance/funds).

Reads show the funds in the caller's ASSISTANCE_VIEW scope (404 for any other, as for a missing
one). Money in (`deposit`) and corrections need ASSISTANCE_FUNDS on the fund's org. Amounts are
decimal strings with two places, never floats; a fund that cannot cover a negative correction
answers 409 `insufficient_funds` and a closed fund 409 `fund_closed`, with nothing written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.assistance.models import MAX_NAME, MAX_REASON, EntryKind, Fund, FundEntry, FundKind, FundStatus
from gonghui.assistance.services import funds as services
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible

router = Router(tags=["assistance"])


class FundOut(Schema):
    id: int
    org: OrgRef
    name: str
    kind: FundKind
    status: FundStatus
    balance: Decimal = Field(description="Yuan; always the sum of the ledger's entries.")
    may_keep: bool = Field(description="Whether the caller may pay in, correct and close.")
    created_at: datetime


class FundListOut(PageOut):
    items: list[FundOut]


class FundQuery(Schema):
    status: FundStatus | None = None
    page: PageNumber = 1


class EntryOut(Schema):
    id: int
    kind: EntryKind
    amount: Decimal = Field(description="Signed yuan: positive in, negative out.")
    balance_after: Decimal
    memo: str
    grant_id: int | None
    booked_on: date
    recorded_by: str
    recorded_at: datetime


class LedgerOut(PageOut):
    fund: FundOut
    items: list[EntryOut] = Field(description="Newest first.")


class LedgerQuery(Schema):
    page: PageNumber = 1


class FundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: Id = Field(description="The federation or workplace union that holds the fund.")
    name: CleanText = Field(max_length=MAX_NAME + 20)
    kind: FundKind | None = Field(None, description="Default: the kind the org holds.")


class DepositIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(description="Yuan, more than 0, at most 2 decimals.")
    memo: CleanText = Field(max_length=MAX_REASON + 20, description="Where the money came from.")
    booked_on: date | None = Field(None, description="Default: today; never in the future.")


class CorrectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(description="Signed yuan, not 0; cannot take the balance below zero.")
    reason: CleanText = Field(max_length=MAX_REASON + 20)
    booked_on: date | None = None


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(max_length=MAX_REASON + 20)


def fund_out(user: Any, fund: Fund) -> dict[str, Any]:
    return {
        "id": fund.pk,
        "org": {"id": fund.org.pk, "code": fund.org.code, "name": fund.org.name},
        "name": fund.name,
        "kind": fund.kind,
        "status": fund.status,
        "balance": fund.balance,
        "may_keep": fund.status == FundStatus.OPEN and services.may_keep(user, fund),
        "created_at": fund.created_at,
    }


def entry_out(entry: FundEntry) -> dict[str, Any]:
    by = entry.created_by
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "amount": entry.amount,
        "balance_after": entry.balance_after,
        "memo": entry.memo,
        "grant_id": entry.grant_id,
        "booked_on": entry.booked_on,
        "recorded_by": "" if by is None else (by.display_name or by.get_username()),
        "recorded_at": entry.created_at,
    }


def _fund(user: Any, fund_id: int) -> Fund:
    return get_visible(Fund.objects.select_related("org"), user, Perm.ASSISTANCE_VIEW, pk=fund_id)


@router.get("", response=FundListOut, summary="Funds in my scope")
def list_funds(request: HttpRequest, filters: Query[FundQuery]) -> dict[str, Any]:
    user = request_user(request)
    rows = visible(Fund, user, Perm.ASSISTANCE_VIEW).select_related("org")
    if filters.status:
        rows = rows.filter(status=filters.status.value)
    meta, items = page_of(rows.order_by("status", "org__path", "name", "id"), filters.page)
    return {**meta, "items": [fund_out(user, fund) for fund in items]}


@router.post("", response={201: FundOut}, summary="Open a fund")
def create_fund(request: HttpRequest, payload: FundIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    fund = services.create_fund(
        actor=user, org=payload.org, name=payload.name, kind=payload.kind.value if payload.kind else None
    )
    return Status(201, fund_out(user, _fund(user, fund.pk)))


@router.get("/{int:fund_id}", response=FundOut, summary="One fund")
def get_fund(request: HttpRequest, fund_id: PathId) -> dict[str, Any]:
    user = request_user(request)
    return fund_out(user, _fund(user, fund_id))


@router.get("/{int:fund_id}/ledger", response=LedgerOut, summary="A fund's ledger, newest first")
def get_ledger(request: HttpRequest, fund_id: PathId, filters: Query[LedgerQuery]) -> dict[str, Any]:
    user = request_user(request)
    fund = _fund(user, fund_id)
    entries = FundEntry.objects.filter(fund=fund).select_related("created_by").order_by("-id")
    meta, items = page_of(entries, filters.page)
    return {**meta, "fund": fund_out(user, fund), "items": [entry_out(entry) for entry in items]}


@router.post("/{int:fund_id}/deposit", response={201: EntryOut}, summary="Record money paid into a fund")
def deposit(request: HttpRequest, fund_id: PathId, payload: DepositIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    entry = services.deposit(
        _fund(user, fund_id),
        actor=user,
        amount=str(payload.amount),
        memo=payload.memo,
        booked_on=payload.booked_on,
    )
    return Status(201, entry_out(entry))


@router.post("/{int:fund_id}/correct", response={201: EntryOut}, summary="Record a correcting entry")
def correct(request: HttpRequest, fund_id: PathId, payload: CorrectionIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    entry = services.correct_fund(
        _fund(user, fund_id),
        actor=user,
        amount=str(payload.amount),
        reason=payload.reason,
        booked_on=payload.booked_on,
    )
    return Status(201, entry_out(entry))


@router.post("/{int:fund_id}/close", response=FundOut, summary="Close a fund at a zero balance")
def close(request: HttpRequest, fund_id: PathId, payload: CloseIn) -> dict[str, Any]:
    user = request_user(request)
    services.close_fund(_fund(user, fund_id), actor=user, reason=payload.reason)
    return fund_out(user, _fund(user, fund_id))
