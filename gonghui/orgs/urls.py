"""Console pages of the orgs app, mounted at /console/orgs/ (namespace console:orgs)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "orgs"

urlpatterns: list[URLPattern] = [
    # tree
    # workplaces
    # officers and roles
    # coverage
]
