"""Eight officers receiving disputes at the same moment against PostgreSQL, each thread on its
own connection with real commits: every dispute gets its own number of the year."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, officer_at
from gonghui.rights.tests.factories import received_dispute

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    # The flush after a transactional test would drop the deadline rules seeded by migration.
    pytest.mark.django_db(transaction=True),
]


def test_numbers_never_repeat_under_concurrent_intake():
    tree = make_tree()
    handler = officer_at(tree.east, "east.handler", Role.CASE_HANDLER)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def intake() -> None:
        try:
            numbers.append(received_dispute(tree.acme, handler).number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(numbers)) == 8
