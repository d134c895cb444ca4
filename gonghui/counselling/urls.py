"""Console pages of counselling, mounted at /console/counselling/ (namespace console:counselling)."""

from django.urls import URLPattern

app_name = "counselling"

urlpatterns: list[URLPattern] = []
