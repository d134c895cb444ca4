from __future__ import annotations

import base64
import re

import pytest
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.test import override_settings
from django.test.utils import isolate_apps
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.crypto import DecryptionError, blind_index, decrypt, encrypt, needs_rotation
from gonghui.core.fields import EncryptedTextField

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(32, 64))
CONTEXT = "members.Member.id_number"
ID_NUMBER = "11010519491231002X"


def keys(**by_id: bytes) -> override_settings:
    return override_settings(FIELD_ENCRYPTION_KEYS=by_id)


def reencoded(token: str, transform: bytes) -> str:
    """The token with its payload bytes XOR-ed with `transform` (which is padded with zeros)."""
    head, payload = token.rsplit(".", 1)
    blob = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    mask = transform.ljust(len(blob), b"\x00")
    altered = bytes(a ^ b for a, b in zip(blob, mask, strict=True))
    return head + "." + base64.urlsafe_b64encode(altered).rstrip(b"=").decode()


@keys(k1=OLD_KEY)
def test_round_trip_and_token_shape() -> None:
    token = encrypt(ID_NUMBER, context=CONTEXT)

    assert re.fullmatch(r"v1\.k1\.[A-Za-z0-9_-]+", token)
    assert ID_NUMBER not in token
    assert decrypt(token, context=CONTEXT) == ID_NUMBER


@keys(k1=OLD_KEY)
def test_equal_plaintexts_encrypt_differently() -> None:
    assert encrypt(ID_NUMBER, context=CONTEXT) != encrypt(ID_NUMBER, context=CONTEXT)


@given(st.text())
def test_any_text_round_trips(plaintext: str) -> None:
    with keys(k1=OLD_KEY):
        assert decrypt(encrypt(plaintext, context=CONTEXT), context=CONTEXT) == plaintext


@keys(k1=OLD_KEY)
@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])
def test_any_changed_byte_is_detected(position: int) -> None:
    token = encrypt(ID_NUMBER, context=CONTEXT)
    blob_length = 12 + len(ID_NUMBER) + 16
    flip = bytearray(blob_length)
    flip[position] = 0x01

    with pytest.raises(DecryptionError) as caught:
        decrypt(reencoded(token, bytes(flip)), context=CONTEXT)

    assert caught.value.reason == "tampered"


@keys(k1=OLD_KEY)
def test_a_token_moved_to_another_column_does_not_decrypt() -> None:
    token = encrypt(ID_NUMBER, context=CONTEXT)

    with pytest.raises(DecryptionError) as caught:
        decrypt(token, context="members.Member.bank_account")

    assert caught.value.reason == "tampered"
    assert ID_NUMBER not in str(caught.value)


