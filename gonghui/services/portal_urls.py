"""Member portal pages of service points, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.services.portal_views import points

urlpatterns: list[URLPattern] = [*points.urlpatterns]
