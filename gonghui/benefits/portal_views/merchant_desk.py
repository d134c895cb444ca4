"""The merchant's till (核销台): for merchant accounts only. A hand scanner types the code and
Enter (or the cashier types it), 查询 shows what to hand over, 确认核销 redeems it once. The
service decides which codes this till may see: any other is "unknown", like a code that does
not exist."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.models import Merchant, MerchantAccount, Voucher
from gonghui.benefits.services import vouchers as voucher_services
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error

TODAY_SHOWN = 50


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Voucher code"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "enterkeyhint": "search",
                "class": "desk-code-input",
            }
        ),
    )


def scanned_code(text: str) -> str:
    """What the scanner or the cashier gave: the code itself (the voucher's QR holds just the
    code); a link ending in the code is read as its last part."""
    text = text.strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return text[:40]


def merchant_of(request: HttpRequest) -> Merchant | None:
    user = request.user
    if not isinstance(user, User) or user.kind != AccountKind.MERCHANT:
        return None
    account = MerchantAccount.objects.select_related("merchant").filter(user=user).first()
    return account.merchant if account is not None else None


def todays_redemptions(merchant: Merchant) -> list[Voucher]:
    today = timezone.localdate()
    return list(
        Voucher.objects.filter(redeemed_merchant=merchant, redeemed_at__date=today)
        .select_related("claim__item", "campaign")
        .order_by("-redeemed_at")[:TODAY_SHOWN]
    )


def run_till(request: HttpRequest, user: User) -> dict[str, Any]:
    """The inspect / confirm flow shared by the merchant till and the console's pick-up page:
    POST action=inspect looks the code up, action=redeem redeems it."""
    context: dict[str, Any] = {"view": None, "redeemed": None, "refusal": None}
    if request.method != "POST":
        context["form"] = CodeForm()
        return context
    form = CodeForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return context
    code = scanned_code(form.cleaned_data["code"])
    try:
        if request.POST.get("action") == "redeem":
            context["redeemed"] = voucher_services.redeem_voucher(code, actor=user)
            context["form"] = CodeForm()  # ready for the next customer
        else:
            context["view"] = voucher_services.inspect_voucher(code, actor=user)
    except voucher_services.VoucherRefused as refusal:
        context["refusal"] = refusal.message
    except DomainError as error:
        show_domain_error(form, error)
    return context


@require_http_methods(["GET", "POST"])
@never_cache
def merchant_desk(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    merchant = merchant_of(request)
    if merchant is None:
        raise PermissionDenied
    assert isinstance(request.user, User)
    context = run_till(request, request.user)
    context.update({"merchant": merchant, "today": todays_redemptions(merchant), "nav_section": "desk"})
    return render(request, "benefits/desk_till.html", context)


urlpatterns: list[URLPattern] = [
    path("benefits/desk/", merchant_desk, name="merchant_desk"),
]
