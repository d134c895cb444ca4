from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gonghui.accounts import services
from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.forms import ApiTokenForm, LoginForm, OtpCodeForm
from gonghui.accounts.models import AccountKind, ApiToken
from gonghui.core.errors import DomainError
from gonghui.core.redirects import safe_next_url


def _apply_error(form: OtpCodeForm | ApiTokenForm, error: DomainError) -> None:
    # Unlike `gonghui.core.forms.show_domain_error`, only the error's own message is shown:
    # these forms have one or two inputs, and "The code is not correct." reads better above the
    # form than the terse per-field "Incorrect code." next to it.
    form.add_error(None, error.message)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        user = self.request.user
        if services.confirmed_totp_device(user) is not None:  # type: ignore[arg-type]
            return f"{reverse('accounts:otp_verify')}?{urlencode({'next': self.get_redirect_url()})}"
        if getattr(user, "is_officer", False) and not self.get_redirect_url():
            return str(reverse_lazy("console:dashboard"))
        if getattr(user, "kind", None) == AccountKind.MERCHANT and not self.get_redirect_url():
            return str(reverse_lazy("portal:merchant_desk"))  # a till account can only redeem
        return super().get_success_url()


class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        services.record_password_change(actor=signed_in_user(self.request))
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def lockout(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    return render(request, "accounts/lockout.html", status=429)


@member_area
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user.is_officer:
        messages.info(request, _("Two-factor authentication is for officer accounts."))
        return redirect("portal:me")
    if services.confirmed_totp_device(user) is not None:
        return render(
            request, "accounts/otp_enabled.html", {"form": OtpCodeForm(), "required": user.otp_required}
        )
    device = services.pending_totp_device(actor=user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.confirm_totp_device(actor=user, code=form.cleaned_data["code"])
        except DomainError as error:
            _apply_error(form, error)
        else:
            otp_login(request, confirmed)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(safe_next_url(request, "console:dashboard"))
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    context = {"form": form, "secret": secret, "qr_data_uri": qr.svg_data_uri(scale=5)}
    return render(request, "accounts/otp_setup.html", context)


@member_area
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    device = services.confirmed_totp_device(user)
    if device is None:
        return redirect("accounts:otp_setup")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(safe_next_url(request, "console:dashboard"))
        form.add_error("code", _("The code is not correct. Check the time on your phone and try again."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@require_POST
@member_area
def otp_disable(request: HttpRequest) -> HttpResponse:
    form = OtpCodeForm(request.POST)
    if form.is_valid():
        try:
            services.disable_totp(actor=signed_in_user(request), code=form.cleaned_data["code"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Two-factor authentication is off."))
    else:
        messages.error(request, _("The code has six digits."))
    return redirect("accounts:otp_setup")


TOKEN_COLUMNS = [
    {"key": "name", "label": gettext_lazy("Name")},
    {"key": "prefix", "label": gettext_lazy("Starts with"), "template": "accounts/_token_prefix.html"},
    {"key": "expires_at", "label": gettext_lazy("Expires"), "class": "nowrap"},
    {"key": "last_used_at", "label": gettext_lazy("Last used"), "class": "nowrap"},
    {"key": "revoked_at", "label": gettext_lazy("Status"), "template": "accounts/_token_status.html"},
]


@member_area
def tokens(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(actor=user, **form.as_kwargs())
        except DomainError as error:
            _apply_error(form, error)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=user),
        "columns": TOKEN_COLUMNS,
    }
    return render(request, "accounts/tokens.html", context)


@require_POST
@member_area
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(token_id, actor=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token has been revoked."))
    return redirect("accounts:tokens")
