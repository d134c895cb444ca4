"""The statistics endpoints against the scoping test base's five visitors, with the statistics
pages mounted as in test_statistics_pages (until gonghui/rights/urls.py includes them, when the
shared test_scoped_endpoints runs them too)."""

from __future__ import annotations

import pytest

from gonghui.orgs.tests.scoping import ACTORS, ScopedEndpoint, build_world, check_endpoint
from gonghui.rights.tests.endpoints.statistics import ENDPOINTS
from gonghui.rights.tests.test_statistics_pages import urlpatterns

__all__ = ["urlpatterns"]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.id for endpoint in ENDPOINTS])
def test_endpoint_is_scoped(endpoint: ScopedEndpoint, actor: str) -> None:
    check_endpoint(endpoint, actor, build_world())
