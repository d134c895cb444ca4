"""Model fields for personal data that is stored encrypted (see gonghui.core.crypto).

The intended pattern, for any value that must also be found or kept unique:

    class Member(models.Model):
        id_number = EncryptedTextField(_("ID number"))
        id_number_index = models.CharField(max_length=64, unique=True, editable=False)

and in the service that writes it:

    id_number = parse_id_number(raw)
    member.id_number = id_number.value
    member.id_number_index = blind_index(id_number.value, context=MEMBER_ID_NUMBER)

Lookups then go through the index: `Member.objects.filter(id_number_index=blind_index(...))`.
The encrypted column itself only supports `__isnull`: every other lookup would compare against
a freshly encrypted value with a new random nonce and silently match nothing, so it is refused.

The encryption context is the field's "<app label>.<Model>.<field name>". Renaming the model or
the field changes it and makes the stored tokens undecryptable, so a rename must pass the old
name explicitly: `EncryptedTextField(context="members.Member.id_number")`.

Every save encrypts afresh with the active key, so re-saving a row also completes a key rotation.
Serialisation (`dumpdata`, `serializers.serialize`) writes the plaintext, as it does for every
field's Python value: treat such dumps as personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.db.models.lookups import Lookup

from gonghui.core.crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Holds plaintext `str` in Python and an AES-GCM token in the database."""

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self._explicit_context = context
        self.context = context or ""
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not self._explicit_context:
            self.context = f"{cls._meta.label}.{name}"

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self._explicit_context:
            kwargs["context"] = self._explicit_context
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or self.primary_key:
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be unique: every encryption of a value differs.",
                    hint="Add a CharField(max_length=64, unique=True) filled with blind_index().",
                    obj=self,
                    id="core.E001",
                )
            )
        return errors

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        return None if value is None else decrypt(value, context=self._required_context())

    def to_python(self, value: Any) -> str | None:
        # Plaintext on the Python side: forms, deserialisation and assignment all hand over text.
        return None if value is None else str(value)

    def get_prep_value(self, value: Any) -> str | None:
        plaintext = super().get_prep_value(value)
        return None if plaintext is None else encrypt(plaintext, context=self._required_context())

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise self._refused(lookup_name)

    def get_transform(self, lookup_name: str) -> NoReturn:
        raise self._refused(lookup_name)

    def _refused(self, lookup_name: str) -> FieldError:
        return FieldError(
            f"{self.context or 'EncryptedTextField'} is encrypted and supports only the isnull lookup, "
            f"not {lookup_name!r}: look rows up through its blind index (see gonghui.core.fields)."
        )

    def _required_context(self) -> str:
        if not self.context:
            raise ImproperlyConfigured(
                "EncryptedTextField needs a model (or an explicit context) to encrypt."
            )
        return self.context
