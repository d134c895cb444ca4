"""The payout engine: worked examples a person can check by hand, and properties over any rule.

The engine is pure, so these tests need no database (only Django's settings, for translation).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import ValidationFailed
from gonghui.core.money import from_fen
from gonghui.mutualaid.payout import (
    Band,
    InvoiceLine,
    Payout,
    RuleTerms,
    band_errors,
    compute_payout,
    parse_bands,
    percent,
    yuan,
)

D = Decimal
ENROLLED = date(2027, 1, 1)
TREATED = date(2027, 6, 1)  # well after any waiting period in these examples


def terms(
    *,
    deductible: str = "1000.00",
    bands: tuple[tuple[str | None, str], ...] = (("10000.00", "0.50"), (None, "0.70")),
    per_claim_cap: str = "50000.00",
    per_year_cap: str = "100000.00",
    waiting_days: int = 90,
    version: int = 1,
) -> RuleTerms:
    return RuleTerms(
        version=version,
        deductible=D(deductible),
        per_claim_cap=D(per_claim_cap),
        per_year_cap=D(per_year_cap),
        waiting_days=waiting_days,
        bands=parse_bands([{"up_to": up_to, "rate": rate} for up_to, rate in bands]),
    )


def pay(
    rule: RuleTerms,
    *lines: tuple[str, str] | tuple[str, str, str],
    treated_on: date = TREATED,
    enrolled_on: date = ENROLLED,
    paid: str = "0.00",
) -> Payout:
    invoice = [InvoiceLine(line[0], D(line[1]), D(line[2]) if len(line) == 3 else D("0")) for line in lines]
    return compute_payout(
        rule, invoice, treated_on=treated_on, enrolled_on=enrolled_on, paid_this_year=D(paid)
    )


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


# --- worked examples -----------------------------------------------------------------------------


def test_worked_example_two_bands() -> None:
    """Inpatient stay: invoice 13,500.00 of which 1,500.00 self-paid.

    eligible = 13,500.00 − 1,500.00 = 12,000.00
    above the deductible of 1,000.00: 12,000.00 − 1,000.00 = 11,000.00
    band 1, the first 10,000.00 above the deductible at 50%: 10,000.00 × 0.50 = 5,000.00
    band 2, the remaining 1,000.00 at 70%:                     1,000.00 × 0.70 =   700.00
    total 5,700.00; under the per-claim cap (50,000.00) and the year cap (100,000.00) → 5,700.00
    """
    payout = pay(terms(), ("住院费", "12000.00", "1500.00"), ("药品费", "1500.00"))
    assert payout.amount == D("5700.00")
    assert payout.version == 1
    assert payout.explanation == [
        "Line 1 “住院费”: 12,000.00 yuan, of which 1,500.00 yuan self-paid is not reimbursed; "
        "eligible 10,500.00 yuan",
        "Line 2 “药品费”: 1,500.00 yuan, all eligible",
        "Eligible costs 12,000.00 yuan (invoice total 13,500.00 yuan, of which 1,500.00 yuan self-paid "
        "is not reimbursed)",
        "Treated on June 1, 2027, after the waiting period of 90 days (covered from April 1, 2027)",
        "Deductible 1,000.00 yuan: 11,000.00 yuan above it",
        "Band 1 (0.00 to 10,000.00 yuan over the deductible) at 50%: 10,000.00 × 50% = 5,000.00 yuan",
        "Band 2 (above 10,000.00 yuan over the deductible) at 70%: 1,000.00 × 70% = 700.00 yuan",
        "Reimbursed by the bands: 5,700.00 yuan",
        "Payout: 5,700.00 yuan",
    ]
    assert payout.steps[-1].amount == payout.amount


def test_worked_example_per_claim_cap() -> None:
    """Chronic outpatient, one band: eligible 30,000.00, deductible 500.00, 60%, cap 10,000.00.

    above the deductible: 30,000.00 − 500.00 = 29,500.00
    at 60%: 29,500.00 × 0.60 = 17,700.00
    the per-claim cap is 10,000.00 → 10,000.00
    """
    rule = terms(
        deductible="500.00", bands=((None, "0.60"),), per_claim_cap="10000.00", per_year_cap="20000.00"
    )
    payout = pay(rule, ("门诊费", "30000.00"))
    assert payout.amount == D("10000.00")
    assert (
        "Band 1 (above 0.00 yuan over the deductible) at 60%: 29,500.00 × 60% = 17,700.00 yuan"
        in payout.explanation
    )
    assert "Limited to the limit per claim of 10,000.00 yuan" in payout.explanation


def test_worked_example_what_is_left_of_the_year_cap() -> None:
    """The first example again (5,700.00), for a member already paid 16,000.00 this year.

    year cap 20,000.00 − 16,000.00 already paid = 4,000.00 left → 4,000.00
    and once 20,000.00 or more has been paid, nothing is left: 0.00 (never negative)
    """
    rule = terms(per_claim_cap="20000.00", per_year_cap="20000.00")
    payout = pay(rule, ("住院费", "13500.00", "1500.00"), paid="16000.00")
    assert payout.amount == D("4000.00")
    assert (
        "Limit per year 20,000.00 yuan, 16,000.00 yuan already paid this year: "
        "limited to the 4,000.00 yuan left" in payout.explanation
    )
    assert pay(rule, ("住院费", "13500.00", "1500.00"), paid="25000.00").amount == D("0.00")


def test_worked_example_waiting_period() -> None:
    """Enrolled 1 January 2027 with a waiting period of 90 days: covered from 1 April 2027
    (1 January + 90 days; January 31 + February 28 + March 31 = 90).

    treated 31 March 2027 → inside the waiting period → 0.00
    treated  1 April 2027 → covered → the full 5,700.00 of the first example
    treated before enrolment → 0.00
    """
    invoice = ("住院费", "13500.00", "1500.00")
    inside = pay(terms(), invoice, treated_on=date(2027, 3, 31))
    assert inside.amount == D("0.00")
    assert inside.explanation[-2] == (
        "Treated on March 31, 2027, within the waiting period of 90 days after enrolment on Jan. 1, 2027 "
        "(covered from April 1, 2027): nothing is paid"
    )
    assert pay(terms(), invoice, treated_on=date(2027, 4, 1)).amount == D("5700.00")
    before = pay(terms(waiting_days=0), invoice, treated_on=date(2026, 12, 31))
    assert before.amount == D("0.00")
    assert "before enrolment" in before.explanation[-2]


def test_worked_example_rounding_once_half_up() -> None:
    """No deductible, one band at 33.33%: 100.05 × 0.3333 = 33.346665 → 33.35 (rounded once).

    And half up, not to even: 0.25 × 0.50 = 0.125 → 0.13 (banker's rounding would give 0.12).
    """
    rule = terms(deductible="0.00", bands=((None, "0.3333"),), waiting_days=0)
    payout = pay(rule, ("检查费", "100.05"))
    assert payout.amount == D("33.35")
    assert "Band 1 (above 0.00 yuan over the deductible) at 33.33%: 100.05 × 33.33% = 33.346665 yuan" in (
        payout.explanation
    )
    assert payout.explanation[-2:] == ["Rounded half up to the fen: 33.35 yuan", "Payout: 33.35 yuan"]
    half = terms(deductible="0.00", bands=((None, "0.50"),), waiting_days=0)
    assert pay(half, ("挂号费", "0.25")).amount == D("0.13")


def test_worked_example_three_bands_and_the_deductible() -> None:
    """Critical illness: deductible 2,000.00; bands 0–20,000 at 60%, 20,000–50,000 at 75%, above at 90%.

    invoice 80,000.00 + 12,000.00 = 92,000.00, self-paid 4,000.00 → eligible 88,000.00
    above the deductible: 86,000.00
    band 1: 20,000.00 × 0.60 = 12,000.00
    band 2: 30,000.00 × 0.75 = 22,500.00
    band 3: 36,000.00 × 0.90 = 32,400.00
    total 66,900.00 < per-claim cap 80,000.00 → 66,900.00
    """
    rule = terms(
        deductible="2000.00",
        bands=(("20000.00", "0.60"), ("50000.00", "0.75"), (None, "0.90")),
        per_claim_cap="80000.00",
        per_year_cap="150000.00",
    )
    payout = pay(rule, ("手术费", "80000.00", "4000.00"), ("住院床位费", "12000.00"))
    assert payout.amount == D("66900.00")
    assert [step.amount for step in payout.steps if step.label.startswith("Band")] == [
        D("12000.00"),
        D("22500.00"),
        D("32400.00"),
    ]


def test_below_the_deductible_nothing_is_paid() -> None:
    """Eligible 800.00 with a deductible of 1,000.00 → 0.00."""
    payout = pay(terms(), ("门诊费", "800.00"))
    assert payout.amount == D("0.00")
    assert "do not exceed the deductible of 1,000.00 yuan" in payout.explanation[-2]


def test_the_explanation_is_in_chinese_for_members() -> None:
    with translation.override("zh-hans"):
        payout = pay(terms(), ("住院费", "13500.00", "1500.00"))
    assert (
        "合规费用 12,000.00 元（发票合计 13,500.00 元，其中自费 1,500.00 元不予报销）" in payout.explanation
    )
    assert payout.explanation[-1] == "赔付金额：5,700.00 元"


# --- validation ----------------------------------------------------------------------------------


def test_bad_lines_are_reported_per_line_all_at_once() -> None:
    lines = [
        InvoiceLine("a", D("100.00"), D("0")),
        InvoiceLine("b", D("-5.00"), D("0")),
        InvoiceLine("c", D("100.00"), D("150.00")),
        InvoiceLine("d", D("10.005"), D("0")),
    ]
    with pytest.raises(ValidationFailed) as caught:
        compute_payout(terms(), lines, treated_on=TREATED, enrolled_on=ENROLLED, paid_this_year=D("-1"))
    fields = caught.value.fields
    assert set(fields) == {"lines.1.amount", "lines.2.excluded", "lines.3.amount", "paid_this_year"}
    assert fields["lines.2.excluded"] == [
        "The self-paid part cannot be more than the line's amount (100.00 yuan)."
    ]
    assert fields["lines.1.amount"] == ["The amount cannot be negative."]
    assert fields["lines.3.amount"] == ["An amount can have at most 2 decimal places (fen)."]


def test_no_lines_and_floats_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        compute_payout(terms(), [], treated_on=TREATED, enrolled_on=ENROLLED, paid_this_year=D("0"))
    assert caught.value.fields == {"lines": ["Add at least one invoice line."]}
    with pytest.raises(ValidationFailed) as caught:
        compute_payout(
            terms(),
            [InvoiceLine("a", 100.0, D("0"))],  # type: ignore[arg-type]
            treated_on=TREATED,
            enrolled_on=ENROLLED,
            paid_this_year=D("0"),
        )
    assert set(caught.value.fields) == {"lines.0.amount"}


def test_band_errors_name_each_problem() -> None:
    errors = band_errors(
        [
            {"up_to": "5000.00", "rate": "1.5"},
            {"up_to": "4000.00", "rate": "0.12345"},
            {"up_to": None, "rate": 0.5},
            {"up_to": "9000.001", "rate": "x"},
        ]
    )
    assert set(errors) == {
        "bands.0.rate",
        "bands.1.rate",
        "bands.1.up_to",
        "bands.2.rate",
        "bands.2.up_to",
        "bands.3.rate",
        "bands.3.up_to",
    }
    assert errors["bands.1.up_to"] == ["Each band's upper limit must be higher than the one before."]
    assert errors["bands.2.up_to"] == ["Only the last band can be without an upper limit."]
    assert band_errors([]) == {"bands": ["Give at least one reimbursement band."]}
    assert band_errors([{"up_to": "100.00", "rate": "0.5"}]) == {
        "bands.0.up_to": ["The last band must be without an upper limit."]
    }
    assert band_errors([{"up_to": None, "rate": "0.5"}]) == {}


def test_formatting_helpers() -> None:
    assert yuan(D("12000")) == "12,000.00"
    assert yuan(D("33.346665")) == "33.346665"
    assert yuan(D("0")) == "0.00"
    assert percent(D("0.5")) == "50%"
    assert percent(D("0.3333")) == "33.33%"
    assert percent(D("1")) == "100%"


# --- properties ----------------------------------------------------------------------------------

fen = st.integers(min_value=0, max_value=50_000_000)  # up to 500,000.00 yuan
rates = st.integers(min_value=0, max_value=10_000).map(lambda n: D(n).scaleb(-4))


@st.composite
def rule_terms(draw: st.DrawFn) -> RuleTerms:
    limits = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=20_000_000), max_size=4))))
    band_rates = draw(st.lists(rates, min_size=len(limits) + 1, max_size=len(limits) + 1))
    bands = tuple(Band(from_fen(limit), rate) for limit, rate in zip(limits, band_rates, strict=False))
    bands += (Band(None, band_rates[-1]),)
    year_cap = draw(fen)
    claim_cap = draw(st.integers(min_value=0, max_value=year_cap))
    return RuleTerms(
        version=draw(st.integers(min_value=1, max_value=9)),
        deductible=from_fen(draw(st.integers(min_value=0, max_value=1_000_000))),
        per_claim_cap=from_fen(claim_cap),
        per_year_cap=from_fen(year_cap),
        waiting_days=draw(st.integers(min_value=0, max_value=366)),
        bands=bands,
    )


@st.composite
def invoice_lines(draw: st.DrawFn) -> list[InvoiceLine]:
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        amount = draw(fen)
        excluded = draw(st.integers(min_value=0, max_value=amount))
        lines.append(InvoiceLine("line", from_fen(amount), from_fen(excluded)))
    return lines


days = st.integers(min_value=0, max_value=800).map(lambda n: ENROLLED + timedelta(days=n))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=rule_terms(), lines=invoice_lines(), treated_on=days, paid=fen.map(from_fen))
def test_payout_is_within_every_limit_and_exact_to_the_fen(
    rule: RuleTerms, lines: list[InvoiceLine], treated_on: date, paid: Decimal
) -> None:
    payout = compute_payout(rule, lines, treated_on=treated_on, enrolled_on=ENROLLED, paid_this_year=paid)
    eligible = sum((line.amount - line.excluded for line in lines), D("0"))
    assert payout.amount >= 0
    assert payout.amount <= rule.per_claim_cap
    assert payout.amount <= max(rule.per_year_cap - paid, D("0"))
    assert payout.amount <= max(eligible - rule.deductible, D("0"))
    assert payout.amount.as_tuple().exponent == -2
    assert payout.steps[-1].amount == payout.amount
    assert payout.version == rule.version
    if treated_on < ENROLLED + timedelta(days=rule.waiting_days):
        assert payout.amount == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=rule_terms(),
    lines=invoice_lines(),
    data=st.data(),
    raise_by=st.integers(min_value=0, max_value=20_000_000).map(from_fen),
    paid=fen.map(from_fen),
)
def test_payout_never_falls_when_a_line_grows(
    rule: RuleTerms, lines: list[InvoiceLine], data: st.DataObject, raise_by: Decimal, paid: Decimal
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    grown = list(lines)
    grown[index] = InvoiceLine(
        lines[index].description, lines[index].amount + raise_by, lines[index].excluded
    )
    treated_on = ENROLLED + timedelta(days=rule.waiting_days)
    before = compute_payout(rule, lines, treated_on=treated_on, enrolled_on=ENROLLED, paid_this_year=paid)
    after = compute_payout(rule, grown, treated_on=treated_on, enrolled_on=ENROLLED, paid_this_year=paid)
    assert after.amount >= before.amount


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=rule_terms(), lines=invoice_lines(), early=st.integers(min_value=1, max_value=366))
def test_nothing_is_paid_inside_the_waiting_period(
    rule: RuleTerms, lines: list[InvoiceLine], early: int
) -> None:
    treated_on = ENROLLED + timedelta(days=rule.waiting_days) - timedelta(days=early)
    payout = compute_payout(rule, lines, treated_on=treated_on, enrolled_on=ENROLLED, paid_this_year=D("0"))
    assert payout.amount == D("0.00")
