"""Many threads at once against PostgreSQL, each on its own connection with real commits: the
places are never oversold, the waiting list has no gaps, and concurrent cancellations each hand
their place to a different waiting person."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.core.errors import DomainError
from gonghui.events.models import Event, SignUp, SignUpStatus
from gonghui.events.services.signups import cancel_signup, sign_up
from gonghui.events.tests.factories import make_event, make_member_with_account
from gonghui.orgs.tests.factories import make_tree

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]


def race(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; each result or the error raised."""
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


def test_forty_members_racing_for_fifteen_places():
    tree = make_tree()
    event = make_event(tree.east, places=15)
    users = [make_member_with_account(tree.acme)[1] for _ in range(40)]

    results = race([partial(sign_up, event.pk, actor=user) for user in users])

    assert all(not isinstance(result, str) and result.created for result in results)
    assert Counter(SignUp.objects.values_list("status", flat=True)) == {"confirmed": 15, "waiting": 25}
    waiting = SignUp.objects.filter(status=SignUpStatus.WAITING)
    numbers = sorted(number or 0 for number in waiting.values_list("queue_number", flat=True))
    assert numbers == list(range(1, 26))
    event.refresh_from_db()
    assert (event.taken, event.waiting_seq) == (15, 25)


def test_ten_concurrent_cancellations_promote_ten_distinct_waiting_people():
    tree = make_tree()
    event = make_event(tree.east, places=10)
    people = [make_member_with_account(tree.acme)[1] for _ in range(25)]
    signups = [sign_up(event.pk, actor=user).signup for user in people]
    holders = [(signup, user) for signup, user in zip(signups, people, strict=True)][:10]

    results = race([partial(cancel_signup, signup.pk, actor=user) for signup, user in holders])

    promoted = [result.pk for result in results if isinstance(result, SignUp)]
    assert len(promoted) == len(set(promoted)) == 10
    first_ten_waiting = {signup.pk for signup in signups[10:20]}
    assert set(promoted) == first_ten_waiting
    assert Counter(SignUp.objects.values_list("status", flat=True)) == {
        "cancelled": 10,
        "confirmed": 10,
        "waiting": 5,
    }
    assert Event.objects.get().taken == 10
