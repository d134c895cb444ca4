"""Unified social credit codes (统一社会信用代码, GB 32100-2015) identifying workplaces and unions.

Layout of the 18 characters:

    9 1 350100 M000100Y4 3
    | | |      |         +- check character over the first 17 (MOD 31)
    | | |      +----------- organisation code: 8-character body + GB 11714 check character
    | | +------------------ administrative region code of the registration authority (GB/T 2260)
    | +-------------------- organisation type, meaningful per authority (9 1 = enterprise)
    +---------------------- registration authority (9 = market regulation, 8 = trade unions, ...)

The alphabet has 31 characters: digits and capital letters without I, O, Z, S and V, which are
too easily read as 1, 0, 2, 5 and U.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.text import normalize_text

CreditReason = Literal["length", "characters", "authority", "region", "checksum"]

_MESSAGES: dict[CreditReason, Promise] = {
    "length": _("The unified social credit code must have 18 characters."),
    "characters": _(
        "The unified social credit code may only contain digits and capital letters other than I, O, Z, S "
        "and V."
    ),
    "authority": _(
        "The first two characters of the unified social credit code are not a known registration "
        "authority and organisation type."
    ),
    "region": _("Characters 3 to 8 of the unified social credit code must be a 6-digit region code."),
    "checksum": _(
        "The unified social credit code's check character does not match; please check each character."
    ),
}

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authority → organisation types it registers, from GB 32100-2015 with its
# amendment (A and N). All of them occur among workplaces: 9 companies, 1 public institutions,
# 3 law firms, 5 social organisations, N village collectives, and 8 the trade unions themselves,
# whose own codes begin "81".
ORG_TYPES_BY_AUTHORITY: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: organs, public institutions, mass organisations, other
    "2": frozenset("19"),  # 外交: foreign news agencies, other
    "3": frozenset("123459"),  # 司法行政: law firms, notaries, legal services, forensics, arbitration
    "4": frozenset("19"),  # 文化: foreign cultural centres, other
    "5": frozenset("1239"),  # 民政: social organisations, private non-enterprise units, foundations
    "6": frozenset("129"),  # 旅游: representative offices of foreign and HK/Macao/Taiwan tourism boards
    "7": frozenset("129"),  # 宗教: places of worship, religious schools, other
    "8": frozenset("19"),  # 工会: grassroots unions, other
    "9": frozenset("123"),  # 工商 / 市场监管: enterprises, individual businesses, farmers' cooperatives
    "A": frozenset("19"),  # 中央军委改革和编制办公室: military public institutions, other
    "N": frozenset("1239"),  # 农业: group-, village- and township-level collective economic organisations
    "Y": frozenset("1"),  # 其他: everything else
}

# GB 11714 organisation codes use all digits and capital letters (A = 10 ... Z = 35).
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class InvalidCreditCode(ValueError):
    """The text is not a valid credit code; `reason` is a stable code, `message` is for people."""

    def __init__(self, reason: CreditReason) -> None:
        self.reason: CreditReason = reason
        self.message = str(_MESSAGES[reason])
        super().__init__(self.message)


@dataclass(frozen=True)
class CreditCode:
    value: str
    authority_code: str
    org_type_code: str
    region_code: str
    org_code: str


def credit_check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(char not in _VALUES for char in first17):
        raise ValueError("The check character is computed over exactly 17 credit code characters.")
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """The GB 11714 check character of an organisation code's 8-character body."""
    if len(body8) != 8 or any(char not in _ORG_ALPHABET for char in body8):
        raise ValueError("An organisation code body is 8 digits or capital letters.")
    total = sum(_ORG_ALPHABET.index(char) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def parse_credit_code(text: str) -> CreditCode:
    """Validate a credit code as typed or imported (full-width, spaces, lower case accepted).

    The organisation code inside is not separately checked against its GB 11714 check
    character: the credit code's own check character already catches typing errors, and refusing
    a code the registry issued would leave the officer with no way to proceed.
    """
    code = normalize_text(text).replace(" ", "").upper()
    if len(code) != 18:
        raise InvalidCreditCode("length")
    if any(char not in _VALUES for char in code):
        raise InvalidCreditCode("characters")
    if code[1] not in ORG_TYPES_BY_AUTHORITY.get(code[0], frozenset()):
        raise InvalidCreditCode("authority")
    if not code[2:8].isdigit():
        raise InvalidCreditCode("region")
    if code[17] != credit_check_character(code[:17]):
        raise InvalidCreditCode("checksum")
    return CreditCode(
        value=code,
        authority_code=code[0],
        org_type_code=code[1],
        region_code=code[2:8],
        org_code=code[8:17],
    )


def make_credit_code(authority: str, org_type: str, region: str, org_code_body8: str) -> str:
    """Build a valid credit code (demo data and tests only).

    The body must use only characters of the credit code alphabet, since the organisation code
    sits inside the credit code.
    """
    if org_type not in ORG_TYPES_BY_AUTHORITY.get(authority, frozenset()):
        raise ValueError("Unknown registration authority and organisation type.")
    if not (len(region) == 6 and region.isascii() and region.isdigit()):
        raise ValueError("The region code must be 6 digits.")
    if any(char not in _VALUES for char in org_code_body8):
        raise ValueError("The organisation code body may not contain I, O, Z, S or V.")
    org_code = org_code_body8 + org_code_check_character(org_code_body8)
    first17 = authority + org_type + region + org_code
    return first17 + credit_check_character(first17)
