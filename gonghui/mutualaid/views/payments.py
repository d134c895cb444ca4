"""Console pages of mutual aid: payments."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
