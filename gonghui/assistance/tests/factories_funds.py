"""Builders and checks for the fund and grant tests."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.assistance.models import (
    Channel,
    EntryKind,
    Fund,
    FundEntry,
    Grant,
    GrantAction,
    GrantHistory,
    GrantPurpose,
    GrantStatus,
    HardshipFile,
    HardshipFileStatus,
    HardshipGrade,
)
from gonghui.assistance.services.funds import Booking, book_entries
from gonghui.members.models import Member
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import officer_at


def assert_ledger_consistent(fund: Fund) -> None:
    """The ledger invariant: balance = the sum of the entries = the last entry's balance after,
    and no running balance below zero."""
    fresh = Fund.objects.get(pk=fund.pk)
    entries = list(FundEntry.objects.filter(fund=fresh).order_by("id"))
    # Summed here, not by SUM(): SQLite adds decimals as floating point.
    assert fresh.balance == sum((entry.amount for entry in entries), Decimal("0.00"))
    running = Decimal("0.00")
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running, (entry.pk, entry.balance_after, running)
        assert entry.balance_after >= 0
    if entries:
        assert entries[-1].balance_after == fresh.balance
    else:
        assert fresh.balance == Decimal("0.00")


def keeper_at(org: Org, username: str = "keeper") -> User:
    """A finance officer: keeps the funds of `org`'s subtree, approves grants from them."""
    return officer_at(org, username, Role.FINANCE_OFFICER)


def handler_at(org: Org, username: str = "handler") -> User:
    """A union officer: proposes grants for the members of `org`'s subtree."""
    return officer_at(org, username, Role.UNION_OFFICER)


def make_member(org: Org, *, name: str = "李困难", id_number: str | None = None) -> Member:
    member = member_row(org, name=name, id_number=id_number)
    member.save()
    return member


def make_grant(
    fund: Fund,
    member: Member,
    *,
    amount: str = "500.00",
    proposed_by: User | None = None,
    purpose: str = GrantPurpose.LIVING,
    reason: str = "患病住院，家庭收入锐减",
) -> Grant:
    """A proposed grant, stored as `propose_grant` stores it (with its first history row)."""
    grant: Grant = Grant.objects.create(
        fund=fund,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        purpose=purpose,
        amount=Decimal(amount),
        reason=reason,
        status=GrantStatus.PROPOSED,
        proposed_by=proposed_by,
    )
    GrantHistory.objects.create(
        grant=grant,
        action=GrantAction.PROPOSE,
        from_status="",
        to_status=GrantStatus.PROPOSED,
        actor=proposed_by,
    )
    return grant


def make_file_on_record(member: Member, *, status: str = HardshipFileStatus.ON_FILE) -> HardshipFile:
    """A hardship file of `member` (on record with grade "relative" unless told otherwise)."""
    on_record = status in {HardshipFileStatus.ON_FILE, HardshipFileStatus.EXITED}
    file: HardshipFile = HardshipFile.objects.create(
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        year=2027,
        status=status,
        grade=HardshipGrade.RELATIVE if on_record else "",
        situation="配偶重病，子女在读",
        household_size=3,
        household_monthly_income=Decimal("2400.00"),
        per_capita_income=Decimal("800.00"),
        channel=Channel.OFFICER,
    )
    return file


def make_approved_grant(fund: Fund, member: Member, *, amount: str = "500.00") -> Grant:
    """A grant approved and paid from `fund` (which must hold `amount`), as `approve_grant` leaves it."""
    grant = make_grant(fund, member, amount=amount)
    with transaction.atomic():
        book_entries(
            fund, actor=None, bookings=[Booking(EntryKind.GRANT, -grant.amount, "困难帮扶", grant=grant)]
        )
        Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.APPROVED, decided_at=timezone.now())
        GrantHistory.objects.create(
            grant=grant,
            action=GrantAction.APPROVE,
            from_status=GrantStatus.PROPOSED,
            to_status=GrantStatus.APPROVED,
        )
    grant.refresh_from_db()
    return grant
