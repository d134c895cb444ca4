"""Fund services: opening a fund, money in, corrections, closing; every one audited and leaving
the ledger invariant whole, every bad input refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.assistance.models import EntryKind, Fund, FundEntry, FundKind, FundStatus
from gonghui.assistance.services.funds import (
    InsufficientFunds,
    close_fund,
    correct_fund,
    create_fund,
    deposit,
)
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import (
    assert_ledger_consistent,
    handler_at,
    keeper_at,
    make_grant,
    make_member,
)
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def keeper(tree):
    return keeper_at(tree.east)


def test_a_federation_opens_a_federation_fund(tree, keeper):
    fund = create_fund(actor=keeper, org=tree.east, name=" 东区困难职工帮扶基金 ")
    assert fund.name == "东区困难职工帮扶基金"
    assert fund.kind == FundKind.FEDERATION
    assert fund.balance == Decimal("0.00")
    assert fund.created_by == keeper
    assert AuditEvent.objects.filter(action="assistance.create_fund", object_id=str(fund.pk)).exists()


def test_a_workplace_union_opens_a_workplace_fund(tree, keeper):
    fund = create_fund(actor=keeper, org=tree.acme.pk, name="甲公司互助帮扶金", kind=FundKind.WORKPLACE)
    assert fund.kind == FundKind.WORKPLACE
    assert fund.org == tree.acme


def test_opening_a_fund_refuses_bad_input_all_at_once(tree, keeper, english):
    fund_with(tree.east, name="帮扶基金")
    with pytest.raises(ValidationFailed) as caught:
        create_fund(actor=keeper, org=tree.east, name="帮扶基金", kind=FundKind.WORKPLACE)
    assert set(caught.value.fields) == {"name", "kind"}
    with pytest.raises(ValidationFailed) as caught:
        create_fund(actor=keeper, org=tree.group, name="x" * 121, kind="nonsense")
    assert set(caught.value.fields) == {"org", "name", "kind"}
    assert Fund.objects.count() == 1


def test_only_funds_keepers_open_funds_and_only_in_their_subtree(tree, keeper):
    with pytest.raises(NotFound):
        create_fund(actor=keeper, org=tree.west, name="西区基金")
    with pytest.raises(NotFound):
        create_fund(actor=handler_at(tree.east), org=tree.east, name="东区基金")
    assert not Fund.objects.exists()


def test_money_in_is_an_entry_with_its_source(tree, keeper):
    fund = fund_with(tree.east, "100.00")
    entry = deposit(fund, actor=keeper, amount="¥1,000.50", memo="区财政年度拨款")
    assert entry.kind == EntryKind.DEPOSIT
    assert entry.amount == Decimal("1000.50")
    assert entry.balance_after == Decimal("1100.50")
    assert entry.booked_on == timezone.localdate()
    assert entry.created_by == keeper
    assert fund.balance == Decimal("1100.50")
    assert AuditEvent.objects.filter(action="assistance.deposit").count() == 1
    assert_ledger_consistent(fund)


@pytest.mark.parametrize(
    ("amount", "memo", "booked_on", "fields"),
    [
        ("0", "拨款", None, {"amount"}),
        ("-5", "拨款", None, {"amount"}),
        ("1.001", "", None, {"amount", "memo"}),
        ("abc", "拨款", "2027-02-30", {"amount", "booked_on"}),
        (None, "\x00", "tomorrow", {"amount", "memo", "booked_on"}),
        ("10", "拨款", "1999-12-31", {"booked_on"}),
        ("10", ["拨款"], None, {"memo"}),
    ],
)
def test_bad_money_in_is_refused_and_changes_nothing(tree, keeper, amount, memo, booked_on, fields):
    fund = fund_with(tree.east, "100.00")
    if booked_on == "tomorrow":
        booked_on = (timezone.localdate() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed) as caught:
        deposit(fund, actor=keeper, amount=amount, memo=memo, booked_on=booked_on)
    assert set(caught.value.fields) == fields
    assert FundEntry.objects.filter(fund=fund).count() == 1
    assert_ledger_consistent(fund)


def test_a_correction_is_signed_needs_a_reason_and_cannot_overdraw(tree, keeper, english):
    fund = fund_with(tree.east, "100.00")
    entry = correct_fund(
        fund, actor=keeper, amount="-30.00", reason="3月拨款重复登记", booked_on="2026-03-01"
    )
    assert entry.kind == EntryKind.CORRECTION
    assert entry.balance_after == Decimal("70.00")
    with pytest.raises(ValidationFailed) as caught:
        correct_fund(fund, actor=keeper, amount="0", reason="")
    assert set(caught.value.fields) == {"amount", "reason"}
    with pytest.raises(InsufficientFunds) as refused:
        correct_fund(fund, actor=keeper, amount="-70.01", reason="冲正")
    assert refused.value.shortfall == Decimal("0.01")
    assert FundEntry.objects.filter(fund=fund).count() == 2
    assert_ledger_consistent(fund)


def test_an_officer_who_only_looks_may_not_keep_the_ledger(tree):
    fund = fund_with(tree.east, "100.00")
    with pytest.raises(Forbidden):
        deposit(fund, actor=handler_at(tree.east), amount="10", memo="拨款")
    with pytest.raises(NotFound):
        deposit(fund, actor=keeper_at(tree.west), amount="10", memo="拨款")
    with pytest.raises(NotFound):
        deposit(fund, actor=handler_at(tree.acme, "acme"), amount="10", memo="拨款")
    assert_ledger_consistent(fund)


def test_a_fund_closes_only_empty_and_then_takes_no_entries(tree, keeper, english):
    fund = fund_with(tree.east, "10.00")
    with pytest.raises(Conflict) as caught:
        close_fund(fund, actor=keeper, reason="基金并入市总")
    assert caught.value.code == "fund_not_empty"
    correct_fund(fund, actor=keeper, amount="-10.00", reason="余额划转市总基金")
    with pytest.raises(ValidationFailed):
        close_fund(fund, actor=keeper, reason=" ")
    close_fund(fund, actor=keeper, reason="基金并入市总")
    assert fund.status == FundStatus.CLOSED
    with pytest.raises(Conflict) as caught:
        deposit(fund, actor=keeper, amount="1", memo="拨款")
    assert caught.value.code == "fund_closed"
    with pytest.raises(Conflict):
        close_fund(fund, actor=keeper, reason="again")
    assert AuditEvent.objects.filter(action="assistance.close_fund").count() == 1
    assert_ledger_consistent(fund)


def test_a_fund_with_proposals_waiting_does_not_close(tree, keeper):
    fund = fund_with(tree.east)
    make_grant(fund, make_member(tree.acme), amount="100.00")
    with pytest.raises(Conflict) as caught:
        close_fund(fund, actor=keeper, reason="停用")
    assert caught.value.code == "grants_waiting"
    assert Fund.objects.get(pk=fund.pk).status == FundStatus.OPEN


def test_the_demo_funds_keep_the_ledger_invariant(tree):
    import random

    from gonghui.assistance.demo.funds import make_demo_funds, reset_demo_funds
    from gonghui.assistance.models import Grant, GrantStatus
    from gonghui.assistance.tests.factories_funds import make_file_on_record

    for n in range(30):
        make_file_on_record(make_member(tree.acme if n % 2 else tree.beta))
    funds = make_demo_funds(tree.city, random.Random(7))
    assert {fund.org for fund in funds} >= {tree.city, tree.east, tree.west, tree.acme}
    for fund in funds:
        assert_ledger_consistent(fund)
    assert Grant.objects.filter(status=GrantStatus.APPROVED).exists()
    assert Grant.objects.filter(status=GrantStatus.REVERSED).count() >= 1
    for grant in Grant.objects.filter(status=GrantStatus.APPROVED):
        assert [entry.kind for entry in grant.entries.all()] == [EntryKind.GRANT]
        assert grant.history.count() == 2
    assert make_demo_funds(tree.city, random.Random(7)) == []
    reset_demo_funds(tree.city)
    assert not Fund.objects.exists()
