"""Member portal pages of counselling, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.counselling.portal_views import counselling

urlpatterns: list[URLPattern] = [*counselling.urlpatterns]
