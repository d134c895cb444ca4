"""Several officers bringing overlapping general contracts of one workplace into force at the
same moment against PostgreSQL, each thread on its own connection with real commits: the
workplace's rows are locked first, so exactly one comes into force; and the daily command run
twice at once texts each union once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.contracts.models import CollectiveContract, ContractStatus
from gonghui.contracts.services.contracts import take_action
from gonghui.contracts.services.reminders import send_due_reminders
from gonghui.contracts.tests.factories import make_contract, make_workplace, today
from gonghui.core.errors import DomainError
from gonghui.core.sms import outbox_messages
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import make_tree, officer_at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    # The flush after a transactional test would drop the deadline rules seeded by migration.
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


def test_overlapping_general_contracts_racing_into_force() -> None:
    tree = make_tree()
    workplace = make_workplace(None, tree.acme)
    drafts = [
        make_contract(tree.acme, [workplace], status=ContractStatus.DRAFT, start=today() + timedelta(days=n))
        for n in range(6)
    ]
    officers = [officer_at(tree.acme, f"acme.officer{n}") for n in range(len(drafts))]

    results = race(
        [
            partial(take_action, draft.pk, actor=officer, action="bring_into_force")
            for draft, officer in zip(drafts, officers, strict=True)
        ]
    )

    assert sum(isinstance(result, CollectiveContract) for result in results) == 1
    assert Counter(result for result in results if isinstance(result, str)) == {"overlapping_contract": 5}
    assert CollectiveContract.objects.filter(status=ContractStatus.IN_FORCE).count() == 1


def test_two_runs_of_the_daily_command_text_once() -> None:
    tree = make_tree()
    Org.objects.filter(pk=tree.acme.pk).update(contact_phone="13912345670")
    end = today() + timedelta(days=30)
    for _ in range(3):
        make_contract(tree.acme, start=end - timedelta(days=700), end=end)

    results = race([send_due_reminders, send_due_reminders])

    assert sum(result.texted for result in results) == 3
    assert len(outbox_messages("13912345670")) == 3
