"""Mainland China mobile numbers: 11 digits beginning 13–19.

The platform stores the bare 11 digits. Input arrives as typed on a phone (full-width digits,
spaces, dashes, a "+86" country code) or read from a spreadsheet, where a number cell becomes
the float text "15462819482.0"; unlike an 18-digit ID number, an 11-digit phone number survives
the float exactly, so it is accepted.
"""

from __future__ import annotations

import re
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.text import normalize_text

MobileReason = Literal["characters", "length", "prefix"]

_MESSAGES: dict[MobileReason, Promise] = {
    "characters": _("The mobile number may only contain digits."),
    "length": _("The mobile number must have 11 digits."),
    "prefix": _("The mobile number must start with 13 to 19."),
}

# Separators people put between digit groups: spaces, ASCII and typographic dashes, brackets.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212()\uff08\uff09]")
_SPREADSHEET_FLOAT = re.compile(r"([0-9]+)\.0+")
# The bare "86" prefix is recognised only before exactly 11 digits, so that no 11-digit number
# that happens to begin with 86 could ever be shortened.
_WITH_COUNTRY_CODE = re.compile(r"(?:\+86|0086|86)([0-9]{11})")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_DIGITS = frozenset("0123456789")


class InvalidMobile(ValueError):
    """The text is not a mobile number; `reason` is a stable code, `message` is for people."""

    def __init__(self, reason: MobileReason) -> None:
        self.reason: MobileReason = reason
        self.message = str(_MESSAGES[reason])
        super().__init__(self.message)


def normalize_mobile(text: str) -> str:
    """Reduce input to its digits without country code; the result is not yet validated."""
    compact = _SEPARATORS.sub("", normalize_text(text))
    if spreadsheet := _SPREADSHEET_FLOAT.fullmatch(compact):
        compact = spreadsheet.group(1)
    if international := _WITH_COUNTRY_CODE.fullmatch(compact):
        compact = international.group(1)
    return compact


def parse_mobile(text: str) -> str:
    """The 11-digit mobile number in `text`, or InvalidMobile saying what is wrong."""
    number = normalize_mobile(text)
    if not set(number) <= _DIGITS:
        raise InvalidMobile("characters")
    if len(number) != 11:
        raise InvalidMobile("length")
    if not _MOBILE.fullmatch(number):
        raise InvalidMobile("prefix")
    return number


def is_mobile(text: str) -> bool:
    try:
        parse_mobile(text)
    except InvalidMobile:
        return False
    return True


def mask_mobile(value: str) -> str:
    """Mask as "138****5678": the first three and last four digits of a valid number.

    Anything that is not a valid number (logged input, a bad import row) is masked completely,
    since it is unknown which of its characters are safe to show.
    """
    number = normalize_mobile(value)
    if not _MOBILE.fullmatch(number):
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]
