"""Console pages of service points, mounted at /console/services/ (namespace console:services)."""

from django.urls import URLPattern

from gonghui.services.views import points, ranking

app_name = "services"

urlpatterns: list[URLPattern] = [*points.urlpatterns, *ranking.urlpatterns]
