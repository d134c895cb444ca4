"""The supervision tests use the orgs tests' tree, officers and fast password hashing."""

from gonghui.orgs.tests.conftest import _fast_password_hashing, east_admin, east_client, tree

__all__ = ["_fast_password_hashing", "east_admin", "east_client", "tree"]
