"""Funds (帮困基金) and their append-only ledger (docs/assistance.md, "Funds and the ledger").

A fund belongs to a federation (kind "federation") or to a workplace union, a grassroots or a
joint union (kind "workplace"); its name is unique within its org. Keeping it (creating,
paying money in, correcting, closing) needs `Perm.ASSISTANCE_FUNDS` on the fund's org.

The balance moves only through `book_entries`: ONE conditional UPDATE adds the bookings' total
to the balance where the fund is open and every running balance stays at or above zero, then
the entries are inserted with their running `balance_after`. The UPDATE holds the fund's row
lock until the caller's transaction ends, so bookings on one fund are serialised and their ids
follow the order of their balances: balance = sum(entries) = the last entry's balance_after.
Nothing is ever edited: a mistake is put right by a correction entry (signed, with a reason),
a grant taken back by a reversal entry (services/grants.py).

A fund is closed only at a zero balance and with no grant proposed on it waiting for a
decision: the money must first be paid out or corrected away, so a closed fund never holds
money nobody can spend, and it takes no further entries.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import (
    MAX_NAME,
    MAX_REASON,
    ZERO,
    EntryKind,
    Fund,
    FundEntry,
    FundKind,
    FundStatus,
    Grant,
    GrantStatus,
)
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.money import InvalidAmount, format_money, parse_money
from gonghui.core.spreadsheets import neutralise_formula
from gonghui.core.text import normalize_text
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, scope_paths

# Which kind of fund each kind of org may hold.
FUND_KIND_FOR_ORG: dict[str, str] = {
    OrgKind.FEDERATION: FundKind.FEDERATION,
    OrgKind.GRASSROOTS: FundKind.WORKPLACE,
    OrgKind.JOINT_UNION: FundKind.WORKPLACE,
}
# Earliest date an entry may carry: a ledger is kept for the current years, not back-filled
# from long ago, and a typo such as 0202 must not slip through.
FIRST_BOOKING_YEAR = 2000

_SIGN_OK: dict[str, Callable[[Decimal], bool]] = {
    EntryKind.DEPOSIT: lambda amount: amount > 0,
    EntryKind.GRANT: lambda amount: amount < 0,
    EntryKind.REVERSAL: lambda amount: amount > 0,
    EntryKind.CORRECTION: lambda amount: amount != 0,
}


# --------------------------------------------------------------------------------------------
# The ledger interface (also used by services/campaigns.py)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    kind: str  # EntryKind
    amount: Decimal  # signed: + in, − out
    memo: str
    grant: Grant | None = None


class InsufficientFunds(Conflict):
    """The fund holds less than the bookings take out; nothing was written."""

    code = "insufficient_funds"

    def __init__(self, *, balance: Decimal, shortfall: Decimal) -> None:
        self.balance = balance
        self.shortfall = shortfall
        super().__init__(
            _("The fund's balance is not enough: it holds %(balance)s, %(shortfall)s short.")
            % {"balance": format_money(balance), "shortfall": format_money(shortfall)}
        )


def _check_booking(booking: Booking) -> None:
    """A booking a service builds wrongly is a programming error, not bad input."""
    if booking.kind not in _SIGN_OK:
        raise ValueError(f"Unknown entry kind {booking.kind!r}.")
    if not isinstance(booking.amount, Decimal) or booking.amount != booking.amount.quantize(Decimal("0.01")):
        raise ValueError(f"Booking amounts are Decimals of whole fen, not {booking.amount!r}.")
    if not _SIGN_OK[booking.kind](booking.amount):
        raise ValueError(f"A {booking.kind} entry cannot be {booking.amount}.")
    if not booking.memo or len(booking.memo) > MAX_REASON:
        raise ValueError("A booking needs a memo of at most 500 characters.")
    if (booking.grant is not None) != (booking.kind in {EntryKind.GRANT, EntryKind.REVERSAL}):
        raise ValueError("Grant and reversal entries name their grant; no other entry does.")


def book_entries(
    fund: Fund | int, *, actor: Any, bookings: Sequence[Booking], booked_on: date | None = None
) -> list[FundEntry]:
    """Book `bookings` on the fund, in order, inside the caller's transaction.

    One conditional UPDATE moves the balance by the total where the fund is open and no running
    balance would go below zero; when it matches no row nothing is written and InsufficientFunds
    (or Conflict for a closed fund, NotFound for a missing one) is raised. Permission checks are
    the caller's. Returns the entries with their running `balance_after`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("book_entries() must run inside the caller's transaction.")
    if not bookings:
        raise ValueError("book_entries() needs at least one booking.")
    for booking in bookings:
        _check_booking(booking)
    fund_id = fund if isinstance(fund, int) else fund.pk
    running = ZERO
    lowest = ZERO
    for booking in bookings:
        running += booking.amount
        lowest = min(lowest, running)
    total = running
    # The balance must cover the deepest point the running balance reaches, not only the total.
    needed = -lowest
    moved = Fund.objects.filter(pk=fund_id, status=FundStatus.OPEN, balance__gte=needed).update(
        balance=F("balance") + total, updated_at=timezone.now()
    )
    if not moved:
        current = Fund.objects.filter(pk=fund_id).values_list("status", "balance").first()
        if current is None:
            raise NotFound(_("This fund does not exist."))
        status, balance = current
        if status != FundStatus.OPEN:
            raise Conflict(_("This fund is closed: it takes no more entries."), code="fund_closed")
        raise InsufficientFunds(balance=balance, shortfall=needed - balance)
    # Our UPDATE holds the row lock: this reads our own new balance, no one else's.
    balance_after: Decimal = Fund.objects.values_list("balance", flat=True).get(pk=fund_id)
    balance = balance_after - total
    day = booked_on or timezone.localdate()
    user = actor if getattr(actor, "is_authenticated", False) else None
    entries: list[FundEntry] = []
    for booking in bookings:
        balance += booking.amount
        entries.append(
            FundEntry(
                fund_id=fund_id,
                kind=booking.kind,
                amount=booking.amount,
                balance_after=balance,
                grant=booking.grant,
                memo=booking.memo,
                booked_on=day,
                created_by=user,
            )
        )
    created: list[FundEntry] = FundEntry.objects.bulk_create(entries)
    if not isinstance(fund, int):
        fund.balance = balance_after
    return created


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def may_keep_funds(actor: Any) -> bool:
    """Whether the actor keeps the funds of some org (sees the "new fund" button)."""
    paths = scope_paths(actor, Perm.ASSISTANCE_FUNDS)
    return paths is None or bool(paths)


