"""Console pages of rights protection, mounted at /console/rights/ (namespace console:rights)."""

from django.urls import URLPattern

from gonghui.rights.views import centres, desk, disputes, statistics

app_name = "rights"

urlpatterns: list[URLPattern] = [
    *desk.urlpatterns,
    *centres.urlpatterns,
    *statistics.urlpatterns,
    *disputes.urlpatterns,
]
