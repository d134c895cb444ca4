"""Console pages of collective contracts, mounted at /console/contracts/ (namespace console:contracts)."""

from django.urls import URLPattern

from gonghui.contracts.views import contracts, coverage, topics

app_name = "contracts"

urlpatterns: list[URLPattern] = [*coverage.urlpatterns, *topics.urlpatterns, *contracts.urlpatterns]
