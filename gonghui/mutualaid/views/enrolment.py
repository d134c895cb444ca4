"""Console pages of mutual aid: enrolment."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
