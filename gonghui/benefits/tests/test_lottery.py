"""Lottery campaigns: one entry per person, a draw only after the window, winners re-computable by
anyone from the published seed and entry codes, vouchers for the winners only."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gonghui.benefits.models import (
    CampaignHistory,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Claim,
    Entry,
    Voucher,
)
from gonghui.benefits.services.claims import ClaimRefused
from gonghui.benefits.services.lottery import (
    DrawOutcome,
    draw_lottery,
    draw_record,
    enter_lottery,
    entries_digest,
    rank_entries,
)
from gonghui.benefits.tests.factories import make_campaign, make_member_with_account, make_merchant
from gonghui.core.errors import Conflict, InvalidTransition, NotFound
from gonghui.core.models import AuditEvent
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


def lottery(tree, stock: int = 2):
    return make_campaign(
        tree.east, stock=stock, mode=CampaignMode.LOTTERY, merchants=[make_merchant(tree.east)]
    )


def close(campaign) -> None:
    campaign.ends_at = timezone.now() - timedelta(seconds=1)
    campaign.starts_at = campaign.ends_at - timedelta(days=1)
    campaign.save()


def enter_many(campaign, org, n: int) -> list[Entry]:
    entries = []
    for _ in range(n):
        _member, user = make_member_with_account(org)
        entries.append(enter_lottery(campaign.pk, actor=user, idempotency_key="enter").entry)
    return entries


def recompute(seed: str, codes_by_item: dict[int, list[str]], winners: dict[int, int]) -> set[str]:
    """The draw as an outsider would redo it from the published rule, with hashlib alone."""
    digest = hashlib.sha256(
        "\n".join(sorted(c for codes in codes_by_item.values() for c in codes)).encode()
    ).hexdigest()
    won: set[str] = set()
    for item_id, codes in codes_by_item.items():
        ordered = sorted(
            codes, key=lambda code: hashlib.sha256(f"{seed}:{digest}:{code}".encode()).hexdigest()
        )
        won.update(ordered[: winners[item_id]])
    return won


def test_a_member_enters_once_and_a_retry_returns_the_same_entry(tree):
    campaign = lottery(tree)
    _member, user = make_member_with_account(tree.acme)

    first = enter_lottery(campaign.pk, actor=user, idempotency_key="k1")
    again = enter_lottery(campaign.pk, actor=user, idempotency_key="k1")

    assert first.created
    assert not again.created
    assert again.entry.pk == first.entry.pk
    assert len(first.entry.code) == 10
    with pytest.raises(ClaimRefused) as refused:
        enter_lottery(campaign.pk, actor=user, idempotency_key="k2")
    assert refused.value.code == "already_entered"
    assert Entry.objects.count() == 1


def test_a_first_come_campaign_takes_no_entries(tree):
    campaign = make_campaign(tree.east, merchants=[make_merchant(tree.east)])
    _member, user = make_member_with_account(tree.acme)
    with pytest.raises(ClaimRefused) as refused:
        enter_lottery(campaign.pk, actor=user, idempotency_key="k1")
    assert refused.value.code == "not_a_lottery"


def test_the_draw_waits_for_the_window_to_close(tree):
    campaign = lottery(tree)
    enter_many(campaign, tree.acme, 3)
    officer = officer_at(tree.east, "east.benefits")

    with pytest.raises(Conflict) as refused:
        draw_lottery(campaign, actor=officer)
    assert refused.value.code == "entries_open"
    assert Claim.objects.count() == 0


def test_the_draw_gives_exactly_stock_winners_vouchers_and_can_be_recomputed(tree):
    campaign = lottery(tree, stock=3)
    entries = enter_many(campaign, tree.acme, 8)
    close(campaign)
    officer = officer_at(tree.east, "east.benefits")

    outcome = draw_lottery(campaign, actor=officer)

    assert outcome == DrawOutcome(entries=8, winners=3)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAWN
    assert campaign.entries_digest == entries_digest([entry.code for entry in entries])
    winners = set(Entry.objects.filter(won=True).values_list("code", flat=True))
    assert len(winners) == 3
    assert Entry.objects.filter(won=False).count() == 5
    item = CampaignItem.objects.get()
    assert winners == recompute(campaign.seed, {item.pk: [entry.code for entry in entries]}, {item.pk: 3})
    assert Claim.objects.count() == 3
    assert Voucher.objects.count() == 3
    assert set(Claim.objects.values_list("person_index", flat=True)) == set(
        Entry.objects.filter(won=True).values_list("person_index", flat=True)
    )
    assert item.remaining == 0
    assert CampaignHistory.objects.filter(campaign=campaign, to_status=CampaignStatus.DRAWN).exists()
    assert AuditEvent.objects.filter(action="benefits.campaign.draw").count() == 1

    record = draw_record(campaign)
    assert record.drawn
    assert record.seed == campaign.seed
    assert {row.code for row in record.entries if row.won} == winners
    assert [row.rank for row in record.entries] == list(range(1, 9))


def test_fewer_entries_than_stock_all_win(tree):
    campaign = lottery(tree, stock=5)
    enter_many(campaign, tree.acme, 2)
    close(campaign)

    outcome = draw_lottery(campaign, actor=officer_at(tree.east, "east.benefits"))

    assert outcome.winners == 2
    assert CampaignItem.objects.get().remaining == 3


def test_the_draw_is_done_once(tree):
    campaign = lottery(tree)
    enter_many(campaign, tree.acme, 2)
    close(campaign)
    officer = officer_at(tree.east, "east.benefits")
    draw_lottery(campaign, actor=officer)

    with pytest.raises(InvalidTransition):
        draw_lottery(campaign, actor=officer)
    assert Claim.objects.count() == 2


def test_only_the_organisers_may_draw(tree):
    campaign = lottery(tree)
    enter_many(campaign, tree.acme, 2)
    close(campaign)

    with pytest.raises(NotFound):
        draw_lottery(campaign, actor=officer_at(tree.west, "west.admin"))
    assert Claim.objects.count() == 0


def test_before_the_draw_the_record_shows_the_seed_only(tree):
    campaign = lottery(tree)
    enter_many(campaign, tree.acme, 2)

    record = draw_record(campaign)

    assert not record.drawn
    assert record.seed == campaign.seed
    assert record.entries == []


@given(
    seed=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    codes=st.lists(
        st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=10, max_size=10), unique=True
    ),
    stock=st.integers(min_value=0, max_value=20),
)
def test_ranking_matches_an_independent_recomputation(seed, codes, stock):
    ranked = rank_entries(seed, {1: codes}, {1: stock})

    assert {row.code for row in ranked if row.won} == recompute(seed, {1: codes}, {1: stock})
    assert sum(row.won for row in ranked) == min(stock, len(codes))
    # Same input, same result: nothing but the inputs decides
    assert rank_entries(seed, {1: list(reversed(codes))}, {1: stock}) == ranked
