"""Many threads at once against PostgreSQL, each on its own connection with real commits: a
term's places are never oversold, and one person pressing on two phones enrols once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.core.errors import DomainError
from gonghui.courses.models import CourseEnrolment, Term
from gonghui.courses.services.enrolments import enrol
from gonghui.courses.tests.factories import make_course, make_member_with_account, make_term
from gonghui.orgs.tests.factories import make_tree

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


def test_thirty_members_racing_for_twelve_places():
    tree = make_tree()
    term = make_term(make_course(tree.east), places=12)
    users = [make_member_with_account(tree.acme)[1] for _ in range(30)]

    results = race([partial(enrol, term.pk, actor=user) for user in users])

    assert sum(1 for result in results if not isinstance(result, str) and result.created) == 12
    assert results.count("term_full") == 18
    assert CourseEnrolment.objects.count() == 12
    assert Term.objects.get().taken == 12


def test_one_person_pressing_on_eight_phones_enrols_once():
    tree = make_tree()
    term = make_term(make_course(tree.east), places=5)
    _member, user = make_member_with_account(tree.acme)

    results = race([partial(enrol, term.pk, actor=user) for _ in range(8)])

    assert not any(isinstance(result, str) for result in results)
    assert sum(1 for result in results if result.created) == 1
    assert len({result.enrolment.pk for result in results}) == 1
    assert CourseEnrolment.objects.count() == 1
    assert Term.objects.get().taken == 1
