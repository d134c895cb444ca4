"""API: service points.

Public (`auth=None`), what the portal shows: `GET /api/v1/service-points` (listed points, by
kind, facility and a name or address search; with `lat` and `lng`, nearest first with
`distance_km`) and `GET /api/v1/service-points/{id}`.
Signed in: `POST /api/v1/service-points/{id}/check-ins` with the poster's code (201 for a new
visit, 200 for the visit already made today) and `POST /api/v1/service-points/visits/{id}/rating`.
Officers (services.view, their scope): `GET /api/v1/service-points/{id}/figures` and
`GET /api/v1/service-points/ranking`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.geo import with_distance
from gonghui.core.inputs import CleanText
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible
from gonghui.services.models import MAX_COMMENT, Facility, PointKind, ServicePoint, ServicePointPhoto
from gonghui.services.selectors import PRIOR_WEIGHT, point_figures, ranking, with_facility
from gonghui.services.services.visits import check_in, rate_visit

router = Router(tags=["service points"])

KindIn = Literal["outdoor_worker_station", "nursing_room", "reading_room", "member_home", "other"]
assert set(get_args(KindIn)) == set(PointKind.values)
FacilityIn = Literal[
    "water",
    "microwave",
    "charging",
    "toilet",
    "rest_area",
    "air_conditioning",
    "first_aid",
    "wifi",
    "repair_tools",
    "books",
    "nursing",
]
assert set(get_args(FacilityIn)) == set(Facility.values)
RECENT_DAYS = 30


class PointQuery(Schema):
    kind: KindIn | None = Field(None, description="Only points of this kind.")
    facility: FacilityIn | None = Field(None, description="Only points that have this facility.")
    q: CleanText = Field("", max_length=40, description="Part of the name, address or district.")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude (WGS-84): with lng, nearest first.")
    lng: float | None = Field(None, ge=-180, le=180, description="Longitude (WGS-84), with lat.")
    page: PageNumber = 1


class PhotoOut(Schema):
    url: str
    caption: str


class PointOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    status: str
    address: str
    district: str
    latitude: Decimal | None
    longitude: Decimal | None
    opening_hours: str
    facilities: list[str]
    contact_name: str
    contact_phone: str
    description: str
    org_name: str
    photos: list[PhotoOut]
    distance_km: float | None = Field(None, description="From lat/lng, when they were given.")
    portal_url: str


class PointPage(PageOut):
    items: list[PointOut]


def _photos() -> Prefetch[str, QuerySet[ServicePointPhoto], str]:
    return Prefetch(
        "photos", queryset=ServicePointPhoto.objects.order_by("position", "id"), to_attr="photo_list"
    )


def _out(point: ServicePoint) -> dict[str, Any]:
    distance = getattr(point, "distance_km", None)
    return {
        "id": point.pk,
        "kind": point.kind,
        "kind_label": str(point.get_kind_display()),
        "name": point.name,
        "status": point.status,
        "address": point.address,
        "district": point.district,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "opening_hours": point.opening_hours,
        "facilities": list(point.facilities),
        "contact_name": point.contact_name,
        "contact_phone": point.contact_phone,
        "description": point.description,
        "org_name": point.org.name,
        "photos": [
            {"url": photo.image.url, "caption": photo.caption} for photo in getattr(point, "photo_list", [])
        ],
        "distance_km": None if distance is None else round(float(distance), 3),
        "portal_url": reverse("portal:service_point", args=[point.pk]),
    }


@router.get("", response=PointPage, auth=None, summary="Service points (public)")
def list_points(request: HttpRequest, filters: Query[PointQuery]) -> dict[str, Any]:
    rows: QuerySet[ServicePoint] = ServicePoint.objects.listed().select_related("org")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.facility:
        rows = with_facility(rows, filters.facility)
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
    return {**meta, "items": [_out(point) for point in items]}


class RankingQuery(Schema):
    year: int = Field(default_factory=lambda: timezone.localdate().year, ge=2000, le=2100)
    kind: KindIn = "outdoor_worker_station"


class RankedOut(Schema):
    rank: int
    id: int
    name: str
    org_name: str
    visits: int
    ratings: int
    average: Decimal | None
    weighted: Decimal


class RankingOut(Schema):
    year: int
    kind: str
    mean: Decimal | None = Field(description="m: the average of every rating of the year among the points.")
    prior_weight: int = Field(description="C: weighted = (C × m + sum of scores) ÷ (C + ratings).")
    items: list[RankedOut]


@router.get(
    "/ranking", response=RankingOut, summary="The yearly best station ranking (officers, their scope)"
)
def get_ranking(request: HttpRequest, filters: Query[RankingQuery]) -> dict[str, Any]:
    points = visible(
        ServicePoint.objects.filter(kind=filters.kind), request_user(request), Perm.SERVICES_VIEW
    )
    ranked, mean = ranking(points, filters.year)
    return {
        "year": filters.year,
        "kind": filters.kind,
        "mean": mean,
        "prior_weight": PRIOR_WEIGHT,
        "items": [
            {
                "rank": row.rank,
                "id": row.point.pk,
                "name": row.point.name,
                "org_name": row.point.org.name,
                "visits": row.visits,
                "ratings": row.ratings,
                "average": row.average,
                "weighted": row.weighted,
            }
            for row in ranked
        ],
    }


@router.get("/{int:point_id}", response=PointOut, auth=None, summary="One service point (public)")
def get_point(request: HttpRequest, point_id: PathId) -> dict[str, Any]:
    point = (
        ServicePoint.objects.listed()
        .select_related("org")
        .filter(pk=point_id)
        .prefetch_related(_photos())
        .first()
    )
    if point is None:
        raise NotFound(_("This service point does not exist."))
    return _out(point)


class FiguresOut(Schema):
    visits: int
    visitors: int
    ratings: int
    average: Decimal | None
    recent_days: int
    recent_visits: int
    recent_visitors: int


@router.get(
    "/{int:point_id}/figures", response=FiguresOut, summary="Visits and ratings of a point (officers)"
)
def get_figures(request: HttpRequest, point_id: PathId) -> dict[str, Any]:
    point = visible(ServicePoint, request_user(request), Perm.SERVICES_VIEW).filter(pk=point_id).first()
    if point is None:
        raise NotFound(_("This service point does not exist."))
    figures = point_figures(point)
    recent = point_figures(point, since=timezone.localdate() - timedelta(days=RECENT_DAYS))
    return {
        "visits": figures.visits,
        "visitors": figures.visitors,
        "ratings": figures.ratings,
        "average": figures.average,
        "recent_days": RECENT_DAYS,
        "recent_visits": recent.visits,
        "recent_visitors": recent.visitors,
    }


class CheckInIn(Schema):
    code: str = Field(
        min_length=1, max_length=64, description="The check-in code the poster's QR code carries."
    )


class VisitOut(Schema):
    id: int
    point: int
    visited_on: date
    rated: bool


@router.post(
    "/{int:point_id}/check-ins",
    response={200: VisitOut, 201: VisitOut},
    summary="Check in at a service point (201 new, 200 already today)",
)
def post_check_in(request: HttpRequest, point_id: PathId, payload: CheckInIn) -> Status[dict[str, Any]]:
    visit, created = check_in(point_id, actor=request_user(request), code=payload.code)
    rated = hasattr(visit, "rating") and not created
    return Status(
        201 if created else 200,
        {"id": visit.pk, "point": visit.point_id, "visited_on": visit.visited_on, "rated": rated},
    )


class RatingIn(Schema):
    score: int = Field(ge=1, le=5)
    comment: CleanText = Field("", max_length=MAX_COMMENT)


class RatingOut(Schema):
    visit: int
    score: int
    comment: str


@router.post("/visits/{int:visit_id}/rating", response={201: RatingOut}, summary="Rate my visit, once")
def post_rating(request: HttpRequest, visit_id: PathId, payload: RatingIn) -> Status[dict[str, Any]]:
    rating = rate_visit(visit_id, actor=request_user(request), score=payload.score, comment=payload.comment)
    return Status(201, {"visit": rating.visit_id, "score": rating.score, "comment": rating.comment})
