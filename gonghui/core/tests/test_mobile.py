from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.mobile import InvalidMobile, is_mobile, mask_mobile, normalize_mobile, parse_mobile

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        " 138 0013 8000 ",
        "138-0013-8000",
        "138\u20140013\u20148000",
        "１３８００１３８０００",
        "+86 138 0013 8000",
        "+86-13800138000",
        "(+86) 13800138000",
        "0086 13800138000",
        "8613800138000",
        "13800138000.0",
        "13800138000.00",
        "\u3000138\u00a00013\u200b8000\t",
    ],
)
def test_the_usual_ways_of_writing_a_number_are_accepted(typed: str) -> None:
    assert parse_mobile(typed) == "13800138000"
    assert is_mobile(typed)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("1380013800", "length"),
        ("138001380001", "length"),
        ("13800138000.5", "characters"),
        ("138OO138000", "characters"),
        ("138 0013 800x", "characters"),
        ("+1 13800138000", "characters"),
        ("12800138000", "prefix"),
        ("23800138000", "prefix"),
        ("0571-8700123", "prefix"),
    ],
)
def test_invalid_numbers_report_their_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidMobile) as caught:
        parse_mobile(text)

    assert caught.value.reason == reason
    assert caught.value.message
    assert not is_mobile(text)


def test_an_eleven_digit_number_starting_with_86_is_never_shortened() -> None:
    assert normalize_mobile("86138001380") == "86138001380"


def test_masking_shows_the_first_three_and_last_four_digits() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138 1234 5678") == "138****5678"


def test_text_that_is_not_a_mobile_number_is_masked_completely() -> None:
    assert mask_mobile("0571-87001234") == "************"
    assert mask_mobile("") == ""


@given(mobiles)
def test_valid_numbers_round_trip(number: str) -> None:
    assert parse_mobile(number) == number
    assert parse_mobile(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == number


@given(st.one_of(mobiles, st.text(alphabet="0123456789 +-.x１", max_size=16), st.text(max_size=16)))
def test_masking_reveals_at_most_the_first_three_and_last_four_digits(text: str) -> None:
    masked = mask_mobile(text)

    if is_mobile(text):
        number = parse_mobile(text)
        assert masked == number[:3] + "****" + number[7:]
    else:
        assert set(masked) <= {"*"}
