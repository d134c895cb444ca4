"""The workdays tests use the orgs tests' tree, a city and an east district administrator."""

from __future__ import annotations

import pytest

from gonghui.accounts.models import User
from gonghui.orgs.tests.conftest import tree
from gonghui.orgs.tests.factories import Tree, officer_at

__all__ = ["city_admin", "east_admin", "tree"]


@pytest.fixture
def city_admin(tree: Tree) -> User:
    """Holds calendar.change on the root: may change the city's calendar."""
    return officer_at(tree.city, "city.admin")


@pytest.fixture
def east_admin(tree: Tree) -> User:
    """A federation administrator too, but of a district: may not change the city's calendar."""
    return officer_at(tree.east, "east.admin")
