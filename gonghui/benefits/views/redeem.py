"""Console page: redeeming pick-up vouchers at a union (现场领取核销). The same look-up and confirm
flow as the merchant till; the service decides which codes an officer may redeem (those of
campaigns picked up at a union where the officer holds benefits.change), any other code is
"unknown". An officer without benefits.change anywhere is refused the page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gonghui.accounts.decorators import officer_required
from gonghui.accounts.models import User
from gonghui.benefits.models import Voucher
from gonghui.benefits.portal_views.merchant_desk import TODAY_SHOWN, run_till
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths


@require_http_methods(["GET", "POST"])
@never_cache
@officer_required
def redeem(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if scope_paths(user, Perm.BENEFITS_CHANGE) == []:
        raise PermissionDenied
    context = run_till(request, user)
    context["today"] = list(
        Voucher.objects.filter(redeemed_by=user, redeemed_at__date=timezone.localdate())
        .select_related("claim__item", "campaign", "redeemed_org")
        .order_by("-redeemed_at")[:TODAY_SHOWN]
    )
    return render(request, "benefits/desk_pickup.html", context)


urlpatterns: list[URLPattern] = [
    path("redeem/", redeem, name="redeem"),
]
