"""Console pages of events, mounted at /console/events/ (namespace console:events)."""

from django.urls import URLPattern

app_name = "events"

urlpatterns: list[URLPattern] = []
