"""Member portal pages of mutual aid: coverage."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
