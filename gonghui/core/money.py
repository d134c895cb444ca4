"""Exact money: yuan as `Decimal` with exactly 2 decimal places, or whole fen as `int`.

The one rounding rule: whenever an amount must be brought to whole fen, it is rounded half up
(ROUND_HALF_UP, 0.005 → 0.01, -0.005 → -0.01), the rule of Chinese accounting and the one people
expect from school. Only `to_money` rounds; everything else goes through it. Splitting a total
never rounds each part on its own: `allocate` hands out the exact total by largest remainder.

Floats are refused everywhere (TypeError): 0.1 + 0.2 != 0.3, and a payout computed from floats
cannot be reconciled with the ledger to the fen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal, TypeAlias

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.text import normalize_text

Money: TypeAlias = Decimal
AmountReason = Literal["format", "precision", "negative", "too_large"]

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what MoneyField's default 14 digits can hold

_MESSAGES: dict[AmountReason, Promise] = {
    "format": _("Enter an amount in yuan, such as 1234.50."),
    "precision": _("An amount can have at most 2 decimal places (fen)."),
    "negative": _("The amount cannot be negative."),
    "too_large": _("The amount is too large."),
}

# Characters normalize_text keeps (they are Chinese punctuation elsewhere) but that mean the
# ASCII character inside an amount: full-width comma, minus sign, full-width yen sign.
_AMOUNT_FOLD = str.maketrans({"\uff0c": ",", "\u2212": "-", "\uffe5": "\u00a5"})
# "-¥1,234.50", "¥ 12", "+12", ".5", "12元". Thousands separators must group by three, so
# that "12,5" (a decimal comma) is refused rather than read as 125.
_AMOUNT = re.compile(
    r"(?P<sign>[+-]?) ?(?:¥ ?)?(?=\.?[0-9])"
    r"(?P<units>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?P<fraction>\.[0-9]*)? ?元?"
)


class InvalidAmount(ValueError):
    """The amount is not acceptable; `reason` is a stable code, `message` is for people."""

    def __init__(self, reason: AmountReason) -> None:
        self.reason: AmountReason = reason
        self.message = str(_MESSAGES[reason])
        super().__init__(self.message)


def to_money(value: Decimal | int | str) -> Decimal:
    """`value` as yuan with exactly 2 decimal places, rounded half up.

    Strings may carry "¥", thousands separators, full-width digits and surrounding whitespace.
    """
    if isinstance(value, str):
        amount = _decimal_from_text(value)
    elif isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        raise TypeError(f"Money must be a Decimal, int or str, not {type(value).__name__}.")
    if not amount.is_finite():
        raise InvalidAmount("format")
    try:
        rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise InvalidAmount("too_large") from None
    # -0.004 rounds to -0.00, which would print as "-¥0.00".
    return rounded if rounded else abs(rounded)


def parse_money(text: str, *, allow_negative: bool = False) -> Decimal:
    """An amount typed by a person, refused (never rounded) when it has more than 2 decimals."""
    amount = _decimal_from_text(text)
    if amount < 0 and not allow_negative:
        raise InvalidAmount("negative")
    if abs(amount) > MAX_AMOUNT:
        raise InvalidAmount("too_large")
    money = to_money(amount)
    if money != amount:
        raise InvalidAmount("precision")
    return money


def to_fen(amount: Decimal | int | str) -> int:
    """Whole fen (cents) in `amount`, after rounding it like any other amount."""
    return int(to_money(amount).scaleb(2))


def from_fen(fen: int) -> Decimal:
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"Fen must be an int, not {type(fen).__name__}.")
    return Decimal(fen).scaleb(-2)


def allocate(total: Decimal | int | str, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split `total` in proportion to `weights` so that the parts add up to `total` exactly.

    Largest remainder: each part first gets the whole fen of its exact share rounded towards
    zero, then the fen left over go one each to the parts with the largest fractions dropped
    (earlier parts first on a tie), so no part is off its exact share by a whole fen.
    """
    if not weights:
        raise ValueError("allocate() needs at least one weight.")
    if any(isinstance(w, float | bool) or w < 0 for w in weights):
        raise ValueError("Weights must be non-negative Decimals or ints.")
    weight_sum = sum(Fraction(w) for w in weights)
    if weight_sum == 0:
        raise ValueError("At least one weight must be positive.")
    total_fen = to_fen(total)
    magnitude, sign = abs(total_fen), -1 if total_fen < 0 else 1
    shares = [magnitude * Fraction(w) / weight_sum for w in weights]
    parts = [int(share) for share in shares]
    leftover = magnitude - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - parts[i], reverse=True)
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return [from_fen(sign * part) for part in parts]


def format_money(amount: Decimal | int | str) -> str:
    """Format as "¥1,234.50", and "-¥1,234.50" for a negative amount."""
    money = to_money(amount)
    sign = "-" if money < 0 else ""
    return f"{sign}¥{abs(money):,.2f}"


def _decimal_from_text(text: str) -> Decimal:
    match = _AMOUNT.fullmatch(normalize_text(text).translate(_AMOUNT_FOLD))
    if match is None:
        raise InvalidAmount("format")
    units = match["units"].replace(",", "")
    return Decimal(match["sign"] + units + (match["fraction"] or ""))


class MoneyField(models.DecimalField):  # type: ignore[type-arg]
    """A DecimalField for yuan: 2 decimal places always, 14 digits unless told otherwise.

    Values pass through `to_money`, so a float assigned by mistake fails loudly (TypeError) when
    the row is saved or filtered on, instead of storing a binary approximation.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        if kwargs.setdefault("decimal_places", 2) != 2:
            raise TypeError("MoneyField always has 2 decimal places; use a DecimalField for rates.")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        del kwargs["decimal_places"]
        if kwargs.get("max_digits") == 14:
            del kwargs["max_digits"]
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        try:
            return to_money(value)
        except InvalidAmount as exc:
            raise ValidationError(exc.message, code=exc.reason) from exc
