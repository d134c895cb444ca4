from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.creditcode import (
    ALPHABET,
    ORG_TYPES_BY_AUTHORITY,
    CreditCode,
    InvalidCreditCode,
    credit_check_character,
    make_credit_code,
    org_code_check_character,
    parse_credit_code,
)

SPEC_EXAMPLE = "91350100M000100Y43"  # the example in GB 32100-2015


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(ORG_TYPES_BY_AUTHORITY)))
    org_type = draw(st.sampled_from(sorted(ORG_TYPES_BY_AUTHORITY[authority])))
    region = f"{draw(st.integers(0, 999999)):06d}"
    body = draw(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
    return make_credit_code(authority, org_type, region, body)


def reason_of(text: str) -> str:
    with pytest.raises(InvalidCreditCode) as caught:
        parse_credit_code(text)
    assert caught.value.message
    return caught.value.reason


def with_check(first17: str) -> str:
    return first17 + credit_check_character(first17)


def test_the_standard_example_is_valid_and_split_into_its_parts() -> None:
    assert parse_credit_code(SPEC_EXAMPLE) == CreditCode(
        value=SPEC_EXAMPLE,
        authority_code="9",
        org_type_code="1",
        region_code="350100",
        org_code="M000100Y4",
    )


def test_a_registered_company_code_is_valid() -> None:
    assert parse_credit_code("91110000600037341L").region_code == "110000"


@pytest.mark.parametrize(
    "typed",
    ["91350100m000100y43", " 9135 0100 M000 100Y 43 ", "９１３５０１００Ｍ０００１００Ｙ４３"],
)
def test_lower_case_full_width_and_spaces_are_normalised(typed: str) -> None:
    assert parse_credit_code(typed).value == SPEC_EXAMPLE


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y431", "length"),
        ("91350100M000100I43", "characters"),
        ("91350100O000100Y43", "characters"),
        ("91350100M000100Y4-", "characters"),
        (with_check("X1350100M000100Y4"), "authority"),
        (with_check("94350100M000100Y4"), "authority"),
        (with_check("Y2350100M000100Y4"), "authority"),
        (with_check("9135A100M000100Y4"), "region"),
        ("91350100M000100Y44", "checksum"),
        ("91350100M000101Y43", "checksum"),
    ],
)
def test_invalid_codes_report_their_reason(text: str, reason: str) -> None:
    assert reason_of(text) == reason


@pytest.mark.parametrize(
    "first_two",
    ["11", "12", "31", "51", "52", "53", "81", "91", "92", "93", "A1", "N2", "Y1"],
)
def test_workplaces_of_every_common_kind_are_accepted(first_two: str) -> None:
    # Trade unions (81), law firms (31), village collectives (N2) are all workplaces here.
    assert parse_credit_code(with_check(first_two + "330203MA2H3K5L2")).authority_code == first_two[0]


@pytest.mark.parametrize(
    ("body", "check"),
    [("M000100Y", "4"), ("19220382", "1"), ("71526726", "X"), ("00000000", "0"), ("00000001", "9")],
)
def test_organisation_code_check_character(body: str, check: str) -> None:
    assert org_code_check_character(body) == check


def test_check_characters_need_the_right_input() -> None:
    with pytest.raises(ValueError, match="exactly 17"):
        credit_check_character("91350100M000100Y")
    with pytest.raises(ValueError, match="exactly 17"):
        credit_check_character("91350100M000100I4")
    with pytest.raises(ValueError, match="8 digits or capital letters"):
        org_code_check_character("m000100y")


def test_make_credit_code_embeds_a_valid_organisation_code() -> None:
    code = make_credit_code("8", "1", "330203", "MA2H3K5L")

    parsed = parse_credit_code(code)
    assert parsed.org_code == "MA2H3K5L" + org_code_check_character("MA2H3K5L")
    assert code.startswith("81330203")


@pytest.mark.parametrize(
    ("authority", "org_type", "region", "body", "complaint"),
    [
        ("9", "9", "330203", "MA2H3K5L", "authority"),
        ("X", "1", "330203", "MA2H3K5L", "authority"),
        ("9", "1", "33020A", "MA2H3K5L", "region"),
        ("9", "1", "33020", "MA2H3K5L", "region"),
        ("9", "1", "330203", "MA2H3K5I", "may not contain"),
        ("9", "1", "330203", "MA2H3K5", "8 digits"),
    ],
)
def test_make_credit_code_refuses_impossible_parts(
    authority: str, org_type: str, region: str, body: str, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        make_credit_code(authority, org_type, region, body)


@given(valid_credit_codes())
def test_generated_codes_parse_and_round_trip(code: str) -> None:
    parsed = parse_credit_code(code)

    assert parsed.value == code
    assert parsed.org_code[8] == org_code_check_character(parsed.org_code[:8])
    assert parse_credit_code(code.lower()) == parsed


@given(valid_credit_codes(), st.integers(0, 17), st.sampled_from(ALPHABET + "IOZSV"))
def test_every_single_character_substitution_is_detected(code: str, position: int, replacement: str) -> None:
    # The weights are powers of 3, a primitive root of the prime 31: none is 0 modulo 31, so a
    # change of one character always changes the weighted sum.
    if replacement == code[position]:
        replacement = "I"
    altered = code[:position] + replacement + code[position + 1 :]

    with pytest.raises(InvalidCreditCode):
        parse_credit_code(altered)
