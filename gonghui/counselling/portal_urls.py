"""Member portal pages of counselling, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
