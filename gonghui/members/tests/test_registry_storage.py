"""The member registry's storage guarantees: encryption at rest, blind-index lookup, and at most
one active membership per person enforced by the database itself."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.crypto import blind_index
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db
ID_CONTEXT = "members.Member.id_number"


@pytest.fixture
def union() -> Org:
    return Org.objects.add_root(
        create_kwargs={"code": "U1", "name": "示范市总工会", "kind": OrgKind.FEDERATION, "level": "city"}
    )


def _member(union: Org, id_number: str, status: str = MemberStatus.ACTIVE) -> Member:
    return Member.objects.create(
        name="王小明",
        id_number=id_number,
        id_number_index=blind_index(id_number, context=ID_CONTEXT),
        birth_date=date(1990, 3, 7),
        sex="male",
        mobile="13800138000",
        org=union,
        joined_on=date(2020, 1, 1),
        status=status,
    )


def test_id_and_mobile_numbers_are_stored_encrypted_and_read_back_as_text(union):
    id_number = make_id_number("330203", date(1990, 3, 7), 123, "male")
    member = _member(union, id_number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM members_member WHERE id = %s", [member.pk])
        stored_id, stored_mobile = cursor.fetchone()
    assert id_number not in stored_id
    assert stored_id.startswith("v1.")
    assert "13800138000" not in stored_mobile
    fresh = Member.objects.get(pk=member.pk)
    assert fresh.id_number == id_number
    assert fresh.masked_id_number == id_number[:6] + "********" + id_number[-4:]
    assert fresh.masked_mobile == "138****8000"
    assert fresh.masked_name == "王**"
    assert str(fresh) == "王**"


def test_exact_lookup_goes_through_the_blind_index(union):
    id_number = make_id_number("330203", date(1990, 3, 7), 123, "male")
    member = _member(union, id_number)
    found = Member.objects.get(id_number_index=blind_index(id_number, context=ID_CONTEXT))
    assert found.pk == member.pk


def test_the_database_refuses_a_second_active_membership_for_the_same_person(union):
    id_number = make_id_number("330203", date(1990, 3, 7), 123, "male")
    _member(union, id_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        _member(union, id_number)
    assert Member.objects.count() == 1


def test_past_memberships_do_not_block_a_new_active_one(union):
    id_number = make_id_number("330203", date(1990, 3, 7), 123, "male")
    _member(union, id_number, status=MemberStatus.LEFT)
    _member(union, id_number, status=MemberStatus.TRANSFERRED_OUT)
    _member(union, id_number)
    assert Member.objects.active().count() == 1


def test_audit_values_mask_personal_data(union):
    id_number = make_id_number("330203", date(1990, 3, 7), 123, "male")
    member = _member(union, id_number)
    assert member.audit_value("id_number") == member.masked_id_number
    assert member.audit_value("mobile") == "138****8000"
    assert member.audit_value("status") == "active"
