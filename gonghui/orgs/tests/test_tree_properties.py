"""Property: whatever sequence of moves and merges officers try, the tree stays a tree — no
orphan, no cycle, paths, depths and child counts consistent — and refusals change nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services.tree import merge_orgs, move_org
from gonghui.orgs.tests.factories import add_org, make_tree

pytestmark = pytest.mark.django_db


# Indexes into the orgs of one small tree: make_tree's nine plus a few grassroots unions and
# groups, so that many moves and merges are legal and many are not.
ORG_COUNT = 13
operations = st.lists(
    st.tuples(
        st.sampled_from(["move", "merge"]), st.integers(0, ORG_COUNT - 1), st.integers(0, ORG_COUNT - 1)
    ),
    max_size=12,
)


def build() -> list[Org]:
    tree = make_tree()
    extra = [
        add_org(tree.beta, "E-B-1", "乙公司分工会"),
        add_org(tree.gamma, "W-G-1", "丙公司一组", OrgKind.UNION_GROUP),
        add_org(tree.joint, "E-T-J-1", "社区某公司工会"),
    ]
    extra.append(add_org(extra[0], "E-B-1-1", "分工会一组", OrgKind.UNION_GROUP))
    orgs = [
        tree.city,
        tree.east,
        tree.town,
        tree.joint,
        tree.acme,
        tree.group,
        tree.beta,
        tree.west,
        tree.gamma,
    ]
    return orgs + extra


def tree_shape() -> list[tuple[int, str, int, int, str]]:
    return list(Org.objects.order_by("pk").values_list("pk", "path", "depth", "numchild", "status"))


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_moves_and_merges_never_break_the_tree(steps):
    with transaction.atomic():
        admin = User.objects.create_superuser("prop.admin", "x")
        orgs = build()
        assert len(orgs) == ORG_COUNT
        for operation, a, b in steps:
            before = tree_shape()
            act = move_org if operation == "move" else merge_orgs
            try:
                act(orgs[a], orgs[b], actor=admin)
            except DomainError:
                assert tree_shape() == before
            assert Org.objects.find_problems() == ([], [], [], [], [])
            paths = set(Org.objects.values_list("path", flat=True))
            # Every node's parent exists (no orphan); paths are unique, so no node is its own ancestor.
            assert all(path[: -Org.steplen] in paths for path in paths if len(path) > Org.steplen)
            assert Org.objects.filter(depth=1).count() == 1
        transaction.set_rollback(True)
