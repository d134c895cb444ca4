"""Service points' console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping). The public list and page (portal and API), check-in and rating
are not scoped: points are public, and a visit belongs to its visitor (test_visits, test_api)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed
from gonghui.services.models import ServicePoint, ServicePointPhoto
from gonghui.services.tests.factories import make_point

CONSOLE = "/console/services/points"
API = "/api/v1/service-points"


def _point(org: Org) -> ServicePoint:
    return make_point(org, "范围测试驿站")


def _photo(org: Org) -> ServicePointPhoto:
    # The row alone: removing it deletes a file that is not there, which storage allows.
    return ServicePointPhoto.objects.create(point=_point(org), image="services/points/scope-test.png")


def _fields(world: ScopeWorld, point: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "kind": "outdoor_worker_station",
        "name": "甬城爱心驿站",
        "address": "海曙区中山西路 1 号",
        "district": "",
        "latitude": "29.870000",
        "longitude": "121.550000",
        "opening_hours": "每天 7:00-21:00",
        "facilities": ["water", "toilet"],
        "contact_name": "",
        "contact_phone": "",
        "description": "",
    }


def _png(world: ScopeWorld, point: Any) -> dict[str, Any]:
    from gonghui.services.tests.test_points import png_bytes

    return {"image": SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"), "caption": ""}


def _ranked(response: Any, point: Any) -> bool:
    return point.pk in {item["id"] for item in response.json()["items"]}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:services:point_list",
        action="list",
        url=lambda point: f"{CONSOLE}/",
        make=_point,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:services:point_detail",
        action="detail",
        url=lambda p: f"{CONSOLE}/{p.pk}/",
        make=_point,
    ),
    ScopedEndpoint(
        covers="console:services:point_edit",
        action="detail",
        url=lambda p: f"{CONSOLE}/{p.pk}/edit/",
        make=_point,
    ),
    ScopedEndpoint(
        covers="console:services:point_edit",
        action="update",
        method="POST",
        url=lambda p: f"{CONSOLE}/{p.pk}/edit/",
        make=_point,
        data=_fields,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:services:point_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=_fields,
        model=ServicePoint,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:services:point_status",
        action="update",
        method="POST",
        url=lambda p: f"{CONSOLE}/{p.pk}/status/",
        make=_point,
        data=lambda world, point: {"status": "paused"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:services:point_photo_add",
        action="update",
        method="POST",
        url=lambda p: f"{CONSOLE}/{p.pk}/photos/",
        make=_point,
        data=_png,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:services:point_photo_remove",
        action="delete",
        method="POST",
        url=lambda photo: f"{CONSOLE}/{photo.point_id}/photos/{photo.pk}/remove/",
        make=_photo,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:services:point_renew_code",
        action="update",
        method="POST",
        url=lambda p: f"{CONSOLE}/{p.pk}/renew-code/",
        make=_point,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:services:point_poster",
        action="detail",
        url=lambda p: f"{CONSOLE}/{p.pk}/poster.pdf",
        make=_point,
    ),
    ScopedEndpoint(
        covers="console:services:point_ranking",
        action="list",
        url=lambda point: (
            f"/console/services/ranking/?year={point.created_at.year}&kind=outdoor_worker_station"
        ),
        make=lambda org: _visited(org),
        listed=lambda response, point: f"/console/services/points/{point.pk}/" in response.content.decode(),
    ),
    ScopedEndpoint(
        covers="GET /api/v1/service-points/ranking",
        action="list",
        url=lambda point: f"{API}/ranking?year={point.created_at.year}",
        make=lambda org: _visited(org),
        listed=_ranked,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/service-points/{point_id}/figures",
        action="detail",
        url=lambda p: f"{API}/{p.pk}/figures",
        make=_point,
    ),
]


def _visited(org: Org) -> ServicePoint:
    from django.utils import timezone

    from gonghui.services.tests.factories import make_visit

    point = _point(org)
    make_visit(point, on=timezone.localdate(), score=5)
    return point


UNSCOPED: dict[str, str] = {
    "GET /api/v1/service-points": "public: listed service points (test_api)",
    "GET /api/v1/service-points/{point_id}": "public: one listed service point (test_api)",
    "POST /api/v1/service-points/{point_id}/check-ins": "the visitor's own check-in (test_api)",
    "POST /api/v1/service-points/visits/{visit_id}/rating": "the visitor's own visit only (test_api)",
}
