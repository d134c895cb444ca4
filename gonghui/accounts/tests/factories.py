"""Accounts for tests: real rows through the real manager methods."""

from __future__ import annotations

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
