"""Grants approved at the same moment against PostgreSQL, each thread on its own connection with
real commits: a fund never pays out more than it holds, and its ledger still sums to its balance."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.assistance.models import EntryKind, Fund, FundEntry, Grant, GrantStatus
from gonghui.assistance.services.funds import deposit
from gonghui.assistance.services.grants import approve_grant
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import (
    assert_ledger_consistent,
    keeper_at,
    make_grant,
    make_member,
)
from gonghui.core.errors import DomainError
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


def outcome(result: Any) -> str:
    return result if isinstance(result, str) else result.status


def test_twenty_approvals_of_a_hundred_from_a_thousand_pay_exactly_ten():
    tree = make_tree()
    fund = fund_with(tree.east, "1000.00")
    keeper = keeper_at(tree.east)
    member = make_member(tree.acme)
    grants = [make_grant(fund, member, amount="100.00") for _ in range(20)]

    results = race([partial(approve_grant, grant.pk, actor=keeper) for grant in grants])

    assert Counter(map(outcome, results)) == {GrantStatus.APPROVED: 10, "insufficient_funds": 10}
    assert Grant.objects.filter(status=GrantStatus.APPROVED).count() == 10
    assert Grant.objects.filter(status=GrantStatus.PROPOSED).count() == 10
    assert Fund.objects.get(pk=fund.pk).balance == Decimal("0.00")
    assert FundEntry.objects.filter(fund=fund, kind=EntryKind.GRANT).count() == 10
    assert_ledger_consistent(fund)


def test_money_in_and_grants_at_once_keep_the_running_balances_in_order():
    tree = make_tree()
    fund = fund_with(tree.east, "500.00")
    keeper = keeper_at(tree.east)
    member = make_member(tree.acme)
    grants = [make_grant(fund, member, amount="100.00") for _ in range(8)]
    calls: list[Callable[[], Any]] = [partial(approve_grant, grant.pk, actor=keeper) for grant in grants]
    calls += [partial(deposit, fund.pk, actor=keeper, amount="50.00", memo="社会捐赠") for _ in range(8)]

    race(calls)

    approved = Grant.objects.filter(status=GrantStatus.APPROVED).count()
    assert Fund.objects.get(pk=fund.pk).balance == Decimal("900.00") - approved * Decimal("100.00")
    assert_ledger_consistent(fund)
