"""The benefits tests use the orgs tests' tree and officers."""

from gonghui.orgs.tests.conftest import east_admin, east_client, tree

__all__ = ["east_admin", "east_client", "tree"]
