"""Console pages of the members app, mounted at /console/members/ (namespace console:members)."""

from django.urls import URLPattern

from gonghui.members.views import imports, joining, registry, transfers

app_name = "members"

urlpatterns: list[URLPattern] = [
    *registry.urlpatterns,
    *joining.urlpatterns,
    *transfers.urlpatterns,
    *imports.urlpatterns,
]
