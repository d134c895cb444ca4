"""Demo funds and grants: the city federation's hardship fund, one for each of a few district
federations and a handful of workplace funds, each with a year of ledger — budget allocations
and donations in, grants paid to households on record, a grant taken back, a correction — and
grants waiting for a decision or rejected.

Rows are written in bulk as the services leave them: each fund's entries carry their running
balance (never below zero) and the fund's balance is the last of them, every grant has its
history rows and its ledger entry. Call after the hardship files are seeded (grants go to the
members of files on record) and before the care campaigns (the winter campaign is paid from
the city's fund)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.assistance.models import (
    EntryKind,
    Fund,
    FundEntry,
    FundKind,
    Grant,
    GrantAction,
    GrantHistory,
    GrantPurpose,
    GrantStatus,
    HardshipFile,
    HardshipFileStatus,
    HardshipGrade,
)
from gonghui.core.text import mask_name
from gonghui.orgs.models import Org, OrgKind, OrgStatus

DISTRICT_FUNDS = 4
WORKPLACE_FUNDS = 3
GRANTS_PER_FUND = 24
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

ALLOCATIONS = (
    ("年度财政专项帮扶资金拨入", Decimal("300000.00")),
    ("上级工会困难职工帮扶资金下拨", Decimal("200000.00")),
    ("工会经费列支困难帮扶资金", Decimal("120000.00")),
)
DONATIONS = (
    "宁波慈善总会定向捐赠",
    "爱心企业“金秋助学”捐款",
    "机关干部职工“一日捐”",
    "社会爱心人士匿名捐赠",
)
# What each purpose pays, in yuan: (low, high, step).
AMOUNTS = {
    GrantPurpose.LIVING: (800, 3000, 100),
    GrantPurpose.MEDICAL: (2000, 10000, 500),
    GrantPurpose.EDUCATION: (1000, 5000, 500),
    GrantPurpose.ACCIDENT: (2000, 8000, 500),
    GrantPurpose.OTHER: (500, 2000, 100),
}
PURPOSE_BY_GRADE = {
    HardshipGrade.SEVERE: (GrantPurpose.MEDICAL, GrantPurpose.LIVING, GrantPurpose.MEDICAL),
    HardshipGrade.RELATIVE: (GrantPurpose.LIVING, GrantPurpose.EDUCATION, GrantPurpose.OTHER),
    HardshipGrade.ACCIDENTAL: (GrantPurpose.ACCIDENT, GrantPurpose.MEDICAL),
}
GROUNDS = {
    GrantPurpose.LIVING: "家庭人均收入低于当地标准，日常生活困难，申请生活救助。",
    GrantPurpose.MEDICAL: "家庭成员患重病住院治疗，医保报销后自付费用较高，申请医疗救助。",
    GrantPurpose.EDUCATION: "子女在读，学费和生活费负担重，申请助学救助。",
    GrantPurpose.ACCIDENT: "本人遭遇意外事故停工治疗，收入中断，申请意外救助。",
    GrantPurpose.OTHER: "房屋漏雨需修缮，家庭无力承担，申请临时救助。",
}
REJECT_REASONS = (
    "本年度已享受同类救助，不再重复发放。",
    "申请金额超出本基金单次救助标准，请调整后重新申报。",
)
REVERSE_REASON = "发放账户信息有误，款项退回，核实后重新申报。"
APPROVE_NOTE = "经审核，同意救助。"
CORRECTION = ("更正：3月社会捐赠到账金额登记有误", Decimal("-500.00"))


@dataclass
class _Ledger:
    """One fund's entries as they are written, oldest first, with the running balance."""

    fund: Fund
    balance: Decimal = ZERO
    entries: list[FundEntry] = field(default_factory=list)

    def book(self, kind: str, amount: Decimal, memo: str, day: date, grant: Grant | None = None) -> bool:
        if self.balance + amount < 0:
            return False
        self.balance += amount
        self.entries.append(
            FundEntry(
                fund=self.fund,
                kind=kind,
                amount=amount,
                balance_after=self.balance,
                grant=grant,
                memo=memo,
                booked_on=day,
            )
        )
        return True


def _aware(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60))))


