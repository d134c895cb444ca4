"""Console pages of hardship assistance: applications."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
