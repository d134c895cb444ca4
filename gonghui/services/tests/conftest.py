"""Fixtures for the service points tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def tree(db: Any) -> Any:
    from gonghui.orgs.tests.factories import make_tree

    return make_tree()


@pytest.fixture
def officer(tree: Any) -> Any:
    from gonghui.orgs.permissions import Role
    from gonghui.orgs.tests.factories import officer_at

    return officer_at(tree.east, "east.services", Role.UNION_OFFICER)
