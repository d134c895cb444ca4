"""Project-wide pytest fixtures."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache_namespace() -> Iterator[None]:
    """Give every test its own cache key space.

    Clearing would flush the whole Redis database that parallel test workers share; a new
    key prefix isolates tests from each other without touching anyone else's keys.
    """
    saved = cache.key_prefix
    cache.key_prefix = f"test-{uuid.uuid4().hex}"
    yield
    cache.key_prefix = saved
