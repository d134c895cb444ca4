from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.money import (
    CENT,
    MAX_AMOUNT,
    InvalidAmount,
    MoneyField,
    allocate,
    format_money,
    from_fen,
    parse_money,
    to_fen,
    to_money,
)

fen_amounts = st.integers(-(10**14), 10**14)


@pytest.mark.parametrize(
    ("value", "money"),
    [
        (Decimal("1.005"), "1.01"),
        (Decimal("1.0049"), "1.00"),
        (Decimal("2.675"), "2.68"),
        (Decimal("-0.005"), "-0.01"),
        (Decimal("-0.004"), "0.00"),
        (12, "12.00"),
        ("1,234.50", "1234.50"),
        ("¥12", "12.00"),
        ("￥12", "12.00"),
        ("-¥1,234.5", "-1234.50"),
        ("１２.５", "12.50"),
        ("１２．５", "12.50"),
        ("１，２３４.５", "1234.50"),
        ("  12.5\u3000", "12.50"),
        ("12元", "12.00"),
        (".5", "0.50"),
        ("0.125", "0.13"),
    ],
)
def test_to_money_gives_two_places_rounded_half_up(value: Decimal | int | str, money: str) -> None:
    result = to_money(value)

    assert result == Decimal(money)
    assert result.as_tuple().exponent == -2
    assert str(result) == money


@pytest.mark.parametrize("value", [0.1, 1.0, True, None, [1]])
def test_to_money_refuses_floats_and_other_types(value: Any) -> None:
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), "abc", "1e3", "12,5", "1,23,456", "", "--1"]
)
def test_to_money_refuses_what_is_not_an_amount(value: Decimal | str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        to_money(value)

    assert caught.value.reason == "format"


def test_parse_money_accepts_an_ordinary_amount() -> None:
    assert parse_money(" ¥ 1,234.5 ") == Decimal("1234.50")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12.345", "precision"),
        ("0.001", "precision"),
        ("-12", "negative"),
        ("－12", "negative"),
        ("\u221212", "negative"),
        ("1000000000000", "too_large"),
        ("999,999,999,999.995", "too_large"),
        ("twelve", "format"),
        ("12 34", "format"),
        ("1.2.3", "format"),
    ],
)
def test_parse_money_reports_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_money(text)

    assert caught.value.reason == reason
    assert caught.value.message


def test_parse_money_keeps_trailing_zeros_and_the_largest_amount() -> None:
    assert parse_money("12.500") == Decimal("12.50")
    assert parse_money("999,999,999,999.99") == MAX_AMOUNT


def test_negative_amounts_can_be_allowed() -> None:
    assert parse_money("-12.5", allow_negative=True) == Decimal("-12.50")
    with pytest.raises(InvalidAmount):
        parse_money("-1000000000000", allow_negative=True)


def test_fen_conversion() -> None:
    assert to_fen(Decimal("1234.56")) == 123456
    assert to_fen("0.005") == 1
    assert from_fen(-5) == Decimal("-0.05")
    assert str(from_fen(0)) == "0.00"
    with pytest.raises(TypeError):
        from_fen(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "formatted"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (0, "¥0.00"),
        (Decimal("-0.004"), "¥0.00"),
        ("-1234567.891", "-¥1,234,567.89"),
    ],
)
def test_format_money(amount: Decimal | int | str, formatted: str) -> None:
    assert format_money(amount) == formatted


def test_allocate_gives_leftover_fen_to_the_largest_remainders() -> None:
    assert allocate(Decimal("100"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert allocate("0.05", [1, 2]) == [Decimal("0.02"), Decimal("0.03")]
    assert allocate("10", [Decimal("0.7"), Decimal("0.3"), 0]) == [
        Decimal("7.00"),
        Decimal("3.00"),
        Decimal("0.00"),
    ]
    assert allocate("-0.05", [1, 2]) == [Decimal("-0.02"), Decimal("-0.03")]


@pytest.mark.parametrize(
    ("weights", "complaint"),
    [
        ([], "at least one weight"),
        ([0, 0], "must be positive"),
        ([1, -1], "non-negative"),
        ([1.5, 1], "non-negative"),
        ([True], "non-negative"),
    ],
)
def test_allocate_refuses_weights_it_cannot_split_by(weights: list[Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        allocate("10", weights)


@given(
    fen_amounts,
    st.lists(
        st.integers(0, 10**6) | st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=30
    ).filter(lambda weights: sum(weights) > 0),
)
def test_allocate_is_exact_and_each_part_is_within_a_fen_of_its_share(fen: int, weights: list[Any]) -> None:
    total = from_fen(fen)

    parts = allocate(total, weights)

    assert sum(parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part.as_tuple().exponent == -2
        assert abs(Fraction(part) - Fraction(total) * Fraction(weight) / weight_sum) < Fraction(CENT)


@given(fen_amounts)
def test_fen_round_trip(fen: int) -> None:
    assert to_fen(from_fen(fen)) == fen
    assert from_fen(to_fen(from_fen(fen))) == from_fen(fen)


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12))
def test_to_money_is_within_half_a_fen_and_idempotent(value: Decimal) -> None:
    money = to_money(value)

    assert abs(money - value) <= CENT / 2
    assert to_money(money) == money
    assert to_money(format_money(money)) == money


def test_money_field_defaults_and_deconstruction() -> None:
    field = MoneyField()
    field.set_attributes_from_name("amount")

    assert (field.max_digits, field.decimal_places) == (14, 2)
    assert field.deconstruct()[3] == {}

    wide = MoneyField(max_digits=18)
    wide.set_attributes_from_name("total")
    assert wide.deconstruct()[3] == {"max_digits": 18}
    with pytest.raises(TypeError):
        MoneyField(decimal_places=4)


def test_money_field_converts_through_to_money_and_refuses_floats() -> None:
    field = MoneyField()

    assert field.to_python("1,234.5") == Decimal("1234.50")
    assert field.get_prep_value(Decimal("0.125")) == Decimal("0.13")
    assert field.to_python(None) is None
    with pytest.raises(TypeError):
        field.get_prep_value(1.5)
    with pytest.raises(ValidationError) as caught:
        field.to_python("abc")
    assert caught.value.code == "format"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234567.5"), "¥1,234,567.50"),
        ("980.00", "¥980.00"),
        (0, "¥0.00"),
        (Decimal("-12.345"), "-¥12.35"),
        (None, "—"),
        ("", "—"),
        ("not money", "not money"),
    ],
)
def test_the_yuan_filter_shows_every_amount_the_same_way_without_a_load_tag(value: Any, shown: str) -> None:
    # A builtin of the engine: the template has no {% load %}.
    assert Template("{{ value|yuan }}").render(Context({"value": value})) == shown
