"""The portal's "I need help" (我要求助) page: one door to a labour dispute, a legal question or
legal aid, and the worker's own cases of all three; and the page where a worker without an account
opens one with their mobile number (any worker may ask for help, not only union members)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.models import User, VerificationPurpose
from gonghui.accounts.services import open_member_account
from gonghui.accounts.verification import check_verification_code, send_verification_code
from gonghui.core.errors import Conflict, DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.middleware import client_ip_of
from gonghui.core.mobile import InvalidMobile, mask_mobile, parse_mobile
from gonghui.core.ratelimit import over_limit
from gonghui.core.redirects import safe_next_url
from gonghui.core.text import normalize_name
from gonghui.members.portal_views.join import LOGIN_BACKEND, ConfirmForm
from gonghui.portal.cases import cases_of

CODE_LIMIT = (10, 3600)  # texted codes per client address and hour


@require_GET
def help_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    signed_in = isinstance(user, User) and user.is_authenticated
    context: dict[str, Any] = {"cases": cases_of(user) if signed_in else [], "signed_in": signed_in}
    return render(request, "portal/help.html", context)


class HelpAccountForm(ConfirmForm):
    """A new portal account: who the worker is, their mobile number proved by a texted code and
    a password (the code and password fields are the joining form's)."""

    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=40,
        error_messages={"required": gettext_lazy("Enter your name.")},
    )
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": gettext_lazy("Enter your mobile number.")},
    )
    field_order = ["name", "mobile", "code", "password", "password_again"]

    def clean_name(self) -> str:
        name = normalize_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def clean_mobile(self) -> str:
        return _mobile_number(self.cleaned_data["mobile"])


class CodeRequestForm(forms.Form):
    mobile = forms.CharField(
        max_length=20, error_messages={"required": gettext_lazy("Enter your mobile number.")}
    )

    def clean_mobile(self) -> str:
        return _mobile_number(self.cleaned_data["mobile"])


def _mobile_number(text: str) -> str:
    try:
        return parse_mobile(text)
    except InvalidMobile as exc:
        raise forms.ValidationError(exc.message, code="invalid") from exc


def _send_code(request: HttpRequest) -> tuple[str | None, str | None]:
    """(masked number the code went to, None) or (None, why not)."""
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        return None, str(form.errors["mobile"][0])
    most, seconds = CODE_LIMIT
    if over_limit("portal.help.code", client_ip_of(request) or "unknown", limit=most, seconds=seconds):
        return None, _("Too many requests. Please wait a moment and try again.")
    mobile = form.cleaned_data["mobile"]
    try:
        send_verification_code(mobile, purpose=VerificationPurpose.HELP)
    except DomainError as exc:
        return None, exc.message
    return mask_mobile(mobile), None


@never_cache
@require_http_methods(["GET", "POST"])
def help_account(request: HttpRequest) -> HttpResponse:
    """Open an account, sign in and go on to where the worker was going (`next`)."""
    next_url = safe_next_url(request, default="portal:help")
    if request.user.is_authenticated:
        return redirect(next_url)
    context: dict[str, Any] = {"next": next_url}
    if request.method == "POST" and "send_code" in request.POST:
        context["sent_to"], context["code_error"] = _send_code(request)
        context["form"] = HelpAccountForm(initial=request.POST.dict())
        return render(request, "portal/help_account.html", context)
    form = HelpAccountForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return render(request, "portal/help_account.html", context)
    data = form.cleaned_data
    try:
        proof = check_verification_code(data["mobile"], data["code"], purpose=VerificationPurpose.HELP)
        user = open_member_account(
            mobile=data["mobile"], password=data["password"], display_name=data["name"], proof=proof
        )
    except ValidationFailed as exc:
        show_domain_error(form, exc)
        return render(request, "portal/help_account.html", context)
    except Conflict as exc:
        if exc.code != "account_exists":
            raise
        context["account_exists"] = True
        return render(request, "portal/help_account.html", context)
    login(request, user, backend=LOGIN_BACKEND)
    messages.success(request, _("Your account is open. You are signed in."))
    return redirect(next_url)
