"""Member portal pages of the members app, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.members.portal_views import card, join, me, membership

urlpatterns: list[URLPattern] = [
    *card.urlpatterns,
    *join.urlpatterns,
    *me.urlpatterns,
    *membership.urlpatterns,
]