def may_keep(actor: Any, fund: Fund) -> bool:
    return has_perm_at(actor, Perm.ASSISTANCE_FUNDS, fund.org.path)


def clean_line(value: Any, field: str, errors: FieldErrors, *, max_length: int, required: bool = True) -> str:
    """One line of free text, normalised; problems noted under `field`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    text = normalize_text(value)
    if has_control_characters(text):
        errors.add(field, _("Use letters, digits, spaces and punctuation only."))
    elif required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > max_length:
        errors.add(field, _("Enter at most %(max_length)s characters.") % {"max_length": max_length})
    return text


def clean_amount(value: Any, field: str, errors: FieldErrors, *, signed: bool = False) -> Decimal | None:
    """An amount typed by a person: positive, or (signed) anything but zero."""
    if isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        errors.add(field, _("Enter an amount in yuan, such as 1234.50."))
        return None
    try:
        amount = parse_money(value, allow_negative=signed)
    except InvalidAmount as exc:
        errors.add(field, exc.message)
        return None
    if amount == 0:
        errors.add(field, _("The amount cannot be zero.") if signed else _("The amount must be more than 0."))
        return None
    return amount


def clean_booked_on(value: Any, field: str, errors: FieldErrors) -> date | None:
    """The date of an entry: today when not given, never in the future."""
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(field, _("Enter a date such as 2027-03-01."))
            return None
    if not isinstance(value, date):
        errors.add(field, _("Enter a date such as 2027-03-01."))
        return None
    if value > timezone.localdate():
        errors.add(field, _("The date cannot be in the future."))
        return None
    if value.year < FIRST_BOOKING_YEAR:
        errors.add(field, _("Enter a date from %(year)s on.") % {"year": FIRST_BOOKING_YEAR})
        return None
    return value


def _fund_for_keeping(actor: Any, fund: Fund | int) -> Fund:
    """The fund, fresh, when the actor keeps it; NotFound when it is missing or out of sight
    (the two look the same), Forbidden when the actor may only look at it."""
    fund_id = fund if isinstance(fund, int) else fund.pk
    current = Fund.objects.select_related("org").filter(pk=fund_id).first()
    if current is None or not has_perm_at(actor, Perm.ASSISTANCE_VIEW, current.org.path):
        raise NotFound(_("This fund does not exist."))
    if not may_keep(actor, current):
        raise Forbidden(_("You may look at this fund but not keep its ledger."))
    return current


def _require_open(fund: Fund) -> None:
    if fund.status != FundStatus.OPEN:
        raise Conflict(_("This fund is closed: it takes no more entries."), code="fund_closed")


# --------------------------------------------------------------------------------------------
# Funds
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_fund(*, actor: Any, org: Org | int, name: Any, kind: Any = None) -> Fund:
    """Open a fund at `org` (a federation or a workplace union the actor keeps funds for).
    `kind` defaults to the one the org's kind holds; another is refused."""
    org_id = org if isinstance(org, int) else org.pk
    fresh = Org.objects.filter(pk=org_id).first()
    if fresh is None or not has_perm_at(actor, Perm.ASSISTANCE_FUNDS, fresh.path):
        message = _("No such union among those whose funds you keep.")
        raise NotFound(message, fields={"org": [message]})
    errors = FieldErrors()
    expected = FUND_KIND_FOR_ORG.get(fresh.kind)
    if expected is None:
        errors.add("org", _("Only a federation or a workplace union holds an assistance fund."))
    elif fresh.status != OrgStatus.ACTIVE:
        errors.add("org", _("%(name)s is dissolved; it cannot open a fund.") % {"name": fresh.name})
    clean_name = clean_line(name, "name", errors, max_length=MAX_NAME)
    if kind in (None, ""):
        kind = expected
    elif kind not in FundKind.values:
        errors.add("kind", _("Choose the kind of fund."))
    elif expected is not None and kind != expected:
        errors.add(
            "kind",
            _("%(org)s can hold a “%(kind)s” only.") % {"org": fresh.name, "kind": FundKind(expected).label},
        )
    if clean_name and Fund.objects.filter(org=fresh, name=clean_name).exists():
        errors.add("name", _("%(org)s already has a fund of this name.") % {"org": fresh.name})
    errors.raise_if_any()
    try:
        with transaction.atomic():
            created: Fund = Fund.objects.create(
                org=fresh,
                name=clean_name,
                kind=kind,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:  # the same name taken a moment ago
        message = _("%(org)s already has a fund of this name.") % {"org": fresh.name}
        raise ValidationFailed(message, fields={"name": [message]}) from None
    record_audit(
        actor=actor,
        action="assistance.create_fund",
        obj=created,
        changes={"name": [None, created.name], "kind": [None, created.kind], "org": [None, fresh.pk]},
    )
    return created


@transaction.atomic
def close_fund(fund: Fund | int, *, actor: Any, reason: Any) -> Fund:
    """Close a fund at zero balance with no grant waiting for a decision on it."""
    current = _fund_for_keeping(actor, fund)
    errors = FieldErrors()
    clean_reason = clean_line(reason, "reason", errors, max_length=MAX_REASON)
    errors.raise_if_any()
    locked = Fund.objects.select_for_update().get(pk=current.pk)
    _require_open(locked)
    if locked.balance != ZERO:
        raise Conflict(
            _("The fund still holds %(balance)s: it can be closed only at a zero balance.")
            % {"balance": format_money(locked.balance)},
            code="fund_not_empty",
        )
    waiting = Grant.objects.filter(fund=locked, status=GrantStatus.PROPOSED).count()
    if waiting:
        raise Conflict(
            _("%(count)s proposed grant(s) on this fund wait for a decision: decide them first.")
            % {"count": waiting},
            code="grants_waiting",
        )
    locked.status = FundStatus.CLOSED
    locked.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=actor,
        action="assistance.close_fund",
        obj=locked,
        changes={"status": [FundStatus.OPEN, FundStatus.CLOSED]},
        note=clean_reason,
        org=current.org,
    )
    if not isinstance(fund, int):
        fund.status = locked.status
    return locked


