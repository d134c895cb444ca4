"""One family on file once, under concurrency against PostgreSQL: two members applying at the
same moment with a shared household member (each thread on its own connection, real commits)
end with exactly one file, and the other is told who is already on file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import translation

from gonghui.assistance.models import HardshipFile, HouseholdMember
from gonghui.assistance.services.files import apply_for_hardship
from gonghui.assistance.tests.factories_files import (
    application,
    household_id,
    make_member_with_account,
    person,
)
from gonghui.core.errors import DomainError
from gonghui.orgs.tests.factories import make_tree

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]


def race(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; each result or the DomainError."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            with translation.override("en"):
                results[index] = call()
        except DomainError as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_applications_sharing_a_household_member_make_one_file(attempt: int) -> None:
    tree = make_tree()
    shared = household_id()
    applicants = [make_member_with_account(org) for org in (tree.acme, tree.beta)]
    calls = [
        partial(
            apply_for_hardship,
            actor=user,
            **application(member, person(name="王奶奶", relation="parent", id_number=shared)),
        )
        for member, user in applicants
    ]

    results = race(calls)

    files = [result for result in results if isinstance(result, HardshipFile)]
    refusals = [result for result in results if isinstance(result, DomainError)]
    assert len(files) == 1
    assert len(refusals) == 1
    assert refusals[0].code == "already_on_file"
    assert refusals[0].message.startswith("王** (330205")
    assert HardshipFile.objects.count() == 1
    assert HouseholdMember.objects.filter(active=True).count() == 2  # the member and the grandmother
