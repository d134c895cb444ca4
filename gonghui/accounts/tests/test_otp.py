from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer
from gonghui.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or in a later 30-second step: a used code cannot be replayed)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)
    return str(code).zfill(6)


def _sign_in(client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_officer_switches_on_two_factor_with_a_code_from_the_app(client):
    officer = make_officer()
    _sign_in(client, "zhang.san")
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    wrong = client.post(
        "/accounts/two-factor/", {"code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    right = client.post("/accounts/two-factor/", {"code": _code(device)})
    assert right.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="accounts.enable_totp", actor=officer).exists()


def test_after_two_factor_is_on_the_console_needs_the_code(client):
    officer = make_officer()
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    response = _sign_in(client, "zhang.san")
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    console = client.get("/console/")
    assert console.status_code == 302
    assert console["Location"].startswith("/accounts/two-factor/verify/")
    bad = client.post("/accounts/two-factor/verify/", {"code": "12ab56"})
    assert bad.status_code == 200
    assert "六位" in bad.content.decode()
    client.post("/accounts/two-factor/verify/", {"code": _code(device), "next": "/console/"})
    assert client.get("/console/").status_code == 200


def test_a_role_that_requires_two_factor_is_sent_to_set_it_up(client):
    make_officer(otp_required=True)
    _sign_in(client, "zhang.san")
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_required_two_factor_cannot_be_switched_off(client):
    officer = make_officer(otp_required=True)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    _sign_in(client, "zhang.san")
    client.post("/accounts/two-factor/verify/", {"code": _code(device)})
    client.post("/accounts/two-factor/disable/", {"code": _code(device, steps_ahead=1)})
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_two_factor_can_be_switched_off_with_a_valid_code_when_not_required(client):
    officer = make_officer()
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    _sign_in(client, "zhang.san")
    client.post("/accounts/two-factor/verify/", {"code": _code(device)})
    client.post("/accounts/two-factor/disable/", {"code": _code(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_members_do_not_get_two_factor_and_cannot_open_the_console(client):
    make_member()
    _sign_in(client, "13800138000")
    assert client.get("/accounts/two-factor/").status_code == 302
    assert not TOTPDevice.objects.exists()
    assert client.get("/console/").status_code == 403


def test_a_code_that_was_just_used_cannot_be_replayed(client):
    officer = make_officer()
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    _sign_in(client, "zhang.san")
    code = _code(device)
    client.post("/accounts/two-factor/verify/", {"code": code})
    client.post("/accounts/two-factor/disable/", {"code": code})
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
