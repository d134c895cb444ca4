"""Console pages of courses, mounted at /console/courses/ (namespace console:courses)."""

from django.urls import URLPattern

app_name = "courses"

urlpatterns: list[URLPattern] = []
