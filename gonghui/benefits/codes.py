"""Codes people read and type: voucher codes and lottery entry codes (Crockford base32).

Crockford's alphabet leaves out I, L, O and U, so a code read aloud or typed at a till cannot be
mistaken; when typed, O is read as 0 and I/L as 1, case and separators are ignored.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VOUCHER_CODE_LENGTH = 16  # 80 random bits: guessing a valid code is hopeless even at a scanner's speed
ENTRY_CODE_LENGTH = 10  # 50 bits: unique within one campaign (a unique constraint backs it)
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(typed: str) -> str:
    """What someone typed or a scanner read, as stored: upper case, no spaces or dashes,
    look-alike letters read as digits. Characters outside the alphabet are kept (they make the
    code unknown rather than silently changing it)."""
    kept = "".join(char for char in typed.upper() if char not in " -\u3000\t")
    return kept.translate(_TYPED)
