"""Console pages of events, mounted at /console/events/ (namespace console:events)."""

from django.urls import URLPattern

from gonghui.events.views import events, reports, signups

app_name = "events"

urlpatterns: list[URLPattern] = [*reports.urlpatterns, *events.urlpatterns, *signups.urlpatterns]
