"""Restructuring at the same moment from two sessions (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.orgs.models import Org
from gonghui.orgs.services.tree import merge_orgs, move_org
from gonghui.orgs.tests.factories import add_org, make_tree

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_together(*calls: Callable[[], object]) -> list[BaseException]:
    """Start every call at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_unions_moved_into_one_parent_at_once_both_land_there(settings):
    tree = make_tree()
    admin = User.objects.create_superuser("city.admin", "x")
    delta = add_org(tree.west, "W-D", "西区丁公司工会")

    errors = run_together(
        lambda: move_org(tree.gamma, tree.town, actor=admin),
        lambda: move_org(delta, tree.town, actor=admin),
    )

    assert errors == []
    town = Org.objects.get(pk=tree.town.pk)
    assert set(Org.objects.get_children(town).values_list("pk", flat=True)) >= {tree.gamma.pk, delta.pk}
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_merging_two_unions_into_each_other_at_once_lets_only_one_happen(settings):
    tree = make_tree()
    admin = User.objects.create_superuser("city.admin", "x")

    errors = run_together(
        lambda: merge_orgs(tree.beta, tree.acme, actor=admin),
        lambda: merge_orgs(tree.acme, tree.beta, actor=admin),
    )

    # The second one waits for the first, then finds itself or its target dissolved: a refusal
    # for people (not a deadlock, which would be a server error).
    assert len(errors) == 1
    assert isinstance(errors[0], DomainError)
    statuses = sorted(
        Org.objects.filter(pk__in=[tree.acme.pk, tree.beta.pk]).values_list("status", flat=True)
    )
    assert statuses == ["active", "dissolved"]
    assert Org.objects.find_problems() == ([], [], [], [], [])
