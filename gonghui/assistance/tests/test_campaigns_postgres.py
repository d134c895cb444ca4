"""Care campaign lists under concurrency against PostgreSQL, each thread on its own connection
with real commits: the same person added by two officers at the same moment is on the list once,
two additions that each fit the budget but not together are not both accepted, and a list is
paid once however often "pay" is pressed. The one-statement build runs here on PostgreSQL too."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import translation

from gonghui.assistance.models import CareBeneficiary, CareCampaignAction, Grant, HardshipGrade
from gonghui.assistance.services import campaigns as services
from gonghui.assistance.tests.factories import fund_with, make_care_campaign
from gonghui.assistance.tests.factories_campaigns import beneficiary, listing_campaign, member_of, on_file
from gonghui.core.errors import DomainError
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


def test_build_on_postgresql_links_files_and_keeps_the_list_once() -> None:
    tree = make_tree()
    admin = officer_at(tree.east, "east.admin")
    members = [member_of(tree.acme) for _ in range(5)]
    file = on_file(members[0], HardshipGrade.SEVERE)
    campaign = make_care_campaign(tree.east)
    outcome = services.build_list(campaign, actor=admin)
    assert (outcome.added, outcome.people) == (5, 5)
    row = CareBeneficiary.objects.get(campaign=campaign, member=members[0])
    assert (row.hardship_file, row.amount, row.added_by) == (file, Decimal("500.00"), admin)
    again = services.build_list(campaign, actor=admin)
    assert (again.added, again.people) == (0, 5)


def test_the_same_person_added_twice_at_once_is_on_the_list_once() -> None:
    tree = make_tree()
    one, two = officer_at(tree.east, "east.one"), officer_at(tree.acme, "acme.two")
    member = member_of(tree.acme)
    campaign = listing_campaign(tree.east)
    add = partial(services.add_beneficiary, campaign.pk, id_number=member.id_number)
    results = race([partial(add, actor=one), partial(add, actor=two)])
    assert sorted(
        str(type(result).__name__) if not isinstance(result, str) else result for result in results
    ) == [
        "CareBeneficiary",
        "already_on_list",
    ]
    assert CareBeneficiary.objects.filter(campaign=campaign).count() == 1


def test_two_additions_that_only_fit_alone_are_not_both_accepted() -> None:
    tree = make_tree()
    admin = officer_at(tree.east, "east.admin")
    campaign = listing_campaign(tree.east, budget="1000.00", amount_per_person="400.00")
    beneficiary(campaign, member_of(tree.acme))
    first, second = member_of(tree.acme), member_of(tree.beta)
    results = race(
        [
            partial(services.add_beneficiary, campaign.pk, actor=admin, id_number=first.id_number),
            partial(services.add_beneficiary, campaign.pk, actor=admin, id_number=second.id_number),
        ]
    )
    assert "over_budget" in results
    assert services.list_total(campaign) == Decimal("800.00")


def test_pay_pressed_twice_at_once_pays_once() -> None:
    tree = make_tree()
    admin = officer_at(tree.east, "east.admin")
    fund = fund_with(tree.east, "10000.00")
    campaign = listing_campaign(tree.east, fund=fund)
    for _ in range(4):
        beneficiary(campaign, member_of(tree.acme))
    services.change_status(campaign, actor=admin, action=CareCampaignAction.CONFIRM)
    results = race([partial(services.pay_campaign, campaign.pk, actor=admin) for _ in range(2)])
    assert "nothing_to_pay" in results
    assert Grant.objects.filter(campaign=campaign).count() == 4
    fund.refresh_from_db()
    assert fund.balance == Decimal("8000.00")
