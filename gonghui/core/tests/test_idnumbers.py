from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.idnumbers import (
    PROVINCE_CODES,
    IdNumber,
    InvalidIdNumber,
    Sex,
    id_check_character,
    make_id_number,
    mask_id_number,
    parse_id_number,
)

STANDARD_EXAMPLE = "11010519491231002X"  # the example number printed in GB 11643-1999
TODAY = date(2026, 11, 25)

regions = st.builds(
    lambda province, rest: f"{province}{rest:04d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 9999),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date.today())


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> str:
    sequence = draw(st.integers(0, 999))
    return make_id_number(draw(regions), draw(births), sequence, "male" if sequence % 2 else "female")


def with_check(first17: str) -> str:
    """A number whose check character is right, so that another check is the one that fails."""
    return first17 + id_check_character(first17)


def reason_of(text: str, *, today: date = TODAY) -> str:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(text, today=today)
    return caught.value.reason


def test_the_standard_example_is_valid() -> None:
    parsed = parse_id_number(STANDARD_EXAMPLE)

    assert parsed.value == STANDARD_EXAMPLE
    assert parsed.region_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "female"  # 17th digit 2 is even


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105\u300019491231\u00a0002ｘ",
    ],
)
def test_full_width_spaces_and_lower_case_x_are_normalised(typed: str) -> None:
    assert parse_id_number(typed).value == STANDARD_EXAMPLE


def test_a_legacy_15_digit_number_is_upgraded() -> None:
    parsed = parse_id_number("110105491231002")

    assert parsed.value == STANDARD_EXAMPLE
    assert parsed.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    "cell",
    ["3.30203E+17", "3.302031984122088e+17", "330203198412208000.0", "３.３０２０３Ｅ＋１７", "3E17"],
)
def test_spreadsheet_numbers_are_recognised_before_any_other_check(cell: str) -> None:
    with translation.override("en"), pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(cell)

    assert caught.value.reason == "scientific_notation"
    assert "Format the column as text" in caught.value.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("1101051949123100", "length"),
        ("11010519491231002X1", "length"),
        ("11010519491231A02X", "characters"),
        ("11010549123100X", "characters"),
        ("11010519491231002-", "characters"),
        ("1101051949123100２Y", "characters"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "characters"),  # Arabic-Indic digits are not ID digits
        (with_check("00010519491231002"), "region"),
        (with_check("99010519491231002"), "region"),
        (with_check("10010519491231002"), "region"),
        (with_check("11010519490230002"), "birth_date"),
        (with_check("11010519491301002"), "birth_date"),
        (with_check("11010518991231002"), "birth_date"),
        (with_check("11010520261126002"), "birth_date"),
        ("110105491301002", "birth_date"),
        ("110105194912310021", "checksum"),
    ],
)
def test_invalid_numbers_report_their_reason(text: str, reason: str) -> None:
    assert reason_of(text) == reason


def test_every_reason_has_a_message() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number("110105194912310021")

    assert caught.value.message
    assert str(caught.value) == caught.value.message


def test_birth_date_today_is_accepted_and_tomorrow_is_not() -> None:
    born_today = make_id_number("330203", date.today(), 1, "male")

    assert parse_id_number(born_today, today=date.today()).birth_date == date.today()
    assert reason_of(born_today, today=date(1999, 1, 1)) == "birth_date"


def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_accepted() -> None:
    for region in ("810000", "820000", "830000"):
        assert parse_id_number(make_id_number(region, date(1990, 5, 1), 12, "female")).region_code == region


def test_sex_follows_the_parity_of_the_17th_digit() -> None:
    assert parse_id_number(make_id_number("330203", date(1984, 12, 20), 123, "male")).sex == "male"
    assert parse_id_number(make_id_number("330203", date(1984, 12, 20), 124, "female")).sex == "female"


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(1984, 12, 20), 0),
        (date(2026, 12, 19), 41),
        (date(2026, 12, 20), 42),
        (date(2027, 1, 1), 42),
    ],
)
def test_age_counts_completed_years(day: date, age: int) -> None:
    parsed = parse_id_number(make_id_number("330203", date(1984, 12, 20), 1, "male"))

    assert parsed.age_on(day) == age


