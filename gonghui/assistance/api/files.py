"""API: hardship assistance files."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assistance"])
