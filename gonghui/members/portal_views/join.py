"""Portal pages: join (to be written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
