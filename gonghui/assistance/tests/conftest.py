"""Fixtures for the assistance tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield
