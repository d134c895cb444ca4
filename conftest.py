"""Project-wide pytest fixtures."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """MD5 instead of argon2 in every test: argon2 takes 0.15 s per hash here and most tests make
    several accounts. Signing in still checks the (MD5) hashes; `accounts/tests/test_user_model.py`
    checks that the real settings hash with argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache_namespace(settings: Any) -> None:
    """Give every test its own cache key space, in every thread.

    Clearing would flush the whole Redis database that parallel test workers share; a new
    key prefix isolates tests from each other without touching anyone else's keys. It is set
    through the CACHES setting, which makes Django drop its cache connections, because those
    are per thread: a prefix set on this thread's connection alone left the threads of the race
    tests on the bare prefix, where a giveaway's "sold out" gate or a rate-limit counter of an
    earlier test (or run) with the same ids was still found.
    """
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"{prefix}-{config.get('KEY_PREFIX', '')}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _deadline_rules(request: pytest.FixtureRequest) -> None:
    """The deadline rules and the 2026 calendar are data that a migration seeds; the flush that
    ends a transactional test (any app's) empties them for the tests after it in the same worker,
    so a test with the database gets them back when they are missing."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
    )
    if marker is None and "db" not in request.fixturenames and not transactional:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from gonghui.workdays.deadlines import bump_version
    from gonghui.workdays.models import DeadlineRule

    if not DeadlineRule.objects.exists():
        importlib.import_module("gonghui.workdays.migrations.0002_seed_rules_and_2026_calendar").seed(
            apps, None
        )
        bump_version()
