"""Scoped endpoints: online joining (the console's queue, overdue list, decisions and joining
routes, and the same through the API). Every application and route belongs to the world's own
union X; the portal pages of joining are for applicants, not console pages, and are tested in
test_joining_portal.py."""

from __future__ import annotations

from typing import Any

from gonghui.members.models import JoinApplication, JoinRoute
from gonghui.members.tests.factories import make_join_application
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/members"
API = "/api/v1"


def _application(org: Org) -> JoinApplication:
    return make_join_application(org)


def _overdue_application(org: Org) -> JoinApplication:
    application = make_join_application(org)
    JoinApplication.objects.filter(pk=application.pk).update(
        created_at=application.created_at.replace(year=2020)
    )
    return application


def _route(org: Org) -> JoinRoute:
    return JoinRoute.objects.create(district="甲区", township="甲街道", org=org)


def _reason(world: ScopeWorld, application: JoinApplication) -> dict[str, Any]:
    return {"reason": "身份证信息与本人不符"}


def _nothing(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {}


def _console_route(world: ScopeWorld, org: Org) -> dict[str, Any]:
    return {"org": world.own.code, "district": "甲区", "township": "", "occupation": "courier"}


def _api_route(world: ScopeWorld, org: Org) -> dict[str, Any]:
    return {"org": world.own.pk, "district": "甲区", "occupation": "courier"}


ENDPOINTS: list[ScopedEndpoint] = [
    # --- console ---------------------------------------------------------------------------
    ScopedEndpoint(
        covers="console:members:join_applications",
        action="list",
        url=lambda application: f"{CONSOLE}/join/",
        make=_application,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:members:join_overdue",
        action="list",
        url=lambda application: f"{CONSOLE}/join/overdue/",
        make=_overdue_application,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:members:join_application",
        action="detail",
        url=lambda application: f"{CONSOLE}/join/{application.pk}/",
        make=_application,
    ),
    ScopedEndpoint(
        covers="console:members:join_approve",
        action="update",
        method="POST",
        url=lambda application: f"{CONSOLE}/join/{application.pk}/approve/",
        make=_application,
        data=_nothing,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:join_reject",
        action="update",
        method="POST",
        url=lambda application: f"{CONSOLE}/join/{application.pk}/reject/",
        make=_application,
        data=_reason,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:join_routes",
        action="list",
        url=lambda route: f"{CONSOLE}/join-routes/",
        make=_route,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:members:join_route_create",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/join-routes/new/",
        data=_console_route,
        model=JoinRoute,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:members:join_route_deactivate",
        action="update",
        method="POST",
        url=lambda route: f"{CONSOLE}/join-routes/{route.pk}/deactivate/",
        make=_route,
        data=_nothing,
        ok=frozenset({302}),
    ),
    # --- API -------------------------------------------------------------------------------
    ScopedEndpoint(
        covers="GET /api/v1/join-applications",
        action="list",
        url=lambda application: f"{API}/join-applications",
        make=_application,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/join-applications",
        action="list",
        url=lambda application: f"{API}/join-applications?overdue=true",
        make=_overdue_application,
    ),
    # Filtering by an org outside the caller's scope answers 404, as for a missing org.
    ScopedEndpoint(
        covers="GET /api/v1/join-applications",
        action="detail",
        url=lambda application: f"{API}/join-applications?org={application.org_id}",
        make=_application,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/join-applications/{application_id}",
        action="detail",
        url=lambda application: f"{API}/join-applications/{application.pk}",
        make=_application,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/join-applications/{application_id}/approve",
        action="update",
        method="POST",
        url=lambda application: f"{API}/join-applications/{application.pk}/approve",
        make=_application,
        data=_nothing,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/join-applications/{application_id}/reject",
        action="update",
        method="POST",
        url=lambda application: f"{API}/join-applications/{application.pk}/reject",
        make=_application,
        data=_reason,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/join-routes",
        action="list",
        url=lambda route: f"{API}/join-routes",
        make=_route,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/join-routes",
        action="create",
        method="POST",
        url=lambda org: f"{API}/join-routes",
        data=_api_route,
        model=JoinRoute,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="POST /api/v1/join-routes/{route_id}/deactivate",
        action="update",
        method="POST",
        url=lambda route: f"{API}/join-routes/{route.pk}/deactivate",
        make=_route,
        data=_nothing,
    ),
]
UNSCOPED: dict[str, str] = {}
