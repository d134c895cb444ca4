"""Member portal pages of hardship assistance, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.assistance.portal_views import campaigns, files, grants

urlpatterns: list[URLPattern] = [
    *files.urlpatterns,
    *grants.urlpatterns,
    *campaigns.urlpatterns,
]
