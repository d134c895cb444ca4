"""Every org-owned endpoint against five visitors (see gonghui.orgs.tests.scoping)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from gonghui.accounts.decorators import officer_required
from gonghui.api import api
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import (
    ACTORS,
    ScopedEndpoint,
    build_world,
    check_endpoint,
    registered_endpoints,
    unscoped_routes,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = registered_endpoints()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.id for endpoint in ENDPOINTS])
def test_endpoint_is_scoped(endpoint: ScopedEndpoint, actor: str) -> None:
    check_endpoint(endpoint, actor, build_world())


def api_routes() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {route}" for route, item in schema["paths"].items() for method in item}


def console_routes(urlconf: str | None = None) -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif route.startswith("console/") and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(urlconf).url_patterns, "", "")
    return names


def uncovered(routes: set[str]) -> set[str]:
    covered = {endpoint.covers for endpoint in ENDPOINTS} | set(unscoped_routes())
    return routes - covered


def test_every_api_operation_and_console_page_is_checked_or_declared_unscoped() -> None:
    assert uncovered(api_routes()) == set()
    assert uncovered(console_routes()) == set()


# --- the base must catch an endpoint that forgets scoping --------------------------------------


@officer_required
def leaky_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(Org.objects.get(pk=pk).name)  # no visible_to: the mistake under test


urlpatterns = [
    path("console/leaky/<int:pk>/", leaky_detail, name="leaky"),
    path("", include("gonghui.urls")),
]


LEAKY = ScopedEndpoint(covers="leaky", action="detail", url=lambda org: f"/console/leaky/{org.pk}/")


def test_the_unscoped_endpoint_serves_its_own_officer(settings) -> None:
    settings.ROOT_URLCONF = __name__
    check_endpoint(LEAKY, "own_officer", build_world())


def test_an_endpoint_without_scoping_fails_the_base(settings) -> None:
    settings.ROOT_URLCONF = __name__
    with pytest.raises(AssertionError, match="expected \\{404\\}"):
        check_endpoint(LEAKY, "sibling_officer", build_world())


def test_an_unregistered_console_page_fails_the_coverage_check() -> None:
    assert uncovered(console_routes(__name__)) == {"leaky"}
