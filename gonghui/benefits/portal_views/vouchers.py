"""Portal pages: my vouchers (我的券) by state, and one voucher with its code in groups of four and
a QR code of the code, for the till to scan. Only the owner sees a voucher: any other code is 404."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.benefits.codes import VOUCHER_CODE_LENGTH, normalise_code
from gonghui.benefits.models import Delivery, Voucher
from gonghui.benefits.offers import my_vouchers

VOUCHERS_PER_PAGE = 20
STATES: tuple[tuple[str, str | Promise], ...] = (
    ("valid", gettext_lazy("Valid")),
    ("used", gettext_lazy("Used")),
    ("expired", gettext_lazy("Expired")),
)


@dataclass(frozen=True)
class VoucherCard:
    voucher: Voucher
    state: str
    where: str  # where it can be used


def where_to_use(voucher: Voucher) -> str:
    campaign = voucher.campaign
    if campaign.delivery == Delivery.PICKUP and campaign.pickup_org is not None:
        return f"{campaign.pickup_org.name} {campaign.pickup_note}".strip()
    names = "、".join(merchant.name for merchant in campaign.merchants.all())
    return names or _("The merchants named by the campaign")


@require_GET
@member_area
def voucher_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "valid")
    if state not in dict(STATES):
        state = "valid"
    vouchers = my_vouchers(signed_in_user(request), state).prefetch_related("campaign__merchants")
    page = Paginator(vouchers, VOUCHERS_PER_PAGE).get_page(request.GET.get("page"))
    cards = [VoucherCard(voucher, voucher.state(), where_to_use(voucher)) for voucher in page.object_list]
    context = {"cards": cards, "page_obj": page, "state": state, "states": STATES, "nav_section": "benefits"}
    return render(request, "benefits/portal_voucher_list.html", context)


# never_cache: the page shows whether the voucher is still valid.
@require_GET
@never_cache
@member_area
def voucher_detail(request: HttpRequest, code: str) -> HttpResponse:
    normal = normalise_code(code)
    if len(normal) != VOUCHER_CODE_LENGTH:
        raise Http404
    voucher = (
        my_vouchers(signed_in_user(request))
        .prefetch_related("campaign__merchants")
        .filter(code=normal)
        .first()
    )
    if voucher is None:
        raise Http404
    state = voucher.state()
    context = {
        "voucher": voucher,
        "state": state,
        "where": where_to_use(voucher),
        "groups": [voucher.code[i : i + 4] for i in range(0, len(voucher.code), 4)],
        "qr_data_uri": segno.make(voucher.code, error="m").svg_data_uri(scale=6) if state == "valid" else "",
        "nav_section": "benefits",
    }
    return render(request, "benefits/portal_voucher_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("benefits/vouchers/", voucher_list, name="my_vouchers"),
    path("benefits/vouchers/<str:code>/", voucher_detail, name="voucher_detail"),
]
