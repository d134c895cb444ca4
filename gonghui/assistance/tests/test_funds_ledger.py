"""The fund ledger interface `book_entries`: one conditional UPDATE, entries with running
balances, nothing written when the fund cannot pay; and the invariant under random sequences."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.assistance.models import EntryKind, Fund, FundEntry, FundStatus
from gonghui.assistance.services.funds import Booking, InsufficientFunds, book_entries
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import assert_ledger_consistent, make_grant, make_member
from gonghui.core.errors import Conflict, NotFound
from gonghui.orgs.tests.factories import make_tree

pytestmark = pytest.mark.django_db

_names = count()


@pytest.fixture
def tree():
    return make_tree()


def d(text: str) -> Decimal:
    return Decimal(text)


def test_a_deposit_and_a_grant_leave_running_balances(tree):
    fund = fund_with(tree.east, "1000.00")
    grant = make_grant(fund, make_member(tree.acme), amount="300.00")
    with transaction.atomic():
        entries = book_entries(
            fund,
            actor=None,
            bookings=[
                Booking(EntryKind.DEPOSIT, d("200.00"), "区财政拨款"),
                Booking(EntryKind.GRANT, d("-300.00"), "困难帮扶", grant=grant),
            ],
        )
    assert [entry.balance_after for entry in entries] == [d("1200.00"), d("900.00")]
    assert all(entry.pk for entry in entries)
    assert fund.balance == d("900.00")
    assert_ledger_consistent(fund)


def test_the_fund_can_be_given_by_id(tree):
    fund = fund_with(tree.east, "10.00")
    with transaction.atomic():
        (entry,) = book_entries(
            fund.pk, actor=None, bookings=[Booking(EntryKind.CORRECTION, d("-10.00"), "冲正")]
        )
    assert entry.balance_after == d("0.00")
    assert_ledger_consistent(fund)


def test_taking_out_more_than_the_balance_writes_nothing_and_says_the_shortfall(tree, english):
    fund = fund_with(tree.east, "100.00")
    with pytest.raises(InsufficientFunds) as caught, transaction.atomic():
        book_entries(fund, actor=None, bookings=[Booking(EntryKind.CORRECTION, d("-150.00"), "冲正")])
    assert caught.value.code == "insufficient_funds"
    assert caught.value.status == 409
    assert caught.value.balance == d("100.00")
    assert caught.value.shortfall == d("50.00")
    assert "¥100.00" in caught.value.message
    assert "¥50.00" in caught.value.message
    assert FundEntry.objects.filter(fund=fund).count() == 1
    assert_ledger_consistent(fund)


def test_a_running_balance_may_not_dip_below_zero_even_if_the_total_is_positive(tree):
    fund = fund_with(tree.east, "0.00")
    with pytest.raises(InsufficientFunds) as caught, transaction.atomic():
        book_entries(
            fund,
            actor=None,
            bookings=[
                Booking(EntryKind.CORRECTION, d("-100.00"), "冲正"),
                Booking(EntryKind.DEPOSIT, d("500.00"), "拨款"),
            ],
        )
    assert caught.value.shortfall == d("100.00")
    assert not FundEntry.objects.filter(fund=fund).exists()
    assert_ledger_consistent(fund)


def test_a_closed_fund_takes_no_entries(tree):
    fund = fund_with(tree.east, "0.00")
    Fund.objects.filter(pk=fund.pk).update(status=FundStatus.CLOSED)
    with pytest.raises(Conflict) as caught, transaction.atomic():
        book_entries(fund, actor=None, bookings=[Booking(EntryKind.DEPOSIT, d("1.00"), "拨款")])
    assert caught.value.code == "fund_closed"
    assert not FundEntry.objects.filter(fund=fund).exists()


def test_a_missing_fund_is_not_found(tree):
    with pytest.raises(NotFound), transaction.atomic():
        book_entries(987654, actor=None, bookings=[Booking(EntryKind.DEPOSIT, d("1.00"), "拨款")])


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction(tree):
    fund = fund_with(tree.east, "0.00")
    with pytest.raises(RuntimeError):
        book_entries(fund, actor=None, bookings=[Booking(EntryKind.DEPOSIT, d("1.00"), "拨款")])


@pytest.mark.parametrize(
    "booking",
    [
        Booking(EntryKind.DEPOSIT, Decimal("-1.00"), "拨款"),
        Booking(EntryKind.CORRECTION, Decimal("0.00"), "冲正"),
        Booking(EntryKind.DEPOSIT, Decimal("1.005"), "拨款"),
        Booking(EntryKind.DEPOSIT, Decimal("1.00"), ""),
        Booking("gift", Decimal("1.00"), "拨款"),
        Booking(EntryKind.GRANT, Decimal("-1.00"), "帮扶"),  # a grant entry names its grant
    ],
)
def test_a_wrongly_built_booking_is_a_programming_error(tree, booking):
    fund = fund_with(tree.east, "10.00")
    with pytest.raises(ValueError, match=r"[Bb]ooking|kind|entr"), transaction.atomic():
        book_entries(fund, actor=None, bookings=[booking])
    assert_ledger_consistent(fund)


def test_no_bookings_is_a_programming_error(tree):
    fund = fund_with(tree.east, "10.00")
    with pytest.raises(ValueError, match="at least one booking"), transaction.atomic():
        book_entries(fund, actor=None, bookings=[])


# A step: (kind, fen). Grants and reversals pair up through the grants they name.
_step = st.one_of(
    st.tuples(st.just("deposit"), st.integers(1, 500_000)),
    st.tuples(st.just("grant"), st.integers(1, 300_000)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("correct"), st.integers(-300_000, 300_000).filter(bool)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=25))
def test_random_sequences_hold_the_invariant_and_never_go_negative(tree, steps):
    fund = fund_with(tree.east, "0.00", name=f"基金{next(_names)}")
    member = make_member(tree.acme)
    paid: list[tuple[object, Decimal]] = []  # grants paid and not yet reversed
    expected = Decimal("0.00")
    for kind, number in steps:
        if kind == "reverse":
            if not paid:
                continue
            grant, amount = paid.pop(number % len(paid))
            booking = Booking(EntryKind.REVERSAL, amount, "撤销", grant=grant)  # type: ignore[arg-type]
        else:
            amount = Decimal(number).scaleb(-2)
            if kind == "deposit":
                booking = Booking(EntryKind.DEPOSIT, amount, "拨款")
            elif kind == "grant":
                grant = make_grant(fund, member, amount=str(amount))
                booking = Booking(EntryKind.GRANT, -amount, "帮扶", grant=grant)
            else:
                booking = Booking(EntryKind.CORRECTION, amount, "冲正")
        if expected + booking.amount < 0:
            with pytest.raises(InsufficientFunds) as refused, transaction.atomic():
                book_entries(fund, actor=None, bookings=[booking])
            assert refused.value.shortfall == -(expected + booking.amount)
        else:
            with transaction.atomic():
                book_entries(fund, actor=None, bookings=[booking])
            expected += booking.amount
            if kind == "grant":
                paid.append((booking.grant, amount))
        assert expected >= 0
        assert Fund.objects.get(pk=fund.pk).balance == expected
        assert_ledger_consistent(fund)