def _holders(root: Org) -> list[tuple[Org, str, str]]:
    """(org, fund name, kind) for the demo's funds: the city, a few districts, a few workplaces."""
    active = Org.objects.filter(status=OrgStatus.ACTIVE, path__startswith=root.path)
    districts = list(
        active.filter(kind=OrgKind.FEDERATION, depth=root.depth + 1).order_by("path")[:DISTRICT_FUNDS]
    )
    on_record = HardshipFile.objects.filter(
        org__path__startswith=root.path, status=HardshipFileStatus.ON_FILE
    )
    busiest = list(
        active.filter(kind=OrgKind.GRASSROOTS, pk__in=on_record.values("org_id")).order_by("path")[
            :WORKPLACE_FUNDS
        ]
    )
    holders: list[tuple[Org, str, str]] = [(root, f"{root.name}困难职工帮扶基金", FundKind.FEDERATION)]
    holders += [(org, f"{org.name}困难职工帮扶基金", FundKind.FEDERATION) for org in districts]
    holders += [(org, f"{org.name}职工互助帮扶金", FundKind.WORKPLACE) for org in busiest]
    return holders


def _amount(purpose: str, rng: random.Random, scale: Decimal) -> Decimal:
    low, high, step = AMOUNTS[GrantPurpose(purpose)]
    return (Decimal(rng.randrange(low, high + 1, step)) * scale).quantize(CENT)


def _scales(fund: Fund, index: int) -> tuple[Decimal, Decimal]:
    """How much a fund holds and how much it pays a household, against the city's fund."""
    if fund.kind == FundKind.WORKPLACE:
        return Decimal("0.20"), Decimal("0.50")
    return (Decimal("1.00") if index == 0 else Decimal("0.50")), Decimal("1.00")


def _fund_grants(fund: Fund, rng: random.Random, today: date, start: date, pays: Decimal) -> list[_Planned]:
    files = list(
        HardshipFile.objects.filter(org__path__startswith=fund.org.path, status=HardshipFileStatus.ON_FILE)
        .select_related("member", "org")
        .order_by("id")[: GRANTS_PER_FUND * 3]
    )
    rng.shuffle(files)
    planned: list[_Planned] = []
    for number, file in enumerate(files[:GRANTS_PER_FUND]):
        purpose = rng.choice(PURPOSE_BY_GRADE[HardshipGrade(file.grade)])
        if number < 3:
            status, comment = GrantStatus.PROPOSED, ""
            proposed_on = today - timedelta(days=rng.randrange(1, 12))
        else:
            status, comment = GrantStatus.APPROVED, ""
            if number < 5:
                status, comment = GrantStatus.REJECTED, rng.choice(REJECT_REASONS)
            elif number == 5:
                status, comment = GrantStatus.REVERSED, REVERSE_REASON
            proposed_on = start + timedelta(days=rng.randrange(20, 300))
        grant = Grant(
            fund=fund,
            member=file.member,
            person_index=file.person_index,
            org=file.org,
            hardship_file=file,
            purpose=purpose,
            amount=_amount(purpose, rng, pays),
            reason=GROUNDS[purpose],
        )
        decided_on = min(today, proposed_on + timedelta(days=rng.randrange(2, 10)))
        planned.append(_Planned(grant, proposed_on, decided_on, status, comment))
    return planned


@dataclass
class _Planned:
    grant: Grant
    proposed_on: date
    decided_on: date
    status: str
    comment: str


