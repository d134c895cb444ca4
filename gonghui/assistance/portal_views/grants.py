"""Member portal pages of hardship assistance: grants."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