@transaction.atomic
def deposit(fund: Fund | int, *, actor: Any, amount: Any, memo: Any, booked_on: Any = None) -> FundEntry:
    """Pay money into the fund: `memo` says where it came from (a budget allocation, a donor)."""
    current = _fund_for_keeping(actor, fund)
    errors = FieldErrors()
    money = clean_amount(amount, "amount", errors)
    source = clean_line(memo, "memo", errors, max_length=MAX_REASON)
    day = clean_booked_on(booked_on, "booked_on", errors)
    errors.raise_if_any()
    assert money is not None
    _require_open(current)
    (entry,) = book_entries(
        current, actor=actor, bookings=[Booking(EntryKind.DEPOSIT, money, source)], booked_on=day
    )
    record_audit(
        actor=actor,
        action="assistance.deposit",
        obj=current,
        changes={
            "entry": [None, entry.pk],
            "amount": [None, str(money)],
            "balance": [
                str(entry.balance_after - money),
                str(entry.balance_after),
            ],
        },
        note=source,
        org=current.org,
    )
    if not isinstance(fund, int):
        fund.balance = current.balance
    return entry


@transaction.atomic
def correct_fund(
    fund: Fund | int, *, actor: Any, amount: Any, reason: Any, booked_on: Any = None
) -> FundEntry:
    """Put a mistake right with a signed correction entry; it cannot take the balance below zero."""
    current = _fund_for_keeping(actor, fund)
    errors = FieldErrors()
    money = clean_amount(amount, "amount", errors, signed=True)
    why = clean_line(reason, "reason", errors, max_length=MAX_REASON)
    day = clean_booked_on(booked_on, "booked_on", errors)
    errors.raise_if_any()
    assert money is not None
    _require_open(current)
    (entry,) = book_entries(
        current, actor=actor, bookings=[Booking(EntryKind.CORRECTION, money, why)], booked_on=day
    )
    record_audit(
        actor=actor,
        action="assistance.correct_fund",
        obj=current,
        changes={
            "entry": [None, entry.pk],
            "amount": [None, str(money)],
            "balance": [
                str(entry.balance_after - money),
                str(entry.balance_after),
            ],
        },
        note=why,
        org=current.org,
    )
    if not isinstance(fund, int):
        fund.balance = current.balance
    return entry


