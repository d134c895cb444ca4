"""Normalisation of text typed or pasted by people: full-width forms, stray whitespace, names.

Chinese input methods switch between full-width (全角) and half-width (半角) forms, and text pasted
from spreadsheets, web pages and chat apps carries ideographic spaces, no-break spaces and
invisible zero-width characters. Every text field is normalised on input so that "１３８ ００１３"
and "138 0013" are the same value, and a search finds what was typed either way.

Why not `unicodedata.normalize("NFKC", text)` on the whole string:

- NFKC also rewrites the full-width punctuation that *is* correct Chinese typography: the comma
  "，" becomes ",", the brackets "（）" become "()", "！？：；" lose their full width. Addresses,
  organisation names and notes must keep the punctuation their author chose.
- NFKC (and even NFC) replaces CJK compatibility ideographs (U+F900–U+FAFF) with their unified
  twins; rare characters in personal names must be stored exactly as registered.
- NFKC turns "①", "㈱", "ｶ" and many more into something else; none of that is input noise.

So the fold is limited to the full-width forms of ASCII (U+FF01–U+FF5E) minus the characters that
Chinese uses as its own sentence punctuation; the table is built from `unicodedata` so that each
mapping is exactly the character's NFKC compatibility decomposition.
"""

from __future__ import annotations

import re
import unicodedata

# Full-width characters that are ordinary Chinese punctuation, not input-method accidents.
# "。、“”‘’《》【】…—" live outside U+FF01–U+FF5E and are therefore never touched either.
CHINESE_PUNCTUATION = frozenset("！（），：；？～")

# Invisible characters that copy-and-paste brings along: zero-width space, word joiner, BOM.
# Zero-width (non-)joiners are left alone because they change how some scripts and emoji render.
_INVISIBLE = "\u200b\u2060\ufeff"


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for codepoint in range(0xFF01, 0xFF5F):
        char = chr(codepoint)
        if char not in CHINESE_PUNCTUATION:
            table[codepoint] = unicodedata.normalize("NFKC", char)
    table.update(dict.fromkeys(map(ord, _INVISIBLE)))
    return table


_FOLD = _build_fold_table()
_FIRST_FOLDED = "\uff01"  # the lowest code point _FOLD changes that letters and digits can have
# For str patterns `\s` is Unicode-aware: it covers U+3000 (ideographic space), U+00A0, U+2000–U+200A,
# U+202F, U+205F, tabs and line breaks.
_WHITESPACE = re.compile(r"\s+")

# Han ideographs: the BMP blocks (Extension A, URO, compatibility) plus the supplementary planes'
# extensions B–H and compatibility supplement, and "〇" used in names and dates.
_HAN = (
    "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f\U00030000-\U000323af"
)
_HAN_CHAR = re.compile(f"[{_HAN}]")
_SPACE_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")

MIDDLE_DOT = "\u00b7"
# Characters people type for the separator in transliterated minority and foreign names
# (阿卜杜·热合曼): bullet, full-width and half-width full stops, katakana middle dots, and the
# various mathematical dots that look alike in a Chinese font.
_NAME_DOTS = re.compile("[.\u2022\u2027\u2219\u22c5\u30fb\uff0e\uff65\ufe52\u0387]")
_SPACE_AROUND_DOT = re.compile(f" ?{MIDDLE_DOT} ?")


def normalize_text(text: str) -> str:
    """Fold full-width ASCII forms to half-width, drop invisible characters, collapse whitespace.

    Meant for single-line input (names, codes, addresses, titles): line breaks become one space.
    Idempotent: normalising twice gives the same result as normalising once.
    """
    # Most cells of a roster are already clean (a name, an ID or mobile number): letters and
    # digits only, none of them full-width, leave nothing to fold or collapse. Saying so in two
    # C-speed checks saves most of the time of the general path, which runs for every cell.
    if text.isalnum() and (text.isascii() or max(text) < _FIRST_FOLDED):
        return text
    folded = text.translate(_FOLD)
    return _WHITESPACE.sub(" ", folded).strip()


def normalize_name(text: str) -> str:
    """Normalise a personal name.

    Spaces between Han characters are removed ("张 三" → "张三": Chinese names have none, and
    spreadsheets often pad two-character names to the width of three-character ones).
    In a name written in Han characters every look-alike of the separator becomes the middle dot
    U+00B7 without spaces around it. Latin-script names ("John F. Kennedy") keep their spaces
    and full stops, where "." is an initial's abbreviation mark rather than a separator.
    """
    name = normalize_text(text)
    # Letters only (nearly every name): no separator or space for the rules below to touch.
    if name.isalpha() or not _HAN_CHAR.search(name):
        return name
    name = _NAME_DOTS.sub(MIDDLE_DOT, name)
    name = _SPACE_AROUND_DOT.sub(MIDDLE_DOT, name)
    return _SPACE_BETWEEN_HAN.sub("", name)


def mask_name(name: str) -> str:
    """Show only the first character of a name, one "*" for each other one: "张*", "欧阳娜娜" → "欧***".

    The first character is (usually) the surname, shared by millions, so it lets an officer tell
    rows apart without identifying anyone; a longer reveal such as "王*明" would give away most
    of a three-character name. Keeping the length lets masked lists line up as the real ones do.
    A one-character name is masked completely.
    """
    normalized = normalize_name(name)
    if len(normalized) <= 1:
        return "*" * len(normalized)
    return normalized[0] + "*" * (len(normalized) - 1)


def tel_digits(phone: str) -> str:
    """A phone number as a tel: link wants it: digits and a leading "+" only."""
    return "".join(char for char in phone if char.isdigit() or char == "+")
