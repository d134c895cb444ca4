"""Console pages of mutual aid, mounted at /console/mutualaid/ (namespace console:mutualaid)."""

from django.urls import URLPattern

from gonghui.mutualaid.views import claims, enrolment, payments, plans, reports

app_name = "mutualaid"

urlpatterns: list[URLPattern] = [
    *plans.urlpatterns,
    *enrolment.urlpatterns,
    *claims.urlpatterns,
    *payments.urlpatterns,
    *reports.urlpatterns,
]