def test_someone_born_on_29_february_ages_on_1_march_in_common_years() -> None:
    parsed = parse_id_number(make_id_number("330203", date(2004, 2, 29), 1, "male"))

    assert parsed.age_on(date(2025, 2, 28)) == 20
    assert parsed.age_on(date(2025, 3, 1)) == 21
    assert parsed.age_on(date(2028, 2, 29)) == 24


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError, match="before the birth date"):
        parse_id_number(STANDARD_EXAMPLE).age_on(date(1949, 12, 30))


def test_masked_form_and_repr_hide_the_birth_date_and_sequence() -> None:
    parsed = parse_id_number(STANDARD_EXAMPLE)

    assert parsed.masked == "110105********002X"
    assert repr(parsed) == "IdNumber('110105********002X')"
    assert STANDARD_EXAMPLE not in f"{parsed} {parsed!r}"


def test_text_that_is_not_18_characters_is_masked_completely() -> None:
    assert mask_id_number("1101051949123") == "*" * 13
    assert mask_id_number("") == ""


def test_check_character_needs_exactly_17_ascii_digits() -> None:
    assert id_check_character("11010519491231002") == "X"
    for bad in (
        "1101051949123100",
        "110105194912310021",
        "1101051949123100A",
        "１１０１０５１９４９１２３１００２",
    ):
        with pytest.raises(ValueError, match="exactly 17 digits"):
            id_check_character(bad)


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "sex", "complaint"),
    [
        ("33020", date(1984, 12, 20), 1, "male", "region"),
        ("990203", date(1984, 12, 20), 1, "male", "region"),
        ("330203", date(1899, 12, 31), 1, "male", "birth date"),
        ("330203", date(9999, 1, 1), 1, "male", "birth date"),
        ("330203", date(1984, 12, 20), 1000, "female", "between 0 and 999"),
        ("330203", date(1984, 12, 20), -1, "male", "between 0 and 999"),
        ("330203", date(1984, 12, 20), 2, "male", "odd for men"),
        ("330203", date(1984, 12, 20), 3, "female", "odd for men"),
    ],
)
def test_make_id_number_refuses_what_no_real_number_has(
    region: str, birth: date, sequence: int, sex: Sex, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        make_id_number(region, birth, sequence, sex)


@given(valid_id_numbers())
def test_generated_numbers_parse_and_round_trip(value: str) -> None:
    parsed = parse_id_number(value)

    assert parsed == IdNumber(
        value=value,
        region_code=value[:6],
        birth_date=date(int(value[6:10]), int(value[10:12]), int(value[12:14])),
        sex="male" if int(value[16]) % 2 else "female",
    )
    assert parse_id_number(parsed.value) == parsed
    assert parse_id_number(value.lower().replace("x", "ｘ")) == parsed


@given(valid_id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_character_substitution_is_detected(value: str, position: int, replacement: str) -> None:
    # MOD 11-2 weights are non-zero modulo the prime 11, so any change of one character changes
    # the weighted sum; a replacement that breaks the date or region is caught even earlier.
    if replacement == value[position]:
        replacement = "X" if value[position] != "X" else "0"
    altered = value[:position] + replacement + value[position + 1 :]

    with pytest.raises(InvalidIdNumber):
        parse_id_number(altered)


@given(valid_id_numbers(), st.integers(0, 16))
def test_every_adjacent_transposition_is_detected(value: str, position: int) -> None:
    swapped = value[:position] + value[position + 1] + value[position] + value[position + 2 :]
    if swapped == value:
        return

    with pytest.raises(InvalidIdNumber):
        parse_id_number(swapped)


@given(regions, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 999))
def test_any_legacy_number_upgrades_to_a_valid_18_digit_number(
    region: str, birth: date, sequence: int
) -> None:
    legacy = f"{region}{birth:%y%m%d}{sequence:03d}"

    upgraded = parse_id_number(legacy)

    assert len(upgraded.value) == 18
    assert upgraded.value[:6] + upgraded.value[8:17] == legacy
    assert upgraded.birth_date == birth
    assert parse_id_number(upgraded.value) == upgraded
