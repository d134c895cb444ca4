"""Accounts for tests: real rows through the real manager methods."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import User

PASSWORD = "Correct-Horse-42"


def make_member(mobile: str = "13800138000", *, display_name: str = "李华") -> User:
    return User.objects.create_member(mobile=mobile, password=PASSWORD, display_name=display_name)


def make_officer(
    username: str = "zhang.san", *, display_name: str = "张三", otp_required: bool = False
) -> User:
    user = User.objects.create_officer(username=username, password=PASSWORD, display_name=display_name)
    if otp_required:
        user.otp_required = True
        user.save(update_fields=["otp_required"])
    return user


def sign_in_verified(client: Client, user: User) -> None:
    """Sign `user` in on the test client as if they had also passed the one-time code step,
    so tests of pages behind a required second factor need not type codes."""
    client.force_login(user)
    if user.otp_required or user.is_superuser:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
