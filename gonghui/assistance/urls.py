"""Console pages of hardship assistance, mounted at /console/assistance/ (namespace console:assistance)."""

from django.urls import URLPattern

from gonghui.assistance.views import applications, campaigns, files, funds, grants, reports, thresholds

app_name = "assistance"

urlpatterns: list[URLPattern] = [
    *files.urlpatterns,
    *thresholds.urlpatterns,
    *funds.urlpatterns,
    *grants.urlpatterns,
    *campaigns.urlpatterns,
    *applications.urlpatterns,
    *reports.urlpatterns,
]
