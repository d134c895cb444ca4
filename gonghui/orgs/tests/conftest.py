"""Fixtures for the orgs tests: the small union tree of `factories.make_tree` and an east district
administrator, signed in on the test client. A test module that needs another tree defines its
own `tree` fixture, which takes precedence over this one."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.tests.factories import Tree, make_tree, officer_at


@pytest.fixture
def tree() -> Tree:
    return make_tree()


@pytest.fixture
def east_admin(tree: Tree) -> User:
    """A federation administrator of the east district: everything in its subtree, nothing west."""
    return officer_at(tree.east, "east.admin")


@pytest.fixture
def east_client(client: Client, east_admin: User) -> Client:
    """The test client, signed in as `east_admin` (with the second factor passed)."""
    sign_in_verified(client, east_admin)
    return client
