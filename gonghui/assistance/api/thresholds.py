"""API: hardship assistance thresholds."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assistance"])
