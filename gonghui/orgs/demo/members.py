"""Turning generated member specs into rows: `Member` instances for bulk_create, or COPY text.

Both start from the same field values. For COPY only the encrypted fields go through their
model field (so the token is exactly what `save()` would store); every other value is a date,
number, flag or plain text that COPY reads as it is, which saves most of the per-row cost of
running each field's conversion chain for millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from gonghui.core.fields import EncryptedTextField
from gonghui.members.models import Member, MemberStatus, id_number_index, mobile_index
from gonghui.orgs.demo.bulk import copy_line, insert_fields
from gonghui.orgs.demo.generator import MemberSpec


@dataclass(frozen=True)
class KeyBases:
    """Primary key of each table's first demo row; a spec's index is added to it."""

    org: int
    workplace: int
    member: int


def member_values(spec: MemberSpec, bases: KeyBases) -> dict[str, Any]:
    return {
        "id": bases.member + spec.number,
        "name": spec.name,
        "id_number": spec.id_number,
        "id_number_index": id_number_index(spec.id_number),
        "birth_date": spec.birth_date,
        "sex": spec.sex,
        "mobile": spec.mobile,
        "mobile_index": mobile_index(spec.mobile),
        "org_id": bases.org + spec.org_index,
        "workplace_id": None if spec.workplace_index is None else bases.workplace + spec.workplace_index,
        "is_gig_worker": spec.is_gig_worker,
        "gig_platform": spec.gig_platform,
        "is_migrant_worker": spec.is_migrant_worker,
        "is_model_worker": spec.is_model_worker,
        "joined_on": spec.joined_on,
        "status": MemberStatus.ACTIVE.value,
    }


def member_instance(spec: MemberSpec, bases: KeyBases) -> Member:
    return Member(**member_values(spec, bases))


class MemberCopyLines:
    """COPY text lines for member specs, in the column order of `insert_fields(Member)`."""

    def __init__(self, bases: KeyBases, connection: BaseDatabaseWrapper) -> None:
        self.bases = bases
        self.connection = connection
        self.fields = insert_fields(Member)
        now = timezone.now()
        # Fields a spec does not set (a column added later, say) get their model default.
        self.defaults = {field.attname: field.get_default() for field in self.fields}
        self.defaults.update(created_at=now, updated_at=now)
        self.encrypted = [field for field in self.fields if isinstance(field, EncryptedTextField)]

    def __call__(self, spec: MemberSpec) -> str:
        values = {**self.defaults, **member_values(spec, self.bases)}
        for field in self.encrypted:
            values[field.attname] = field.get_db_prep_save(values[field.attname], self.connection)
        return copy_line(tuple(values[field.attname] for field in self.fields))
