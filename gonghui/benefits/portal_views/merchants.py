"""Portal pages: the merchants that give members a discount, public (no sign-in needed: people
look for a shop before they join), phone first.

The list filters by category and name and pages 20 at a time; with `?lat=&lng=` (which the
“nearest to me” button adds after asking the browser for its position) it is ordered by the
distance computed in the database (`gonghui.core.geo`) and each merchant shows it. A position
that is not valid is ignored with a message, and the normal list is shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gonghui.benefits.models import Merchant, MerchantCategory, MerchantPhoto
from gonghui.core.errors import ValidationFailed
from gonghui.core.geo import distance_label, navigation_url, parse_position, with_distance
from gonghui.core.text import normalize_text, tel_digits

PAGE_SIZE = 20
QUERY_MAX = 40


def _position(request: HttpRequest) -> tuple[tuple[Decimal, Decimal] | None, str]:
    lat, lng = request.GET.get("lat"), request.GET.get("lng")
    if not lat and not lng:
        return None, ""
    try:
        return parse_position(lat, lng), ""
    except ValidationFailed:
        return None, _("The position your browser gave could not be used; the list is in its usual order.")


def _first_photos() -> Prefetch[str, QuerySet[MerchantPhoto], str]:
    return Prefetch("photos", queryset=MerchantPhoto.objects.order_by("position", "id"), to_attr="photo_list")


@require_GET
def merchant_list(request: HttpRequest) -> HttpResponse:
    rows: QuerySet[Merchant] = Merchant.objects.active()
    category = request.GET.get("category") or ""
    if category not in MerchantCategory.values:
        category = ""
    if category:
        rows = rows.filter(category=category)
    q = normalize_text(request.GET.get("q") or "")[:QUERY_MAX]
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(district__icontains=q))
    position, position_problem = _position(request)
    rows = with_distance(rows, *position) if position is not None else rows.order_by("name", "id")
    page = Paginator(rows.prefetch_related(_first_photos()), PAGE_SIZE).get_page(request.GET.get("page"))
    merchants = list(page.object_list)
    for merchant in merchants:
        merchant.distance = distance_label(getattr(merchant, "distance_km", None))
        photos = getattr(merchant, "photo_list", [])
        merchant.cover = photos[0] if photos else None
    context: dict[str, Any] = {
        "merchants": merchants,
        "page_obj": page,
        "categories": MerchantCategory.choices,
        "category": category,
        "q": q,
        "nearest": position is not None,
        "position_problem": position_problem,
        "nav_section": "benefits",
    }
    return render(request, "benefits/portal_merchant_list.html", context)


@require_GET
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = Merchant.objects.active().filter(pk=pk).prefetch_related(_first_photos()).first()
    if merchant is None:
        raise Http404
    context = {
        "merchant": merchant,
        "photos": getattr(merchant, "photo_list", []),
        "navigation_url": navigation_url(merchant.name, merchant.latitude, merchant.longitude),
        "tel": tel_digits(merchant.phone),
        "nav_section": "benefits",
    }
    return render(request, "benefits/portal_merchant_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("benefits/merchants/", merchant_list, name="merchant_list"),
    path("benefits/merchants/<int:pk>/", merchant_detail, name="merchant_detail"),
]
