"""Console pages of counselling, mounted at /console/counselling/ (namespace console:counselling)."""

from django.urls import URLPattern

from gonghui.counselling.views import desk, officers

app_name = "counselling"

urlpatterns: list[URLPattern] = [*desk.urlpatterns, *officers.urlpatterns]
