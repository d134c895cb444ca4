"""Console pages: joining (to be written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
