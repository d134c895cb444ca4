"""Portal pages: service points, public (no sign-in to look: an outdoor worker looks for water
and a place to rest before anything else), phone first; checking in and rating need a sign-in.

The list filters by kind and facility and pages 20 at a time; with `?lat=&lng=` (the "nearest
to me" control) it is ordered by the distance computed in the database (gonghui.core.geo), and
"show on the map" opens the nearest ten in the AMap app or site (its marker URL takes several
points), since map tiles cannot be served from a city's intranet. The poster's QR code opens
the check-in page of its point with the point's check-in code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import member_area
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.geo import distance_label, navigation_url, parse_position, with_distance
from gonghui.core.inputs import CleanCharField
from gonghui.core.text import normalize_text, tel_digits
from gonghui.services.models import (
    MAX_COMMENT,
    Facility,
    PointKind,
    PointStatus,
    Rating,
    ServicePoint,
    ServicePointPhoto,
    Visit,
)
from gonghui.services.selectors import with_facility
from gonghui.services.services.visits import RATING_DAYS, check_in, rate_visit

PAGE_SIZE = 20
QUERY_MAX = 40
MAP_POINTS = 10


def _position(request: HttpRequest) -> tuple[tuple[Decimal, Decimal] | None, str]:
    lat, lng = request.GET.get("lat"), request.GET.get("lng")
    if not lat and not lng:
        return None, ""
    try:
        return parse_position(lat, lng), ""
    except ValidationFailed:
        return None, _("The position your browser gave could not be used; the list is in its usual order.")


def _photos() -> Prefetch[str, QuerySet[ServicePointPhoto], str]:
    return Prefetch(
        "photos", queryset=ServicePointPhoto.objects.order_by("position", "id"), to_attr="photo_list"
    )


def map_url(points: list[ServicePoint]) -> str:
    """The AMap marker URL showing several points at once ("" when none has a position)."""
    markers = [
        f"{point.longitude},{point.latitude},{quote(point.name.replace(',', ' ').replace('|', ' '), safe='')}"
        for point in points
        if point.latitude is not None and point.longitude is not None
    ][:MAP_POINTS]
    if not markers:
        return ""
    return f"https://uri.amap.com/marker?markers={'|'.join(markers)}&coordinate=wgs84&callnative=1"


@require_GET
def point_list(request: HttpRequest) -> HttpResponse:
    rows: QuerySet[ServicePoint] = ServicePoint.objects.listed()
    kind = request.GET.get("kind") or ""
    if kind not in PointKind.values:
        kind = ""
    if kind:
        rows = rows.filter(kind=kind)
    facility = request.GET.get("facility") or ""
    if facility not in Facility.values:
        facility = ""
    if facility:
        rows = with_facility(rows, facility)
    q = normalize_text(request.GET.get("q") or "")[:QUERY_MAX]
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(district__icontains=q))
    position, position_problem = _position(request)
    rows = with_distance(rows, *position) if position is not None else rows.order_by("name", "id")
    page = Paginator(rows.prefetch_related(_photos()), PAGE_SIZE).get_page(request.GET.get("page"))
    points = list(page.object_list)
    for point in points:
        point.distance = distance_label(getattr(point, "distance_km", None))
        photos = getattr(point, "photo_list", [])
        point.cover = photos[0] if photos else None
    context: dict[str, Any] = {
        "points": points,
        "page_obj": page,
        "kinds": PointKind.choices,
        "kind": kind,
        "facilities": Facility.choices,
        "facility": facility,
        "q": q,
        "nearest": position is not None,
        "position_problem": position_problem,
        "map_url": map_url(points) if position is not None and page.number == 1 else "",
        "nav_section": "services",
    }
    return render(request, "services/portal_point_list.html", context)


@require_GET
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = (
        ServicePoint.objects.listed().filter(pk=pk).select_related("org").prefetch_related(_photos()).first()
    )
    if point is None:
        raise Http404
    facilities = [label for value, label in Facility.choices if value in point.facilities]
    context = {
        "point": point,
        "photos": getattr(point, "photo_list", []),
        "facilities": facilities,
        "paused": point.status == PointStatus.PAUSED,
        "navigation_url": navigation_url(point.name, point.latitude, point.longitude),
        "tel": tel_digits(point.contact_phone),
        "nav_section": "services",
    }
    return render(request, "services/portal_point_detail.html", context)


@require_http_methods(["GET", "POST"])
@member_area
def point_checkin(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The page the poster's QR code opens: GET asks to confirm (a scan alone writes nothing, so
    a link preview cannot check anyone in), POST checks in and goes on to the rating."""
    point = ServicePoint.objects.listed().filter(pk=pk).first()
    if point is None:
        raise Http404
    problem = ""
    if request.method == "POST":
        try:
            visit, created = check_in(point, actor=request.user, code=code)
        except DomainError as error:
            problem = error.message
        else:
            if not created:
                messages.info(request, _("You have already checked in here today."))
            return redirect("portal:service_point_visit", pk=visit.pk)
    context = {"point": point, "problem": problem, "nav_section": "services"}
    return render(request, "services/portal_point_checkin.html", context, status=422 if problem else 200)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How was it?"),
        coerce=int,
        choices=[(n, ngettext_lazy("%(n)s star", "%(n)s stars", n) % {"n": n}) for n in (5, 4, 3, 2, 1)],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Give 1 to 5 stars.")},
    )
    comment = CleanCharField(
        label=gettext_lazy("Anything the union should know (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_http_methods(["GET", "POST"])
@member_area
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # member_area let only signed-in people through
    visit = Visit.objects.filter(pk=pk, user=user).select_related("point").first()
    if visit is None:
        raise Http404
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_visit(
                visit, actor=user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Thank you for rating %(name)s.") % {"name": visit.point.name})
            return redirect("portal:service_point_visit", pk=visit.pk)
    context = {
        "visit": visit,
        "rating": Rating.objects.filter(visit=visit).first(),
        "rating_days": RATING_DAYS,
        "form": form,
        "nav_section": "services",
    }
    return render(request, "services/portal_visit.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("points/", point_list, name="service_points"),
    path("points/<int:pk>/", point_detail, name="service_point"),
    path("points/<int:pk>/check-in/<str:code>/", point_checkin, name="service_point_checkin"),
    path("points/visits/<int:pk>/", visit_detail, name="service_point_visit"),
]
