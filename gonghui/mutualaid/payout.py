"""The payout engine: what a mutual aid claim pays, with an explanation a member can read.

`compute_payout` is a pure function of the rule's terms and the claim's invoice lines: no
database, no clock. It works on exact decimals throughout and rounds once, at the end, half up to
the fen (`gonghui.core.money.to_money`, the house rule), so the figures in the explanation add up
to the payout exactly. The steps, in order (docs/mutualaid-rules.md):

1. each invoice line: amount − excluded (self-paid or not covered) = eligible;
2. eligible costs = the sum of the lines;
3. waiting period: treated before enrolled_on + waiting_days → nothing is paid;
4. the deductible (起付线) is taken off;
5. each reimbursement band pays its rate on the part of the amount above the deductible that
   falls into it;
6. the per-claim cap;
7. what is left of the per-year cap (per_year_cap − paid_this_year, never below zero);
8. rounding half up to the fen.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.core.errors import FieldErrors, ValidationFailed
from gonghui.core.money import MAX_AMOUNT, to_money

if TYPE_CHECKING:
    from gonghui.mutualaid.models import BenefitRule

ZERO = Decimal("0")
ONE = Decimal("1")
MAX_RATE_PLACES = 4
MAX_DESCRIPTION = 200

# Every product of an amount (2 places, at most 12 digits before the point) and a rate
# (4 places) fits in 28 digits; the engine still computes with room to spare and traps any
# inexact operation, so a silent rounding inside it is impossible.
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])


@dataclass(frozen=True)
class Band:
    """A rate on the part of the amount above the deductible up to `up_to` (None: no upper end)."""

    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class RuleTerms:
    """The parts of a `BenefitRule` version the engine needs, frozen (see `terms_of`)."""

    version: int
    deductible: Decimal
    per_claim_cap: Decimal
    per_year_cap: Decimal
    waiting_days: int
    bands: tuple[Band, ...]
    claim_type: str = ""
    rule_id: int | None = None


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    amount: Decimal
    excluded: Decimal = ZERO  # the self-paid or not covered part of the line


@dataclass(frozen=True)
class Step:
    """One line of the explanation. `amount` is the figure the label ends with, exact (it can
    have more than 2 decimal places before the final rounding step)."""

    label: str
    amount: Decimal


@dataclass(frozen=True)
class Payout:
    amount: Decimal  # 2 decimal places
    steps: tuple[Step, ...]
    version: int  # the rule version used
    rule_id: int | None = None

    @property
    def explanation(self) -> list[str]:
        return [step.label for step in self.steps]


# --- bands ---------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    """A Decimal from a JSON string or int (never a float), or None when it is not one."""
    if isinstance(value, bool | float):
        return None
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


def band_errors(raw: Any) -> dict[str, list[str]]:
    """Every problem with a JSON list of bands, by field path ("bands.1.rate"); {} when valid.

    Valid bands: at least one; each {"up_to": amount | null, "rate": decimal}; the rate from 0 to
    1 with at most 4 decimal places; each `up_to` positive with at most 2 decimal places, higher
    than the one before; the last band, and only the last, open-ended (null).
    """
    errors = FieldErrors()
    if not isinstance(raw, list | tuple) or not raw:
        errors.add("bands", _("Give at least one reimbursement band."))
        return errors.fields
    previous: Decimal | None = None
    last = len(raw) - 1
    for index, band in enumerate(raw):
        where = f"bands.{index}"
        if not isinstance(band, Mapping):
            errors.add(where, _("Each band needs an upper limit and a rate."))
            continue
        rate = _decimal(band.get("rate"))
        if rate is None:
            errors.add(f"{where}.rate", _("Enter the rate as a decimal from 0 to 1, such as 0.75."))
        elif not ZERO <= rate <= ONE:
            errors.add(f"{where}.rate", _("The rate must be from 0 to 1."))
        elif rate != rate.quantize(Decimal(1).scaleb(-MAX_RATE_PLACES), context=decimal.Context(prec=60)):
            errors.add(f"{where}.rate", _("A rate can have at most 4 decimal places."))
        raw_up_to = band.get("up_to")
        if raw_up_to is None:
            if index != last:
                errors.add(f"{where}.up_to", _("Only the last band can be without an upper limit."))
            continue
        up_to = _decimal(raw_up_to)
        if index == last:
            errors.add(f"{where}.up_to", _("The last band must be without an upper limit."))
        if up_to is None:
            errors.add(f"{where}.up_to", _("Enter the upper limit as an amount in yuan, such as 10000.00."))
            continue
        if up_to <= 0 or up_to > MAX_AMOUNT:
            errors.add(f"{where}.up_to", _("The upper limit must be more than 0 and not too large."))
        elif to_money(up_to) != up_to:
            errors.add(f"{where}.up_to", _("An amount can have at most 2 decimal places (fen)."))
        elif previous is not None and up_to <= previous:
            errors.add(f"{where}.up_to", _("Each band's upper limit must be higher than the one before."))
        previous = up_to if previous is None or up_to > previous else previous
    return errors.fields


def parse_bands(raw: Any) -> tuple[Band, ...]:
    """Bands from their JSON form; ValidationFailed (field paths "bands.N.…") when not valid."""
    errors = band_errors(raw)
    if errors:
        raise ValidationFailed(_("The reimbursement bands are not valid. See the fields."), fields=errors)
    bands: list[Band] = []
    for band in raw:
        up_to = band.get("up_to")
        rate = _decimal(band["rate"])
        assert rate is not None  # checked by band_errors
        bands.append(Band(up_to=None if up_to is None else to_money(_decimal(up_to) or ZERO), rate=rate))
    return tuple(bands)


def bands_to_json(bands: Sequence[Band]) -> list[dict[str, str | None]]:
    """The JSON form stored on a rule: amounts with 2 places, rates as written."""
    return [
        {"up_to": None if band.up_to is None else str(to_money(band.up_to)), "rate": str(band.rate)}
        for band in bands
    ]


def terms_of(rule: BenefitRule) -> RuleTerms:
    return RuleTerms(
        version=rule.version,
        deductible=to_money(rule.deductible),
        per_claim_cap=to_money(rule.per_claim_cap),
        per_year_cap=to_money(rule.per_year_cap),
        waiting_days=rule.waiting_days,
        bands=parse_bands(rule.bands),
        claim_type=rule.claim_type,
        rule_id=rule.pk,
    )


# --- formatting for the explanation --------------------------------------------------------------


def yuan(amount: Decimal) -> str:
    """ "12,000.00": thousands separators, 2 decimals, or as many more as an exact figure needs."""
    places = max(2, -amount.normalize().as_tuple().exponent) if amount else 2  # type: ignore[operator]
    return f"{amount:,.{places}f}"


def percent(rate: Decimal) -> str:
    """0.5 → "50%", 0.3333 → "33.33%"."""
    value = (rate * 100).normalize()
    text = f"{value:f}"
    return f"{text}%"


def _day(day: date) -> str:
    """ "2027年6月1日" in Chinese (the active language's date format; no database involved)."""
    return date_format(day, "DATE_FORMAT")


# --- the engine ----------------------------------------------------------------------------------


def validate_lines(lines: Sequence[InvoiceLine], paid_this_year: Decimal) -> None:
    """ValidationFailed with every problem at once ("lines.2.excluded"); nothing else is checked
    (the engine is pure: dates and enrolment are the caller's business)."""
    errors = FieldErrors()
    if not lines:
        errors.add("lines", _("Add at least one invoice line."))
    for index, line in enumerate(lines):
        if not isinstance(line.description, str) or len(line.description) > MAX_DESCRIPTION:
            errors.add(
                f"lines.{index}.description",
                _("Describe the line in at most %(limit)s characters.") % {"limit": MAX_DESCRIPTION},
            )
        for name in ("amount", "excluded"):
            value = getattr(line, name)
            path = f"lines.{index}.{name}"
            if not isinstance(value, Decimal) or not value.is_finite():
                errors.add(path, _("Enter an amount in yuan, such as 1234.50."))
            elif value < 0:
                errors.add(path, _("The amount cannot be negative."))
            elif value > MAX_AMOUNT:
                errors.add(path, _("The amount is too large."))
            elif to_money(value) != value:
                errors.add(path, _("An amount can have at most 2 decimal places (fen)."))
        amount, excluded = line.amount, line.excluded
        if (
            f"lines.{index}.amount" not in errors.fields
            and f"lines.{index}.excluded" not in errors.fields
            and excluded > amount
        ):
            errors.add(
                f"lines.{index}.excluded",
                _("The self-paid part cannot be more than the line's amount (%(amount)s yuan).")
                % {"amount": yuan(amount)},
            )
    if not isinstance(paid_this_year, Decimal) or not paid_this_year.is_finite():
        errors.add("paid_this_year", _("Enter an amount in yuan, such as 1234.50."))
    elif paid_this_year < 0:
        errors.add("paid_this_year", _("The amount cannot be negative."))
    elif paid_this_year > MAX_AMOUNT:
        errors.add("paid_this_year", _("The amount is too large."))
    elif to_money(paid_this_year) != paid_this_year:
        errors.add("paid_this_year", _("An amount can have at most 2 decimal places (fen)."))
    errors.raise_if_any(_("Some invoice lines are not valid. See the fields."))


def compute_payout(
    terms: RuleTerms,
    lines: Sequence[InvoiceLine],
    *,
    treated_on: date,
    enrolled_on: date,
    paid_this_year: Decimal,
) -> Payout:
    """What the claim pays under `terms`, and why, step by step (see the module docstring)."""
    validate_lines(lines, paid_this_year)
    steps: list[Step] = []
    with decimal.localcontext(_EXACT):
        exact = _compute(
            terms, lines, steps, treated_on=treated_on, enrolled_on=enrolled_on, paid=paid_this_year
        )
    # 8. The one rounding, outside the exact context (which would trap it as inexact).
    final = to_money(exact)
    if final != exact:
        steps.append(Step(_("Rounded half up to the fen: %(amount)s yuan") % {"amount": yuan(final)}, final))
    steps.append(Step(_("Payout: %(amount)s yuan") % {"amount": yuan(final)}, final))
    return Payout(amount=final, steps=tuple(steps), version=terms.version, rule_id=terms.rule_id)


def _compute(
    terms: RuleTerms,
    lines: Sequence[InvoiceLine],
    steps: list[Step],
    *,
    treated_on: date,
    enrolled_on: date,
    paid: Decimal,
) -> Decimal:
    """The exact amount before rounding; appends the explanation to `steps`."""
    # 1–2. Eligible costs, line by line.
    total = sum((line.amount for line in lines), ZERO)
    excluded = sum((line.excluded for line in lines), ZERO)
    eligible = total - excluded
    for number, line in enumerate(lines, start=1):
        values = {
            "number": number,
            "description": line.description.strip() or _("(no description)"),
            "amount": yuan(line.amount),
            "excluded": yuan(line.excluded),
            "eligible": yuan(line.amount - line.excluded),
        }
        if line.excluded:
            label = _(
                "Line %(number)s “%(description)s”: %(amount)s yuan, of which %(excluded)s yuan self-paid "
                "is not reimbursed; eligible %(eligible)s yuan"
            )
        else:
            label = _("Line %(number)s “%(description)s”: %(amount)s yuan, all eligible")
        steps.append(Step(label % values, line.amount - line.excluded))
    if excluded:
        label = _(
            "Eligible costs %(eligible)s yuan (invoice total %(total)s yuan, of which %(excluded)s yuan "
            "self-paid is not reimbursed)"
        )
    else:
        label = _("Eligible costs %(eligible)s yuan (invoice total %(total)s yuan, nothing self-paid)")
    values = {"eligible": yuan(eligible), "total": yuan(total), "excluded": yuan(excluded)}
    steps.append(Step(label % values, eligible))

    # 3. Waiting period.
    covered_from = enrolled_on + timedelta(days=terms.waiting_days)
    dates = {
        "treated": _day(treated_on),
        "enrolled": _day(enrolled_on),
        "days": terms.waiting_days,
        "covered": _day(covered_from),
    }
    if treated_on < enrolled_on:
        steps.append(
            Step(_("Treated on %(treated)s, before enrolment on %(enrolled)s: nothing is paid") % dates, ZERO)
        )
        return ZERO
    if treated_on < covered_from:
        label = _(
            "Treated on %(treated)s, within the waiting period of %(days)s days after enrolment on "
            "%(enrolled)s (covered from %(covered)s): nothing is paid"
        )
        steps.append(Step(label % dates, ZERO))
        return ZERO
    if terms.waiting_days:
        label = _(
            "Treated on %(treated)s, after the waiting period of %(days)s days (covered from %(covered)s)"
        )
        steps.append(Step(label % dates, eligible))

    # 4. Deductible.
    above = max(eligible - terms.deductible, ZERO)
    values = {"deductible": yuan(terms.deductible), "above": yuan(above), "eligible": yuan(eligible)}
    if not above:
        label = _(
            "Eligible costs of %(eligible)s yuan do not exceed the deductible of %(deductible)s yuan: "
            "nothing is paid"
        )
        steps.append(Step(label % values, ZERO))
        return ZERO
    if terms.deductible:
        steps.append(Step(_("Deductible %(deductible)s yuan: %(above)s yuan above it") % values, above))
    else:
        steps.append(Step(_("No deductible: all %(above)s yuan count") % values, above))

    # 5. Bands.
    reimbursed = ZERO
    lower = ZERO
    for number, band in enumerate(terms.bands, start=1):
        if above <= lower:
            break
        upper = above if band.up_to is None else min(above, band.up_to)
        portion = upper - lower
        share = portion * band.rate
        reimbursed += share
        values = {
            "number": number,
            "lower": yuan(lower),
            "upper": yuan(band.up_to) if band.up_to is not None else "",
            "portion": yuan(portion),
            "rate": percent(band.rate),
            "share": yuan(share),
        }
        if band.up_to is None:
            label = _(
                "Band %(number)s (above %(lower)s yuan over the deductible) at %(rate)s: "
                "%(portion)s × %(rate)s = %(share)s yuan"
            )
        else:
            label = _(
                "Band %(number)s (%(lower)s to %(upper)s yuan over the deductible) at %(rate)s: "
                "%(portion)s × %(rate)s = %(share)s yuan"
            )
        steps.append(Step(label % values, share))
        if band.up_to is None:
            break
        lower = band.up_to
    if len(terms.bands) > 1:
        steps.append(
            Step(_("Reimbursed by the bands: %(amount)s yuan") % {"amount": yuan(reimbursed)}, reimbursed)
        )

    # 6. Per-claim cap.
    amount = reimbursed
    cap = {"cap": yuan(terms.per_claim_cap)}
    if amount > terms.per_claim_cap:
        amount = terms.per_claim_cap
        steps.append(Step(_("Limited to the limit per claim of %(cap)s yuan") % cap, amount))

    # 7. What is left of the per-year cap.
    left = max(terms.per_year_cap - paid, ZERO)
    values = {"cap": yuan(terms.per_year_cap), "paid": yuan(paid), "left": yuan(left)}
    if amount > left:
        amount = left
        if left:
            label = _(
                "Limit per year %(cap)s yuan, %(paid)s yuan already paid this year: limited to the "
                "%(left)s yuan left"
            )
        else:
            label = _(
                "Limit per year %(cap)s yuan, %(paid)s yuan already paid this year: nothing is left to pay"
            )
        steps.append(Step(label % values, amount))

    return amount
