"""Officers issuing notices of one union at the same moment against PostgreSQL, each thread on
its own connection with real commits: every notice gets its own number, 1 to N without a gap."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.core.errors import DomainError
from gonghui.orgs.tests.factories import make_tree
from gonghui.supervision.models import Notice
from gonghui.supervision.tests.factories import issue, officer_at, plan, with_findings, workplace_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]


def race(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; each result or the error code."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except DomainError as exc:
            results[index] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_eight_officers_issuing_at_once_get_eight_numbers() -> None:
    tree = make_tree()
    officers = [officer_at(tree.east, f"east.officer{n}") for n in range(8)]
    inspections = [
        with_findings(plan(tree.east, workplace_of(tree.town, f"企业{n}"), officer), officer)
        for n, officer in enumerate(officers)
    ]

    results = race(
        [
            partial(issue, inspection, officer)
            for inspection, officer in zip(inspections, officers, strict=True)
        ]
    )

    assert all(isinstance(result, Notice) for result in results), results
    assert sorted(Notice.objects.values_list("sequence", flat=True)) == list(range(1, 9))
    assert Notice.objects.values("number").distinct().count() == 8
