"""The rights tests use the orgs tests' tree and officers."""

from typing import Any

import pytest

from gonghui.orgs.tests.conftest import east_admin, east_client, tree

__all__ = ["east_admin", "east_client", "tree"]


@pytest.fixture
def english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield
