"""Console pages of courses, mounted at /console/courses/ (namespace console:courses)."""

from django.urls import URLPattern

from gonghui.courses.views import courses, terms

app_name = "courses"

urlpatterns: list[URLPattern] = [*courses.urlpatterns, *terms.urlpatterns]
