"""Field-level encryption and blind indexes for personal data (ID numbers, bank accounts, ...).

Encryption: AES-256-GCM with a random 96-bit nonce per value. The token stored in the column is
ASCII and says which key made it, so keys can be rotated without rewriting every row at once:

    v1.<key id>.<base64url(nonce + ciphertext + tag), unpadded>

`settings.FIELD_ENCRYPTION_KEYS` maps key id → 32-byte key. The first entry encrypts; all of them
decrypt. To rotate, put a new key first, re-save rows (or run a job over `needs_rotation`),
and drop the old key once no token names it.

The `context` (for model fields "<app>.<Model>.<field>") is the AES-GCM associated data: it is
not stored, but decryption fails unless the same context is given, so a ciphertext copied
into another column or table (say, an ID number pasted into a bank-account column that is shown
unmasked) does not decrypt.

Blind index: random nonces make equal plaintexts encrypt differently, which is the point, but
leaves nothing to look up or keep unique. `blind_index` is a keyed HMAC of the value: equal
values give equal indexes, and without `settings.BLIND_INDEX_KEY` the index cannot be checked
against guesses (an unkeyed hash of an ID number falls to enumeration in minutes). That key
never rotates with the encryption keys: every stored index would have to be recomputed.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gonghui.core.text import normalize_text

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
# Key ids appear inside the token between dots, so they are restricted to base64url's alphabet.
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")

DecryptionReason = Literal["malformed", "unknown_key", "tampered"]


class DecryptionError(Exception):
    """A stored token cannot be decrypted. Not user input: a configuration or data-integrity fault.

    The message never contains the token or any plaintext.
    """

    def __init__(self, reason: DecryptionReason, detail: str) -> None:
        self.reason: DecryptionReason = reason
        super().__init__(detail)


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt `plaintext` with the active key, bound to `context`."""
    key_id, key = _active_key()
    # 96 random bits per value: up to 2**32 encryptions under one key keep the chance of a
    # repeated nonce below 2**-32 (NIST SP 800-38D), far beyond the records a city holds.
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(key).encrypt(nonce, plaintext.encode(), _associated_data(context))
    payload = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return f"{VERSION}.{key_id}.{payload}"


def encrypter(*, context: str) -> Callable[[str], str]:
    """`encrypt` for many values (a chunk of an import): the active key, its cipher and the
    context are looked up once, not per value. Make a new one per batch to follow key changes."""
    key_id, key = _active_key()
    seal = _cipher(key).encrypt
    associated = _associated_data(context)
    prefix = f"{VERSION}.{key_id}."

    def encrypt_one(plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)  # a fresh nonce per value, as in encrypt()
        sealed = seal(nonce, plaintext.encode(), associated)
        return prefix + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")

    return encrypt_one


def decrypt(token: str, *, context: str) -> str:
    """The plaintext of a token made by `encrypt` with the same `context`."""
    key_id, blob = _split(token)
    key = _keys().get(key_id)
    if key is None:
        raise DecryptionError("unknown_key", f"Encryption key {key_id!r} is not configured.")
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        plaintext = _cipher(key).decrypt(nonce, sealed, _associated_data(context))
    except InvalidTag:
        raise DecryptionError(
            "tampered", f"The token does not authenticate for context {context!r}: altered or moved."
        ) from None
    return plaintext.decode()


def needs_rotation(token: str) -> bool:
    """Whether `token` was made with a key other than the active one."""
    key_id, _blob = _split(token)
    return key_id != _active_key()[0]


def blind_index(value: str, *, context: str) -> str:
    """Deterministic keyed fingerprint (64 hex characters) of `value` for lookup and uniqueness.

    Callers pass the canonical form (`IdNumber.value`, not the raw input); only full-width forms
    and stray whitespace are normalised here. The context keeps indexes of different columns
    apart, so equal values in two columns do not reveal that they are equal.
    """
    key: bytes = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be set.")
    message = _associated_data(context) + b"\x00" + normalize_text(value).encode()
    mac = _keyed_hmac(key).copy()
    mac.update(message)
    return mac.hexdigest()


@functools.lru_cache(maxsize=8)
def _keyed_hmac(key: bytes) -> hmac.HMAC:
    # An HMAC with the key already mixed in, copied for each value: a third less time than
    # hmac.new() per value, which counts in bulk imports (two indexes per row).
    return hmac.new(key, digestmod=hashlib.sha256)


@functools.lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESGCM:
    # Building AESGCM sets up the OpenSSL key schedule: once per key, not once per value (bulk
    # imports encrypt two values per row). Keyed by the key bytes, so a rotated key is used at once.
    return AESGCM(key)


def _keys() -> dict[str, bytes]:
    keys: dict[str, bytes] = settings.FIELD_ENCRYPTION_KEYS
    return keys


def _active_key() -> tuple[str, bytes]:
    keys = _keys()
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one key.")
    key_id, key = next(iter(keys.items()))
    if not _usable_key(key_id, len(key)):
        raise ImproperlyConfigured(
            "The active field encryption key needs an id of letters, digits, '_' or '-', and 32 bytes."
        )
    return key_id, key


@functools.lru_cache(maxsize=8)
def _usable_key(key_id: str, length: int) -> bool:
    # Cached: asked on every encryption, always about the same key.
    return bool(_KEY_ID.fullmatch(key_id)) and length == 32


def _associated_data(context: str) -> bytes:
    if not context:
        raise ValueError("An encryption context is required.")
    return context.encode()


def _split(token: str) -> tuple[str, bytes]:
    version, _dot, rest = token.partition(".")
    key_id, _dot, payload = rest.partition(".")
    if version != VERSION or not _KEY_ID.fullmatch(key_id):
        raise DecryptionError("malformed", "The value is not an encryption token of version v1.")
    try:
        blob = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("malformed", "The token's payload is not base64url.") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("malformed", "The token is too short to hold a nonce and a tag.")
    return key_id, blob
