from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.parametrize(
    "typed", ["13800138000", "138 0013 8000", "+86 13800138000", "１３８００１３８０００"]
)
def test_member_signs_in_with_the_mobile_number_in_any_common_spelling(client, typed):
    make_member()
    response = _login(client, typed)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session.get("_auth_user_id")


def test_officer_signs_in_with_username_and_lands_in_the_console(client):
    make_officer()
    response = _login(client, "zhang.san")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:dashboard")


def test_wrong_password_gets_a_clear_chinese_message_and_no_session(client):
    make_member()
    response = _login(client, "13800138000", "wrong-password")
    assert response.status_code == 200
    assert "手机号、用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_renders_in_chinese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    assert "登录" in html


def test_five_failures_lock_the_account_on_that_address_even_with_respelled_numbers(client):
    make_member()
    for typed in ["13800138000", "138 0013 8000", "+8613800138000", "13800138000", "１３８００１３８０００"]:
        _login(client, typed, "wrong-password")
    response = _login(client, "13800138000")  # now even the right password is refused
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_locked_out(client):
    make_member()
    for _ in range(5):
        _login(client, "13800138000", "wrong-password")
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert _login(other, "13800138000").status_code == 302


def test_login_form_requires_the_csrf_token():
    make_member()
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "13800138000")
    assert response.status_code == 403


def test_logout_needs_post_and_ends_the_session(client):
    user = make_member()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_requires_the_old_password_and_audits(client):
    from gonghui.core.models import AuditEvent

    user = make_member()
    client.force_login(user)
    bad = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Another-Pass-77", "new_password2": "Another-Pass-77"},
    )
    assert bad.status_code == 200
    assert "旧密码" in bad.content.decode()
    good = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Another-Pass-77", "new_password2": "Another-Pass-77"},
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Pass-77")
    event = AuditEvent.objects.get(action="accounts.change_password")
    assert event.actor == user
    assert "13800138000" not in event.object_repr


def test_safe_redirect_after_login_ignores_foreign_hosts(client):
    make_member()
    response = client.post(
        LOGIN, {"username": "13800138000", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
