"""The "I need help" page and opening an account to ask for help."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages

pytestmark = pytest.mark.django_db

BACKEND = "gonghui.accounts.backends.MobileOrUsernameBackend"
MOBILE = "13912345678"
ACCOUNT_URL = "/help/account/"


def _html(response) -> str:
    return str(response.content.decode())


def _texted_code(mobile: str = MOBILE) -> str:
    match = re.search(r"\d{6}", outbox_messages(mobile, limit=1)[0])
    assert match is not None
    return match.group()


def _account_form(**changes: str) -> dict[str, str]:
    return {
        "name": "王 骑手",
        "mobile": MOBILE,
        "code": _texted_code(),
        "password": "Rider-2026-ok",
        "password_again": "Rider-2026-ok",
        "next": "/help/",
        **changes,
    }


def test_the_page_is_public_offers_three_doors_and_asks_a_visitor_to_sign_in(client: Client) -> None:
    html = _html(client.get(reverse("portal:help")))
    for door in ("portal:dispute_new", "portal:consultation_new", "portal:legal_aid_new"):
        assert f'href="{reverse(door)}"' in html
    assert "12351" in html
    assert reverse("portal:help_account") in html
    assert "我的案件" in html


def test_a_signed_in_worker_without_cases_is_told_so(client: Client) -> None:
    client.force_login(make_member(display_name="李华"), backend=BACKEND)
    html = _html(client.get(reverse("portal:help")))
    assert "您还没有案件" in html
    assert reverse("portal:help_account") not in html


def test_a_worker_opens_an_account_with_a_texted_code_and_is_signed_in(client: Client) -> None:
    sent = client.post(ACCOUNT_URL, {"mobile": MOBILE, "send_code": "1", "name": "王骑手"})
    assert "验证码已发送至" in _html(sent)
    assert 'value="王骑手"' in _html(sent)  # what was typed comes back

    response = client.post(ACCOUNT_URL, _account_form())

    assert response.status_code == 302
    assert response["Location"] == "/help/"
    user = User.objects.get(username=MOBILE)
    assert user.is_member
    assert user.display_name == "王骑手"
    assert client.get(reverse("portal:me")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.open_member_account", actor=user).exists()


def test_a_wrong_code_or_a_bad_mobile_number_opens_nothing(client: Client) -> None:
    client.post(ACCOUNT_URL, {"mobile": MOBILE, "send_code": "1"})
    wrong = _account_form(code="000000" if _texted_code() != "000000" else "111111")
    assert client.post(ACCOUNT_URL, wrong).status_code == 200
    bad = client.post(ACCOUNT_URL, {"mobile": "12345", "send_code": "1"})
    assert "手机号" in _html(bad)
    assert not User.objects.filter(username=MOBILE).exists()


def test_a_number_that_has_an_account_is_sent_to_sign_in(client: Client) -> None:
    make_member(MOBILE)
    client.post(ACCOUNT_URL, {"mobile": MOBILE, "send_code": "1"})
    response = client.post(ACCOUNT_URL, _account_form())
    assert "该手机号已注册账号" in _html(response)
    assert User.objects.filter(username=MOBILE).count() == 1


def test_an_outside_next_address_is_not_followed(client: Client) -> None:
    client.post(ACCOUNT_URL, {"mobile": MOBILE, "send_code": "1"})
    response = client.post(ACCOUNT_URL, _account_form(next="https://evil.example/"))
    assert response["Location"] == "/help/"


def test_a_signed_in_person_goes_straight_on(client: Client) -> None:
    client.force_login(make_member(), backend=BACKEND)
    response = client.get(ACCOUNT_URL + "?next=/help/")
    assert response.status_code == 302
    assert response["Location"] == "/help/"
