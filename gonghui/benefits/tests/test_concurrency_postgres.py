"""Many threads at once against PostgreSQL, each on its own connection with real commits: the
stock never oversells, nobody gets two items, a double tap claims once, and of many tills scanning
one voucher at the same moment exactly one redeems it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from gonghui.benefits.models import CampaignItem, Claim, Voucher, VoucherStatus
from gonghui.benefits.services.claims import claim_item
from gonghui.benefits.services.vouchers import redeem_voucher
from gonghui.benefits.tests.factories import (
    make_campaign,
    make_member_with_account,
    make_merchant,
    make_merchant_account,
)
from gonghui.core.errors import DomainError
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


def outcome_code(result: Any) -> str:
    return result if isinstance(result, str) else ("created" if result.created else "replayed")


def test_forty_members_racing_for_fifteen_items_get_exactly_fifteen():
    tree = make_tree()
    campaign = make_campaign(tree.east, stock=15, merchants=[make_merchant(tree.east)])
    users = [make_member_with_account(tree.acme)[1] for _ in range(40)]

    results = race([partial(claim_item, campaign.pk, actor=user, idempotency_key="go") for user in users])

    assert Counter(map(outcome_code, results)) == {"created": 15, "sold_out": 25}
    assert Claim.objects.count() == 15
    assert Voucher.objects.count() == 15
    assert CampaignItem.objects.get().remaining == 0
    assert Claim.objects.values("person_index").distinct().count() == 15


def test_one_person_pressing_on_many_devices_claims_once():
    tree = make_tree()
    campaign = make_campaign(tree.east, stock=10, merchants=[make_merchant(tree.east)])
    _member, user = make_member_with_account(tree.acme)

    # Eight presses with new keys (several devices) and eight with one key (a double tap, retries)
    calls = [partial(claim_item, campaign.pk, actor=user, idempotency_key=f"device-{n}") for n in range(8)]
    calls += [partial(claim_item, campaign.pk, actor=user, idempotency_key="tap") for _ in range(8)]
    results = race(calls)

    assert Claim.objects.count() == 1
    assert CampaignItem.objects.get().remaining == 9
    codes = Counter(map(outcome_code, results))
    assert codes["created"] == 1
    assert set(codes) <= {"created", "replayed", "limit_reached"}


def test_many_tills_scanning_one_voucher_redeem_it_once():
    tree = make_tree()
    cinema = make_merchant(tree.east)
    campaign = make_campaign(tree.east, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme)
    voucher = claim_item(campaign.pk, actor=user, idempotency_key="a").voucher
    assert voucher is not None
    tills = [make_merchant_account(cinema) for _ in range(10)]

    results = race([partial(redeem_voucher, voucher.code, actor=till) for till in tills])

    assert sum(1 for result in results if not isinstance(result, str)) == 1
    assert Counter(result for result in results if isinstance(result, str)) == {"voucher_used": 9}
    assert Voucher.objects.get().status == VoucherStatus.REDEEMED
