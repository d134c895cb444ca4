"""Compiled queries give what their queryset gives, with new values on every run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.services import authenticate_api_token, create_api_token
from gonghui.core.compiled import CompiledInsert, CompiledSelect, CompiledUpdate, Param
from gonghui.members.models import Member
from gonghui.members.tests.factories import member_row
from gonghui.orgs.tests.factories import make_tree

pytestmark = pytest.mark.django_db

MEMBER_BY_NAME = CompiledSelect(
    lambda: (
        Member.objects.filter(name=Param("name", models.CharField())).select_related("org").order_by("pk")
    ),
    params=("name",),
)
MEMBER_FACTS = CompiledSelect(
    lambda: (
        Member.objects.filter(pk=Param("id", models.BigIntegerField()))
        .select_related("org")
        .only("id", "joined_on", "org__name")
    ),
    params=("id",),
)
RENAME = CompiledUpdate(
    lambda: (
        Member.objects.filter(name=Param("old", models.CharField())),
        {"name": Param("new", models.CharField())},
    ),
    params=("old", "new"),
)


def make_people() -> tuple[Member, Member, Member]:
    tree = make_tree()
    first, second, third = Member.objects.bulk_create(
        [
            member_row(tree.acme, name="李一", mobile="13800001111"),
            member_row(tree.beta, name="李一", mobile="13800002222"),
            member_row(tree.gamma, name="王二"),
        ]
    )
    return first, second, third


def test_rows_are_the_querysets_own_with_related_rows_and_decrypted_fields(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    first, second, _ = make_people()
    expected = list(Member.objects.filter(name="李一").select_related("org").order_by("pk"))
    with django_assert_num_queries(1):
        found = MEMBER_BY_NAME.all(name="李一")
        orgs = [member.org.name for member in found]  # loaded with the row: no second query
    assert [member.pk for member in found] == [first.pk, second.pk]
    assert orgs == ["东区甲公司工会", "东区乙公司工会"]
    for got, want in zip(found, expected, strict=True):
        assert got.id_number == want.id_number  # decrypted by the field's converter
        assert got.mobile == want.mobile
        assert got.joined_on == want.joined_on
        assert got.created_at == want.created_at
        assert got._state.adding is False
        assert got._state.db == "default"


def test_each_run_uses_its_own_values() -> None:
    _, _, third = make_people()
    assert len(MEMBER_BY_NAME.all(name="李一")) == 2
    assert [member.pk for member in MEMBER_BY_NAME.all(name="王二")] == [third.pk]
    assert MEMBER_BY_NAME.all(name="nobody") == []
    assert MEMBER_BY_NAME.first(name="nobody") is None


def test_only_loads_the_named_fields_and_defers_the_rest(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    first, _, _ = make_people()
    member = MEMBER_FACTS.first(id=first.pk)
    assert member is not None
    assert member.get_deferred_fields() >= {"id_number", "mobile", "name"}
    with django_assert_num_queries(0):
        assert member.org.name == "东区甲公司工会"
    with django_assert_num_queries(1):
        assert member.name == "李一"  # a deferred field loads on access, as with the queryset


def test_update_changes_the_matching_rows_and_counts_them() -> None:
    make_people()
    assert RENAME.run(old="李一", new="李壹") == 2
    assert RENAME.run(old="李一", new="李壹") == 0
    assert set(Member.objects.values_list("name", flat=True)) == {"李壹", "王二"}


def test_update_inside_a_transaction_is_rolled_back_with_it() -> None:
    make_people()

    def rename_then_fail() -> None:
        with transaction.atomic():
            RENAME.run(old="王二", new="王贰")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert Member.objects.filter(name="王二").count() == 1


def test_parameters_must_match_the_declared_names() -> None:
    make_people()
    query = CompiledSelect(
        lambda: Member.objects.filter(name=Param("name", models.CharField())), params=("surname",)
    )
    with pytest.raises(TypeError, match="parameters"):
        query.all(surname="李")


def test_values_querysets_are_refused() -> None:
    build: Any = lambda: Member.objects.filter(name=Param("name", models.CharField())).values("pk")  # noqa: E731
    query = CompiledSelect(build, params=("name",))
    with pytest.raises(TypeError, match="model instances"):
        query.all(name="李")


def test_token_sign_in_sees_expiry_and_revocation_as_of_each_request() -> None:
    """The token query is compiled once; the time it compares with must not be frozen in it."""
    user = User.objects.create_user(username="api.user", password="x-Very-long-pass-1")
    token, raw = create_api_token(actor=user, name="script", expires_in_days=30)
    assert authenticate_api_token(raw) == user
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate_api_token(raw) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    assert authenticate_api_token(raw) is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert authenticate_api_token(raw) is None


def test_token_sign_in_records_the_use_at_most_once_a_minute() -> None:
    user = User.objects.create_user(username="api.user", password="x-Very-long-pass-1")
    token, raw = create_api_token(actor=user, name="script", expires_in_days=30)
    authenticate_api_token(raw)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    authenticate_api_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    authenticate_api_token(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > first_use - timedelta(minutes=1)


INSERT_MEMBER = CompiledInsert(Member)


def test_insert_writes_the_row_save_would_write() -> None:
    tree = make_tree()
    member = INSERT_MEMBER.save(member_row(tree.acme, name="赵三", mobile="13800003333"))
    assert member.pk is not None
    assert member._state.adding is False
    stored = Member.objects.get(pk=member.pk)
    assert stored.name == "赵三"
    assert stored.id_number == member.id_number  # encrypted on the way in, decrypted on the way out
    assert stored.mobile == "13800003333"
    assert stored.created_at is not None  # auto_now_add ran
    assert stored.org_id == tree.acme.pk
    second = INSERT_MEMBER.save(member_row(tree.beta, name="钱四"))
    assert second.pk != member.pk
    assert Member.objects.get(pk=second.pk).org_id == tree.beta.pk


def test_insert_that_breaks_a_constraint_writes_nothing_and_raises() -> None:
    tree = make_tree()
    first = INSERT_MEMBER.save(member_row(tree.acme))
    duplicate = member_row(tree.beta, id_number=first.id_number)  # two active memberships of one person

    def insert_twice() -> None:
        with transaction.atomic():
            INSERT_MEMBER.save(member_row(tree.gamma))
            INSERT_MEMBER.save(duplicate)

    with pytest.raises(IntegrityError):
        insert_twice()
    assert list(Member.objects.values_list("pk", flat=True)) == [first.pk]
