"""Member portal pages of mutual aid, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.mutualaid.portal_views import claims, coverage

urlpatterns: list[URLPattern] = [
    *coverage.urlpatterns,
    *claims.urlpatterns,
]
