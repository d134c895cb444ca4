"""Access rules for console views: one decorator, so a new page cannot forget them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from gonghui.accounts.models import User
from gonghui.accounts.services import confirmed_totp_device

View = TypeVar("View", bound=Callable[..., HttpResponse])


def pending_second_factor(request: HttpRequest) -> str | None:
    """The page a signed-in user must pass before the console or the API, as a URL name:
    verify the code (a device is set up), set one up (the role requires it), or None."""
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return None
    if confirmed_totp_device(user) is not None:  # type: ignore[arg-type]
        return "accounts:otp_verify"
    if getattr(user, "otp_required", False):
        return "accounts:otp_setup"
    return None


def to_login(request: HttpRequest) -> HttpResponse:
    """Send an anonymous visitor to the login page, then back. A request made by htmx (a table
    reload, a QR code renewal) would swap the login page into a fragment of the page: tell htmx
    to load the login page as a whole instead, returning to the page the person was on."""
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "") if current.path else "/"
        response = HttpResponse(status=200)
        response["HX-Redirect"] = redirect_to_login(back)["Location"]
        return response
    return redirect_to_login(request.get_full_path())


def officer_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return to_login(request)
        if not getattr(request.user, "is_officer", False):
            raise PermissionDenied
        step = pending_second_factor(request)
        if step is not None:
            return redirect_to_login(request.get_full_path(), step)
        return view(request, *args, **kwargs)

    return cast("View", wrapper)


def member_area(view: View) -> View:
    """Portal pages for any signed-in account (members, and officers looking at their own data)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return to_login(request)
        return view(request, *args, **kwargs)

    return cast("View", wrapper)


def signed_in_user(request: HttpRequest) -> User:
    """The account of a request that `officer_required` or `member_area` let through."""
    user = request.user
    assert isinstance(user, User)  # the view's decorator let only signed-in accounts in
    return user
