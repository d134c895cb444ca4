"""“Nearest to me”: positions people send, and distances computed by the database.

A browser's geolocation gives WGS-84 degrees. `parse_position` turns what a request carries into
two `Decimal`s (six places, about 0.1 m) or refuses it on the fields "lat" and "lng";
`with_distance` annotates a QuerySet with `distance_km`, the great-circle (haversine) distance
computed in SQL with Django's math functions, which Django provides on SQLite as well as on
PostgreSQL, and orders the rows by it. Rows without coordinates are left out.

With `max_km` the rows are first narrowed to a bounding box on the indexed latitude and
longitude columns (cheap), then to the circle (exact). The box is skipped where it would not
work: near the poles, and where it would cross the 180th meridian.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import quote

from django.db import models
from django.db.models import ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import ASin, Cast, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext as _

from gonghui.core.errors import FieldErrors, ValidationFailed

M = TypeVar("M", bound=models.Model)

# The mean radius of the Earth (IUGG), which the haversine formula assumes.
EARTH_RADIUS_KM = 6371.0088
# Kilometres per degree of latitude (and of longitude at the equator).
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
_SIX_PLACES = Decimal("0.000001")


def _degrees(value: Any, *, field: str, limit: int, errors: FieldErrors) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(field, _("Give the position as latitude and longitude in degrees."))
        return None
    if isinstance(value, bool):
        errors.add(field, _("The position must be a number of degrees."))
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        errors.add(field, _("The position must be a number of degrees."))
        return None
    if not number.is_finite():
        errors.add(field, _("The position must be a number of degrees."))
        return None
    if not -limit <= number <= limit:
        if field == "lat":
            errors.add(field, _("A latitude lies between -90 and 90 degrees."))
        else:
            errors.add(field, _("A longitude lies between -180 and 180 degrees."))
        return None
    return number.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def parse_position(lat: Any, lng: Any) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) as Decimals with six places; ValidationFailed on "lat"/"lng"
    for a missing value, one that is not a number, or one out of range."""
    errors = FieldErrors()
    latitude = _degrees(lat, field="lat", limit=90, errors=errors)
    longitude = _degrees(lng, field="lng", limit=180, errors=errors)
    errors.raise_if_any(_("The position is not valid."))
    assert latitude is not None
    assert longitude is not None
    return latitude, longitude


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The same distance as `with_distance`, in Python (for checks and tests)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_expression(lat: Decimal | float, lng: Decimal | float, *, lat_field: str, lng_field: str) -> Any:
    """The haversine distance in km from (lat, lng) to the row's position, as an SQL expression."""
    float_field: FloatField[float, float] = FloatField()
    row_lat = Radians(Cast(F(lat_field), float_field))
    row_lng = Radians(Cast(F(lng_field), float_field))
    here_lat = math.radians(float(lat))
    here_lng = math.radians(float(lng))
    half_dlat = (row_lat - Value(here_lat)) / Value(2.0)
    half_dlng = (row_lng - Value(here_lng)) / Value(2.0)
    a = Power(Sin(half_dlat), 2) + Value(math.cos(here_lat)) * Cos(row_lat) * Power(Sin(half_dlng), 2)
    # Rounding can push `a` a hair above 1 for antipodal points; ASIN would then fail.
    return ExpressionWrapper(
        Value(2 * EARTH_RADIUS_KM) * ASin(Least(Sqrt(a), Value(1.0))), output_field=float_field
    )


def _edge(value: float, rounding: str) -> Decimal:
    return Decimal(repr(value)).quantize(_SIX_PLACES, rounding=rounding)


def bounding_box(
    lat: Decimal, lng: Decimal, max_km: float, *, lat_field: str = "latitude", lng_field: str = "longitude"
) -> Q:
    """Rows within `max_km` of (lat, lng) are inside this box (it holds some more: the corners).
    Its edges are rounded outwards to the six places the columns keep."""
    dlat = max_km / KM_PER_DEGREE
    condition = Q(**{f"{lat_field}__gte": _edge(float(lat) - dlat, ROUND_FLOOR)}) & Q(
        **{f"{lat_field}__lte": _edge(float(lat) + dlat, ROUND_CEILING)}
    )
    cos_lat = math.cos(math.radians(float(lat)))
    if cos_lat > 0.01:
        dlng = max_km / (KM_PER_DEGREE * cos_lat)
        low, high = float(lng) - dlng, float(lng) + dlng
        if low >= -180 and high <= 180:  # a box across the 180th meridian would need two ranges
            condition &= Q(**{f"{lng_field}__gte": _edge(low, ROUND_FLOOR)}) & Q(
                **{f"{lng_field}__lte": _edge(high, ROUND_CEILING)}
            )
    return condition


def with_distance(
    queryset: models.QuerySet[M],
    lat: Decimal | float,
    lng: Decimal | float,
    *,
    lat_field: str = "latitude",
    lng_field: str = "longitude",
    max_km: float | None = None,
) -> models.QuerySet[M]:
    """`queryset` with `distance_km` on each row, nearest first (then by primary key, so pages
    are stable); rows without coordinates left out; with `max_km`, only rows within it."""
    lat, lng = parse_position(lat, lng)
    rows = queryset.filter(**{f"{lat_field}__isnull": False, f"{lng_field}__isnull": False})
    if max_km is not None:
        rows = rows.filter(bounding_box(lat, lng, max_km, lat_field=lat_field, lng_field=lng_field))
    rows = rows.annotate(distance_km=distance_expression(lat, lng, lat_field=lat_field, lng_field=lng_field))
    if max_km is not None:
        rows = rows.filter(distance_km__lte=max_km)
    ordered: models.QuerySet[M] = rows.order_by("distance_km", "pk")
    return ordered


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_position(
    lat: Any, lng: Any, errors: FieldErrors, *, fields: tuple[str, str] = ("latitude", "longitude")
) -> dict[str, Decimal | None]:
    """A typed-in position for a model's latitude/longitude columns (named by `fields`): both
    blank → no position; one blank, or either not valid → problems noted in `errors` and {}."""
    lat_field, lng_field = fields
    if _blank(lat) and _blank(lng):
        return {lat_field: None, lng_field: None}
    if _blank(lat) or _blank(lng):
        errors.add(
            lat_field if _blank(lat) else lng_field,
            _("Give both the latitude and the longitude, or neither."),
        )
        return {}
    try:
        latitude, longitude = parse_position(lat, lng)
    except ValidationFailed as error:
        for field, messages in error.fields.items():
            for message in messages:
                errors.add({"lat": lat_field, "lng": lng_field}[field], message)
        return {}
    return {lat_field: latitude, lng_field: longitude}


def distance_label(km: float | None) -> str:
    """“850 米” below a kilometre, “1.2 公里” from there, “35 公里” from 10 km on."""
    if km is None:
        return ""
    if km < 1:
        return _("%(m)s m") % {"m": max(10, round(km * 100) * 10)}
    if km < 10:
        return _("%(km)s km") % {"km": f"{km:.1f}"}
    return _("%(km)s km") % {"km": f"{km:.0f}"}


def navigation_url(name: str, latitude: Decimal | None, longitude: Decimal | None) -> str:
    """A link that opens the place in the AMap app or site (it takes WGS-84 and GCJ-02)."""
    if latitude is None or longitude is None:
        return ""
    return (
        f"https://uri.amap.com/marker?position={longitude},{latitude}"
        f"&name={quote(name, safe='')}&coordinate=wgs84&callnative=1"
    )
