"""Console pages of legal consultation and aid, mounted at /console/legal/ (namespace console:legal)."""

from django.urls import URLPattern

from gonghui.legal.views import aid, consultations, desk, lawyers

app_name = "legal"

urlpatterns: list[URLPattern] = [
    *consultations.urlpatterns,
    *aid.urlpatterns,
    *lawyers.urlpatterns,
    *desk.urlpatterns,
]
