"""API: mutual aid reports."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["mutualaid"])
