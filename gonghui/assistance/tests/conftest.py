"""Fixtures for the assistance tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Each test makes several officers; argon2 would spend most of the test's time hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield
