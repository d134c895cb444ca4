"""Console pages of working days and deadlines, mounted at /console/calendar/ (namespace console:workdays)."""

from django.urls import URLPattern

from gonghui.workdays.views import calendar, rules

app_name = "workdays"

urlpatterns: list[URLPattern] = [*calendar.urlpatterns, *rules.urlpatterns]
