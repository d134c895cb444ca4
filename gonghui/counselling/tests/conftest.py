"""The counselling tests use the orgs tests' tree, officers and fast password hashing."""

from gonghui.orgs.tests.conftest import east_admin, east_client, tree

__all__ = ["east_admin", "east_client", "tree"]
