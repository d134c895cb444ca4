from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.backends import normalize_login
from gonghui.core.inputs import CleanCharField


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number or username"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The mobile number, username or password is not correct."),
        "inactive": _("This account has been disabled. Please contact your union."),
    }

    def clean_username(self) -> str:
        return normalize_login(self.cleaned_data["username"])


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        error_messages={
            "required": _("Enter the code."),
            "min_length": _("The code has six digits."),
            "max_length": _("The code has six digits."),
        },
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has six digits."), code="digits")
        return code


class ApiTokenForm(forms.Form):
    name = CleanCharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("What the token is for, for example the name of the system that uses it."),
        error_messages={"required": _("Give the token a name.")},
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year"))],
        initial=90,
    )

    def as_kwargs(self) -> dict[str, Any]:
        return {"name": self.cleaned_data["name"], "expires_in_days": self.cleaned_data["expires_in_days"]}
