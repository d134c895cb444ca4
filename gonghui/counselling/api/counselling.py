"""API: counselling (counselling)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["counselling"])
