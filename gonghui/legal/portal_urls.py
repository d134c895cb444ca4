"""Member portal pages of legal consultation and aid (portal namespace, gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.legal.portal_views import legal

urlpatterns: list[URLPattern] = [*legal.urlpatterns]