# --------------------------------------------------------------------------------------------
# Reading: the ledger as a spreadsheet
# --------------------------------------------------------------------------------------------


def ledger_workbook(fund: Fund) -> bytes:
    """The whole ledger, oldest first, with the balance after each entry. Text cells are written
    as strings and can never start a formula (a memo typed as "=HYPERLINK(…)" stays text);
    amounts are numbers with two decimals."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet = workbook.add_worksheet(str(_("Ledger")))

    def text(row: int, column: int, value: str, style: Any = None) -> None:
        sheet.write_string(row, column, neutralise_formula(str(value)), style)

    text(0, 0, fund.name, bold)
    text(1, 0, str(_("Held by")))
    text(1, 1, fund.org.name)
    text(2, 0, str(_("Balance (yuan)")))
    sheet.write_number(2, 1, fund.balance, money)
    text(3, 0, str(_("Exported on")))
    text(3, 1, timezone.localdate().isoformat())
    headers = [
        str(_("No.")),
        str(_("Date")),
        str(_("Kind")),
        str(_("Amount (yuan)")),
        str(_("Balance after (yuan)")),
        str(_("Memo")),
        str(_("Grant")),
        str(_("Recorded by")),
        str(_("Recorded at")),
    ]
    header_row = 5
    for column, label in enumerate(headers):
        text(header_row, column, label, head)
    entries = FundEntry.objects.filter(fund=fund).select_related("created_by").order_by("id")
    for row, entry in enumerate(entries.iterator(chunk_size=2000), start=header_row + 1):
        by = entry.created_by
        sheet.write_number(row, 0, entry.pk)
        text(row, 1, entry.booked_on.isoformat())
        text(row, 2, str(entry.get_kind_display()))
        sheet.write_number(row, 3, entry.amount, money)
        sheet.write_number(row, 4, entry.balance_after, money)
        text(row, 5, entry.memo)
        text(row, 6, str(entry.grant_id or ""))
        text(row, 7, "" if by is None else (by.display_name or by.get_username()))
        text(row, 8, timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"))
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 4, 14)
    sheet.set_column(5, 5, 48)
    sheet.set_column(6, 8, 16)
    sheet.freeze_panes(header_row + 1, 0)
    workbook.close()
    return output.getvalue()
