"""Member portal pages of rights protection, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.rights.portal_views import disputes

urlpatterns: list[URLPattern] = [*disputes.urlpatterns]
