"""Console pages of the benefits app, mounted at /console/benefits/ (namespace console:benefits)."""

from django.urls import URLPattern

from gonghui.benefits.views import campaigns, merchants, pledges, redeem, reports

app_name = "benefits"

urlpatterns: list[URLPattern] = [
    *merchants.urlpatterns,
    *campaigns.urlpatterns,
    *reports.urlpatterns,
    *redeem.urlpatterns,
    *pledges.urlpatterns,
]
