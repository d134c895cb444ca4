"""Claims under concurrency against PostgreSQL, each thread on its own connection with real
commits: two checks of one person's claims cannot both use the same room under the year cap, and
one invoice number submitted in two claims at the same moment is accepted once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import translation

from gonghui.core.errors import DomainError
from gonghui.mutualaid.models import AidClaim, AidInvoice, AidPlanStatus
from gonghui.mutualaid.services.claims import check_claim, submit_claim
from gonghui.mutualaid.tests.factories import (
    claim_input,
    line,
    make_enrolment,
    make_member_with_account,
    make_plan,
    make_rule,
)
from gonghui.orgs.tests.factories import make_tree, officer_at

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
            with translation.override("en"):
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


def test_two_concurrent_checks_share_the_year_cap(today: Any) -> None:
    tree = make_tree()
    plan = make_plan(tree.east, status=AidPlanStatus.OPEN, second_review_rate=Decimal("0"))
    make_rule(plan, per_claim_cap=Decimal("8000.00"), per_year_cap=Decimal("8000.00"))
    member, user = make_member_with_account(tree.acme)
    make_enrolment(plan, member)
    handlers = [officer_at(tree.east, f"east.handler{n}") for n in range(2)]
    claims = [
        submit_claim(plan, actor=user, **claim_input(lines=[line(f"FP{n}", "13500.00", "1500.00")]))
        for n in range(2)
    ]

    race(
        [
            partial(check_claim, claim.pk, actor=handler)
            for claim, handler in zip(claims, handlers, strict=True)
        ]
    )

    payouts = sorted(payout or Decimal(0) for payout in AidClaim.objects.values_list("payout", flat=True))
    assert payouts == [Decimal("2300.00"), Decimal("5700.00")]
    assert sum(payouts) == Decimal("8000.00")


def test_one_invoice_number_in_two_claims_at_once_is_accepted_once(today: Any) -> None:
    tree = make_tree()
    plan = make_plan(tree.east, status=AidPlanStatus.OPEN)
    make_rule(plan)
    users = []
    for org in (tree.acme, tree.beta, tree.group, tree.joint):
        member, user = make_member_with_account(org)
        make_enrolment(plan, member)
        users.append(user)

    results = race([partial(submit_claim, plan.pk, actor=user, **claim_input()) for user in users])

    assert sum(isinstance(result, AidClaim) for result in results) == 1
    assert sorted(result for result in results if isinstance(result, str)) == ["duplicate_invoice"] * 3
    assert AidClaim.objects.count() == 1
    assert AidInvoice.objects.count() == 1
