"""Builders for the report tests: hardship files, grants with their ledger entries and campaign
lists, written directly as the services leave them (a graded file is on record or exited; a
fund's balance moves only with an entry and equals the sum of its entries)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from gonghui.assistance.models import (
    ACTIVE_FILE_STATUSES,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    Channel,
    EntryKind,
    Fund,
    FundEntry,
    Grant,
    GrantStatus,
    HardshipFile,
    HardshipFileCause,
    HardshipFileStatus,
    HardshipRecheck,
    HouseholdMember,
    Occupation,
    Relation,
)
from gonghui.members.models import Member
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Org


def new_member(org: Org) -> Member:
    member: Member = Member.objects.bulk_create([member_row(org)])[0]
    return member


def report_file(
    org: Org,
    *,
    year: int = 2027,
    status: str = HardshipFileStatus.ON_FILE,
    grade: str = "",
    causes: tuple[str, ...] = ("low_income",),
    recheck_due: date | None = None,
    exited_on: date | None = None,
) -> HardshipFile:
    """A one-person household's file of `org` in `status` (graded when on record or exited)."""
    member = new_member(org)
    file: HardshipFile = HardshipFile.objects.create(
        member=member,
        person_index=member.id_number_index,
        org=org,
        year=year,
        status=status,
        grade=grade,
        situation="家庭成员长期患病，收入微薄。",
        household_size=1,
        household_monthly_income=Decimal("800.00"),
        per_capita_income=Decimal("800.00"),
        threshold=Decimal("1200.00"),
        channel=Channel.OFFICER,
        recheck_due=recheck_due,
        exited_on=exited_on,
        exit_reason="家庭收入已超过标准" if exited_on else "",
    )
    HouseholdMember.objects.create(
        file=file,
        position=1,
        relation=Relation.SELF,
        name=member.name,
        id_number=member.id_number,
        person_index=member.id_number_index,
        occupation=Occupation.EMPLOYED,
        monthly_income=Decimal("800.00"),
        active=status in ACTIVE_FILE_STATUSES,
    )
    HardshipFileCause.objects.bulk_create(HardshipFileCause(file=file, cause=cause) for cause in causes)
    return file


def recheck(file: HardshipFile, checked_on: date, result: str, grade_before: str) -> HardshipRecheck:
    found: HardshipRecheck = HardshipRecheck.objects.create(
        file=file,
        checked_on=checked_on,
        result=result,
        grade_before=grade_before,
        grade_after=grade_before if result == "keep" else "",
        per_capita_income=file.per_capita_income,
        opinion="入户核查，情况属实。",
    )
    return found


def _book(fund: Fund, kind: str, amount: Decimal, grant: Grant, booked_on: date) -> FundEntry:
    Fund.objects.filter(pk=fund.pk).update(balance=F("balance") + amount)
    balance = Fund.objects.values_list("balance", flat=True).get(pk=fund.pk)
    entry: FundEntry = FundEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        balance_after=balance,
        grant=grant,
        memo="帮扶金",
        booked_on=booked_on,
    )
    return entry


def report_grant(
    fund: Fund,
    org: Org,
    amount: str,
    *,
    purpose: str = "living",
    status: str = GrantStatus.APPROVED,
    proposed_on: date = date(2027, 3, 1),
    paid_on: date | None = None,
    reversed_on: date | None = None,
) -> Grant:
    """A grant to a new member of `org`, proposed on `proposed_on`; an approved or reversed one
    is paid from the fund by a ledger entry (on `paid_on`, by default the proposal day), a
    reversed one is paid back by another (on `reversed_on`)."""
    member = new_member(org)
    money = Decimal(amount)
    grant: Grant = Grant.objects.create(
        fund=fund,
        member=member,
        person_index=member.id_number_index,
        org=org,
        purpose=purpose,
        amount=money,
        reason="因病致困，申请生活救助。",
        status=status,
    )
    proposed_at = timezone.make_aware(datetime.combine(proposed_on, datetime.min.time().replace(hour=10)))
    Grant.objects.filter(pk=grant.pk).update(created_at=proposed_at)
    if status in {GrantStatus.APPROVED, GrantStatus.REVERSED}:
        _book(fund, EntryKind.GRANT, -money, grant, paid_on or proposed_on)
    if status == GrantStatus.REVERSED:
        _book(fund, EntryKind.REVERSAL, money, grant, reversed_on or paid_on or proposed_on)
    return grant


def list_beneficiaries(
    campaign: CareCampaign, org: Org, n: int, amount: str | None = None
) -> list[CareBeneficiary]:
    """`n` new members of `org` on the campaign's list with the campaign's amount (or `amount`)."""
    members = Member.objects.bulk_create(member_row(org) for _ in range(n))
    money = Decimal(amount) if amount is not None else campaign.amount_per_person
    return CareBeneficiary.objects.bulk_create(
        CareBeneficiary(
            campaign=campaign,
            member=member,
            person_index=member.id_number_index,
            org=org,
            amount=money,
            source=BeneficiarySource.RULE,
        )
        for member in members
    )


def reported_file(org: Org, **fields: Any) -> HardshipFile:
    """For the scoping base: a severe-hardship file of `org` on record."""
    return report_file(org, grade="severe", **fields)
