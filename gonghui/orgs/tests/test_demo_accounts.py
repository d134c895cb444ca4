"""Demo accounts follow the 2FA rule for federation-level roles, and the demo can show the code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings) -> None:
    call_command("seed_demo", "--scale", "tiny", stdout=StringIO())


def test_federation_level_demo_officers_need_a_second_factor_and_grassroots_ones_do_not(demo) -> None:
    assert User.objects.get(username="city.admin").otp_required
    assert User.objects.get(username="district.officer").otp_required
    assert not User.objects.get(username="union.officer").otp_required


def test_the_demo_code_is_accepted_by_the_accounts_authenticator(demo) -> None:
    out = StringIO()
    call_command("demo_otp_code", "city.admin", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    device = TOTPDevice.objects.get(user__username="city.admin")
    assert device.verify_token(code)


@pytest.mark.parametrize("username", ["union.officer", "someone.else"])
def test_no_code_for_accounts_without_a_demo_authenticator(demo, username: str) -> None:
    with pytest.raises(CommandError):
        call_command("demo_otp_code", username, stdout=StringIO())


def test_refuses_in_production(demo, settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo_otp_code", "city.admin", stdout=StringIO())
