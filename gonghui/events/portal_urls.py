"""Member portal pages of events, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.events.portal_views import events

urlpatterns: list[URLPattern] = [*events.urlpatterns]