@keys(k1=OLD_KEY)
@pytest.mark.parametrize(
    "token",
    ["11010519491231002X", "", "v2.k1.AAAA", "v1..AAAA", "v1.k.1.AAAA", "v1.k1.短", "v1.k1.AAAA"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(DecryptionError) as caught:
        decrypt(token, context=CONTEXT)

    assert caught.value.reason == "malformed"


def test_rotation_keeps_old_tokens_readable_and_writes_with_the_new_key() -> None:
    with keys(old=OLD_KEY):
        old_token = encrypt(ID_NUMBER, context=CONTEXT)
        assert not needs_rotation(old_token)

    with keys(new=NEW_KEY, old=OLD_KEY):
        assert decrypt(old_token, context=CONTEXT) == ID_NUMBER
        assert needs_rotation(old_token)
        new_token = encrypt(ID_NUMBER, context=CONTEXT)
        assert new_token.startswith("v1.new.")
        assert not needs_rotation(new_token)

    with keys(new=NEW_KEY):
        assert decrypt(new_token, context=CONTEXT) == ID_NUMBER
        with pytest.raises(DecryptionError) as caught:
            decrypt(old_token, context=CONTEXT)
        assert caught.value.reason == "unknown_key"


def test_a_token_does_not_decrypt_under_another_key_with_the_same_id() -> None:
    with keys(k1=OLD_KEY):
        token = encrypt(ID_NUMBER, context=CONTEXT)

    with keys(k1=NEW_KEY), pytest.raises(DecryptionError):
        decrypt(token, context=CONTEXT)


@pytest.mark.parametrize("configured", [{}, {"bad.id": OLD_KEY}, {"k1": b"short"}])
def test_an_unusable_active_key_is_a_configuration_error(configured: dict[str, bytes]) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=configured), pytest.raises(ImproperlyConfigured):
        encrypt(ID_NUMBER, context=CONTEXT)


@keys(k1=OLD_KEY)
def test_a_context_is_required() -> None:
    with pytest.raises(ValueError, match="context is required"):
        encrypt(ID_NUMBER, context="")


@override_settings(BLIND_INDEX_KEY=b"index-key-1")
def test_blind_index_is_stable_and_hex() -> None:
    index = blind_index(ID_NUMBER, context=CONTEXT)

    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert blind_index(ID_NUMBER, context=CONTEXT) == index
    assert blind_index(" １１０１０５１９４９１２３１００２Ｘ ", context=CONTEXT) == index


def test_blind_index_depends_on_key_context_and_value() -> None:
    with override_settings(BLIND_INDEX_KEY=b"index-key-1"):
        index = blind_index(ID_NUMBER, context=CONTEXT)
        assert blind_index(ID_NUMBER, context="workplaces.Contact.id_number") != index
        assert blind_index("11010519491231003X", context=CONTEXT) != index
    with override_settings(BLIND_INDEX_KEY=b"index-key-2"):
        assert blind_index(ID_NUMBER, context=CONTEXT) != index
    with override_settings(BLIND_INDEX_KEY=b""), pytest.raises(ImproperlyConfigured):
        blind_index(ID_NUMBER, context=CONTEXT)


def person_model(**fields: EncryptedTextField) -> type[models.Model]:
    """A throw-away model; call it inside @isolate_apps so that no app registry keeps it."""
    meta = type("Meta", (), {"app_label": "core"})
    return type("Person", (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


def encrypted_field(model: type[models.Model], name: str) -> EncryptedTextField:
    field = model._meta.get_field(name)
    assert isinstance(field, EncryptedTextField)
    return field


@isolate_apps("gonghui.core")
@keys(k1=OLD_KEY)
def test_encrypted_field_stores_tokens_and_returns_plaintext() -> None:
    field = encrypted_field(person_model(id_number=EncryptedTextField(null=True)), "id_number")

    stored = field.get_prep_value(ID_NUMBER)

    assert field.context == "core.Person.id_number"
    assert stored is not None
    assert decrypt(stored, context="core.Person.id_number") == ID_NUMBER
    assert field.from_db_value(stored, None, None) == ID_NUMBER  # type: ignore[arg-type]
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, None) is None  # type: ignore[arg-type]
    assert field.to_python(ID_NUMBER) == ID_NUMBER


@isolate_apps("gonghui.core")
def test_encrypted_field_refuses_every_lookup_but_isnull() -> None:
    people = person_model(id_number=EncryptedTextField(null=True))._default_manager

    people.filter(id_number__isnull=True)
    for lookup in (
        "id_number",
        "id_number__exact",
        "id_number__contains",
        "id_number__in",
        "id_number__lower",
    ):
        with pytest.raises(FieldError, match="blind index"):
            people.filter(**{lookup: ID_NUMBER})


@isolate_apps("gonghui.core")
def test_an_explicit_context_survives_a_rename_and_is_deconstructed() -> None:
    model = person_model(
        id_number=EncryptedTextField(context="members.Member.id_number"), plain=EncryptedTextField()
    )
    explicit, derived = encrypted_field(model, "id_number"), encrypted_field(model, "plain")

    assert explicit.context == "members.Member.id_number"
    assert explicit.deconstruct()[3] == {"context": "members.Member.id_number"}
    assert derived.context == "core.Person.plain"
    assert "context" not in derived.deconstruct()[3]


@isolate_apps("gonghui.core")
def test_a_unique_encrypted_field_fails_the_system_checks() -> None:
    field = encrypted_field(person_model(id_number=EncryptedTextField(unique=True)), "id_number")

    errors = field.check()

    assert [error.id for error in errors if isinstance(error, checks.Error)] == ["core.E001"]


def test_a_field_outside_a_model_cannot_encrypt() -> None:
    with pytest.raises(ImproperlyConfigured):
        EncryptedTextField().get_prep_value(ID_NUMBER)
