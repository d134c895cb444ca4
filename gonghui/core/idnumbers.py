"""PRC resident ID numbers (公民身份号码, GB 11643-1999).

Layout of the 18-character number: 6-digit administrative region code (GB/T 2260) where the
number was first issued, 8-digit birth date YYYYMMDD, 3-digit sequence whose last digit is odd
for men and even for women, and a check character (ISO 7064 MOD 11-2, "X" standing for 10).
The 15-digit form issued before 1999 has a 2-digit year and no check character; it is upgraded
to the 18-digit form, which is the only one the platform stores.

The checks run in a fixed order and the first failure is reported, so that the officer sees the
most useful reason: a number mangled by a spreadsheet is reported as such rather than as
"wrong length" or "bad check character".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.text import normalize_text

IdReason = Literal["scientific_notation", "length", "characters", "region", "birth_date", "checksum"]
Sex = Literal["male", "female"]

_MESSAGES: dict[IdReason, Promise] = {
    "scientific_notation": _(
        "The ID number was stored as a number by the spreadsheet (for example 3.30203E+17), so its "
        "last digits are lost. Format the column as text and enter the ID numbers again."
    ),
    "length": _("The ID number must have 18 characters (or 15 for an old ID card)."),
    "characters": _("The ID number may only contain digits, and an X as its last character."),
    "region": _("The ID number does not start with a valid region code."),
    "birth_date": _("The birth date in the ID number is not a valid date."),
    "checksum": _("The ID number's check character does not match; please check each digit."),
}

# Province-level codes of GB/T 2260 that begin real numbers, plus 83 which begins the residence
# permit numbers of Taiwan residents (港澳台居民居住证 share the ID number format; 81 and 82 are
# Hong Kong and Macao).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82", "83"}
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# Weight of position i (0-based) is 2**(17 - i) mod 11; the check value is the one that makes the
# weighted sum of all 18 positions, the check counting 1, congruent to 1 modulo 11.
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARACTERS = "10X98765432"
# The weighted sum is taken over the digits' ASCII codes (iterating bytes gives ints without an
# int() call per character, a third of the check's cost); this takes the codes' "0" back out.
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)

# What a spreadsheet cell holding the number as a float turns into: "3.30203E+17",
# "3.302031984122088e+17", or "330203198412208000.0" once someone formatted it without exponent.
_SPREADSHEET_NUMBER = re.compile(r"\d+(\.\d+)?E[+-]?\d+|\d+\.\d+", re.ASCII)
_FORM_18 = re.compile(r"\d{17}[\dX]", re.ASCII)
_FORM_15 = re.compile(r"\d{15}", re.ASCII)


class InvalidIdNumber(ValueError):
    """The text is not a valid ID number; `reason` is a stable code, `message` is for people."""

    def __init__(self, reason: IdReason) -> None:
        self.reason: IdReason = reason
        self.message = str(_MESSAGES[reason])
        super().__init__(self.message)


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character ID number with the facts encoded in it.

    `repr()` (and therefore `str()`, logs and tracebacks) shows only the masked form: personal
    data must be asked for explicitly through `.value`.
    """

    value: str
    region_code: str
    birth_date: date
    sex: Sex

    def __repr__(self) -> str:
        return f"IdNumber({self.masked!r})"

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)

    def age_on(self, day: date) -> int:
        """Age in completed years on `day`; someone born on 29 February ages on 1 March."""
        if day < self.birth_date:
            raise ValueError("The day is before the birth date.")
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def id_check_character(first17: str) -> str:
    """The MOD 11-2 check character ("0"–"9" or "X") for the first 17 digits."""
    if not (len(first17) == 17 and first17.isascii() and first17.isdigit()):
        raise ValueError("The check character is computed over exactly 17 digits.")
    return _check_character(first17)


def _check_character(first17: str) -> str:
    # 17 ASCII digits, already checked. map() rather than a generator: this runs for every row
    # of a roster import.
    total = sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ZERO_OFFSET
    return _CHECK_CHARACTERS[total % 11]


def mask_id_number(value: str) -> str:
    """Mask as "330203********1234": region code and last four only, as pages and exports show it.

    Text that is not 18 characters long (an invalid number in an import report) is masked
    completely, since it is unknown which of its characters are safe to show.
    """
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[-4:]


def parse_id_number(text: str, *, today: date | None = None) -> IdNumber:
    """Validate an ID number as typed or imported and return its 18-character form.

    Accepts full-width characters, spaces anywhere and a lower-case "x". `today` (default: the
    server's current date) bounds the birth date from above.
    """
    compact = normalize_text(text).replace(" ", "").upper()
    if _SPREADSHEET_NUMBER.fullmatch(compact):
        raise InvalidIdNumber("scientific_notation")
    if len(compact) not in (15, 18):
        raise InvalidIdNumber("length")
    form = _FORM_18 if len(compact) == 18 else _FORM_15
    if not form.fullmatch(compact):
        raise InvalidIdNumber("characters")
    first17 = compact[:17] if len(compact) == 18 else compact[:6] + "19" + compact[6:]
    _check_region(first17[:6])
    birth_date = _birth_date(first17[6:14], today or date.today())
    check = _check_character(first17)  # the form's pattern has checked the digits
    if len(compact) == 18 and compact[17] != check:
        raise InvalidIdNumber("checksum")
    return IdNumber(
        value=first17 + check,
        region_code=first17[:6],
        birth_date=birth_date,
        sex="male" if int(first17[16]) % 2 else "female",
    )


def make_id_number(region: str, birth: date, sequence: int, sex: Sex) -> str:
    """Build a valid 18-character ID number (demo data and tests only).

    `sequence` is the 3-digit order code (0–999); its parity must match `sex`, as it does on
    real numbers. Arguments that could not occur in a real number raise ValueError.
    """
    if not (len(region) == 6 and region.isascii() and region.isdigit() and region[:2] in PROVINCE_CODES):
        raise ValueError("The region code must be 6 digits starting with a province code.")
    if not EARLIEST_BIRTH_DATE <= birth <= date.today():
        raise ValueError("The birth date must be between 1900-01-01 and today.")
    if not 0 <= sequence <= 999:
        raise ValueError("The sequence must be between 0 and 999.")
    if (sequence % 2 == 1) != (sex == "male"):
        raise ValueError("The sequence must be odd for men and even for women.")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def _check_region(region: str) -> None:
    # Only the province is checked: county codes change every year (GB/T 2260 is revised
    # continually) and a number keeps the code of the county that issued it, however old.
    if region[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber("region")


def _birth_date(yyyymmdd: str, today: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if not EARLIEST_BIRTH_DATE <= born <= today:
        raise InvalidIdNumber("birth_date")
    return born
