"""API: the partner merchants, public (`auth=None`): what the portal's list and page show.

`GET /api/v1/benefits/merchants` lists active merchants, filtered by category and a name or
address search; with `lat` and `lng` it is ordered by the distance computed in the database
(`gonghui.core.geo`) and each item carries `distance_km`. `GET /api/v1/benefits/merchants/{id}`
is one active merchant. Suspended and ended merchants are not found."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, get_args

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.benefits.models import Merchant, MerchantCategory, MerchantPhoto
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.geo import with_distance
from gonghui.core.inputs import CleanText

router = Router(tags=["benefits"])

CategoryIn = Literal[
    "catering",
    "supermarket",
    "health",
    "culture",
    "sports",
    "travel",
    "education",
    "services",
    "auto",
    "other",
]
assert set(get_args(CategoryIn)) == set(MerchantCategory.values)


class MerchantQuery(Schema):
    category: CategoryIn | None = Field(None, description="Only merchants of this category.")
    q: CleanText = Field("", max_length=40, description="Part of the name, address or district.")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude (WGS-84): with lng, nearest first.")
    lng: float | None = Field(None, ge=-180, le=180, description="Longitude (WGS-84), with lat.")
    page: PageNumber = 1


class PhotoOut(Schema):
    url: str
    caption: str


class MerchantOut(Schema):
    id: int
    name: str
    category: str
    category_label: str
    discount_terms: str
    address: str
    district: str
    latitude: Decimal | None
    longitude: Decimal | None
    opening_hours: str
    phone: str
    description: str
    photos: list[PhotoOut]
    distance_km: float | None = Field(None, description="From lat/lng, when they were given.")
    portal_url: str


class MerchantPage(PageOut):
    items: list[MerchantOut]


def _photos() -> Prefetch[str, QuerySet[MerchantPhoto], str]:
    return Prefetch("photos", queryset=MerchantPhoto.objects.order_by("position", "id"), to_attr="photo_list")


def _out(merchant: Merchant) -> dict[str, Any]:
    distance = getattr(merchant, "distance_km", None)
    return {
        "id": merchant.pk,
        "name": merchant.name,
        "category": merchant.category,
        "category_label": str(merchant.get_category_display()),
        "discount_terms": merchant.discount_terms,
        "address": merchant.address,
        "district": merchant.district,
        "latitude": merchant.latitude,
        "longitude": merchant.longitude,
        "opening_hours": merchant.opening_hours,
        "phone": merchant.phone,
        "description": merchant.description,
        "photos": [
            {"url": photo.image.url, "caption": photo.caption}
            for photo in getattr(merchant, "photo_list", [])
        ],
        "distance_km": None if distance is None else round(float(distance), 3),
        "portal_url": reverse("portal:merchant_detail", args=[merchant.pk]),
    }


@router.get("", response=MerchantPage, auth=None, summary="Partner merchants (public)")
def list_merchants(request: HttpRequest, filters: Query[MerchantQuery]) -> dict[str, Any]:
    rows: QuerySet[Merchant] = Merchant.objects.active()
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.q:
        rows = rows.filter(
            Q(name__icontains=filters.q) | Q(address__icontains=filters.q) | Q(district__icontains=filters.q)
        )
    if (filters.lat is None) != (filters.lng is None):
        field = "lng" if filters.lng is None else "lat"
        message = _("Give both lat and lng, or neither.")
        raise ValidationFailed(message, fields={field: [message]})
    if filters.lat is not None and filters.lng is not None:
        rows = with_distance(rows, filters.lat, filters.lng)
    else:
        rows = rows.order_by("name", "id")
    meta, items = page_of(rows.prefetch_related(_photos()), filters.page)
    return {**meta, "items": [_out(merchant) for merchant in items]}


@router.get("/{int:merchant_id}", response=MerchantOut, auth=None, summary="One partner merchant (public)")
def get_merchant(request: HttpRequest, merchant_id: PathId) -> dict[str, Any]:
    merchant = Merchant.objects.active().filter(pk=merchant_id).prefetch_related(_photos()).first()
    if merchant is None:
        raise NotFound(_("This merchant does not exist."))
    return _out(merchant)
