from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from gonghui.accounts.models import User
from gonghui.core.mobile import is_mobile, normalize_mobile
from gonghui.core.text import normalize_text


def normalize_login(identifier: str) -> str:
    """What a person types to sign in → the username stored: mobiles in any common spelling
    (full-width digits, spaces, +86) become the bare 11 digits members are registered under."""
    text = normalize_text(identifier or "")
    return normalize_mobile(text) if is_mobile(text) else text


class MobileOrUsernameBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        return super().authenticate(request, username=normalize_login(username), password=password, **kwargs)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username django-axes counts failures against: normalised like the login itself, so
    that typing a mobile number with spaces or full-width digits does not reset the counter."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return normalize_login(str(raw))
