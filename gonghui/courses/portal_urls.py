"""Member portal pages of courses, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.courses.portal_views import courses

urlpatterns: list[URLPattern] = [*courses.urlpatterns]
