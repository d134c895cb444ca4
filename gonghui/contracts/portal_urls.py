"""Member portal pages of collective contracts, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.contracts.portal_views import topics

urlpatterns: list[URLPattern] = [*topics.urlpatterns]
