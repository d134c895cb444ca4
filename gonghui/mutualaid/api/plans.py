"""API: mutual aid plans."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["mutualaid"])
