"""API: mutual aid enrolment."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["mutualaid"])