@transaction.atomic
def make_demo_funds(root: Org, rng: random.Random) -> list[Fund]:
    """The demo's funds of `root`'s tree with their ledgers and grants. A tree that has funds
    already is left as it is."""
    if Fund.objects.filter(org__path__startswith=root.path).exists():
        return []
    today = timezone.localdate()
    start = today - timedelta(days=330)
    funds = Fund.objects.bulk_create(
        Fund(org=org, name=name, kind=kind) for org, name, kind in _holders(root)
    )
    plans: dict[int, list[_Planned]] = {}
    for index, fund in enumerate(funds):
        _holds, pays = _scales(fund, index)
        plans[fund.pk] = _fund_grants(fund, rng, today, start, pays)
    # Saved before the ledger so that its entries can name them; statuses follow below.
    Grant.objects.bulk_create([plan.grant for planned in plans.values() for plan in planned], batch_size=500)
    ledgers: list[_Ledger] = []
    history: list[GrantHistory] = []
    for index, fund in enumerate(funds):
        holds, _pays = _scales(fund, index)
        ledger = _Ledger(fund)
        ledgers.append(ledger)
        memo, allocation = ALLOCATIONS[index % len(ALLOCATIONS)]
        # (day, order within the day, what to book): the ledger is booked in date order.
        events: list[tuple[date, int, _Planned | tuple[str, Decimal, str]]] = [
            (start, 0, (EntryKind.DEPOSIT, (allocation * holds).quantize(CENT), memo))
        ]
        for month in (2, 5, 8):
            gift = (Decimal(rng.randrange(5000, 50001, 1000)) * holds).quantize(CENT)
            events.append(
                (
                    start + timedelta(days=30 * month + rng.randrange(10)),
                    0,
                    (EntryKind.DEPOSIT, gift, rng.choice(DONATIONS)),
                )
            )
        events += [(plan.decided_on, 1, plan) for plan in plans[fund.pk]]
        events.append(
            (today - timedelta(days=rng.randrange(1, 30)), 2, (EntryKind.CORRECTION, *CORRECTION[::-1]))
        )
        for day, _order, event in sorted(events, key=lambda item: (item[0], item[1])):
            if isinstance(event, _Planned):
                history += _book_grant(ledger, event, rng)
            else:
                ledger.book(*event, day)
    grants = [plan.grant for planned in plans.values() for plan in planned]
    Grant.objects.bulk_update(
        grants, ["status", "decision_reason", "decided_at", "created_at"], batch_size=500
    )
    GrantHistory.objects.bulk_create(history, batch_size=1000)
    FundEntry.objects.bulk_create([entry for ledger in ledgers for entry in ledger.entries], batch_size=1000)
    for ledger in ledgers:
        Fund.objects.filter(pk=ledger.fund.pk).update(balance=ledger.balance)
        ledger.fund.balance = ledger.balance
    return funds


def _book_grant(ledger: _Ledger, plan: _Planned, rng: random.Random) -> list[GrantHistory]:
    """Book the planned grant's entries and set its status; its history rows."""
    grant, status = plan.grant, plan.status
    decided_on = plan.decided_on
    steps = [(GrantAction.PROPOSE, "", GrantStatus.PROPOSED, grant.reason)]
    if status in {GrantStatus.APPROVED, GrantStatus.REVERSED}:
        memo = f"救助金发放：{mask_name(grant.member.name)}，{grant.get_purpose_display()}"
        if ledger.book(EntryKind.GRANT, -grant.amount, memo, decided_on, grant):
            steps.append((GrantAction.APPROVE, GrantStatus.PROPOSED, GrantStatus.APPROVED, APPROVE_NOTE))
            grant.decision_reason = APPROVE_NOTE
        else:  # the fund could not have paid it then: in the demo it still waits
            status = GrantStatus.PROPOSED
    if status == GrantStatus.REVERSED:
        # Taken back the day the bank returned the payment, so the ledger's dates stay in order.
        ledger.book(EntryKind.REVERSAL, grant.amount, f"撤销救助：{plan.comment}", decided_on, grant)
        steps.append((GrantAction.REVERSE, GrantStatus.APPROVED, GrantStatus.REVERSED, plan.comment))
    elif status == GrantStatus.REJECTED:
        steps.append((GrantAction.REJECT, GrantStatus.PROPOSED, GrantStatus.REJECTED, plan.comment))
        grant.decision_reason = plan.comment
    grant.status = status
    grant.created_at = _aware(plan.proposed_on, rng)
    grant.decided_at = None if status == GrantStatus.PROPOSED else _aware(decided_on, rng)
    return [
        GrantHistory(grant=grant, action=action, from_status=before, to_status=after, comment=text)
        for action, before, after, text in steps
    ]


def reset_demo_grants(root: Org) -> None:
    """Remove the grants of `root`'s tree and every ledger entry of its funds (their history goes
    with them). Call before removing care campaigns and hardship files, which grants point at."""
    in_tree = Fund.objects.filter(org__path__startswith=root.path)
    FundEntry.objects.filter(fund__in=in_tree).delete()
    Grant.objects.filter(fund__in=in_tree).delete()
    Grant.objects.filter(org__path__startswith=root.path).delete()


def reset_demo_funds(root: Org) -> None:
    """Remove the funds of `root`'s tree. Call after `reset_demo_grants` and after removing the
    care campaigns, which are paid from funds."""
    reset_demo_grants(root)
    Fund.objects.filter(org__path__startswith=root.path).delete()
