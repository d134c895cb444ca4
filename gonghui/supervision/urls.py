"""Console pages of labour-law supervision, at /console/supervision/ (namespace console:supervision)."""

from django.urls import URLPattern

from gonghui.supervision.views import history, inspections, interviews, notices, supervisors

app_name = "supervision"

urlpatterns: list[URLPattern] = [
    *inspections.urlpatterns,
    *notices.urlpatterns,
    *interviews.urlpatterns,
    *supervisors.urlpatterns,
    *history.urlpatterns,
]
