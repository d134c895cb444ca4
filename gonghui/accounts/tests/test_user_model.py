from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gonghui import settings as production
from gonghui.accounts.models import AccountKind, User
from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer
from gonghui.core.mobile import InvalidMobile

pytestmark = pytest.mark.django_db


def test_member_username_is_the_normalised_mobile_number():
    user = User.objects.create_member(mobile="+86 138 0013 8000", password=PASSWORD, display_name="李华")
    assert user.username == "13800138000"
    assert user.mobile == "13800138000"
    assert user.kind == AccountKind.MEMBER
    assert user.is_member
    assert not user.is_officer


def test_member_with_invalid_mobile_is_refused_and_nothing_is_written():
    with pytest.raises(InvalidMobile):
        User.objects.create_member(mobile="12345", password=PASSWORD)
    assert not User.objects.exists()


def test_passwords_are_hashed_with_argon2(settings):
    # conftest.py hashes with MD5 for speed; this test puts back what production runs with.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = make_officer()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("username", ["13800138000", "ab", "张三", "x" * 41, "1abc", "a b"])
def test_officer_usernames_must_not_look_like_mobiles_or_contain_odd_characters(username):
    with pytest.raises(ValidationError):
        User.objects.create_officer(username=username, password=PASSWORD)


def test_public_username_and_audit_values_never_show_a_members_mobile():
    member = make_member()
    assert member.public_username == "138****8000"
    assert member.audit_value("username") == "138****8000"
    assert str(member) == "李华"
    officer = make_officer()
    assert officer.public_username == "zhang.san"
