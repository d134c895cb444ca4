"""Claiming a first-come item: success, the idempotency key, every refusal with nothing written,
eligibility rules, per-member limits, the sold-out gate and shipping details."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.benefits.models import (
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Claim,
    Delivery,
    Voucher,
)
from gonghui.benefits.services.claims import (
    CLAIMS_PER_MINUTE,
    ClaimRefused,
    Shipping,
    claim_item,
    clear_sold_out,
    sold_out_key,
)
from gonghui.benefits.services.eligibility import NotEligible, eligible_members
from gonghui.benefits.tests.factories import make_campaign, make_member_with_account, make_merchant
from gonghui.core.errors import NotFound, RateLimited, ValidationFailed
from gonghui.members.categories import MemberCategory
from gonghui.members.models import MemberStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def cinema(tree):
    return make_merchant(tree.east)


def counts() -> tuple[int, int, list[int]]:
    return (
        Claim.objects.count(),
        Voucher.objects.count(),
        list(CampaignItem.objects.values_list("remaining", flat=True)),
    )


def test_a_member_claims_a_voucher_and_the_stock_goes_down(tree, cinema):
    campaign = make_campaign(tree.east, stock=3, merchants=[cinema])
    member, user = make_member_with_account(tree.acme)

    outcome = claim_item(campaign.pk, actor=user, idempotency_key="press-1")

    assert outcome.created
    assert outcome.claim.member == member
    assert outcome.claim.org == tree.acme
    assert outcome.claim.person_index == member.id_number_index
    assert outcome.voucher is not None
    assert len(outcome.voucher.code) == 16
    assert outcome.voucher.expires_at == campaign.voucher_expires_at
    assert outcome.voucher.state() == "valid"
    assert CampaignItem.objects.get().remaining == 2


def test_a_retry_with_the_same_key_returns_the_first_claim(tree, cinema):
    campaign = make_campaign(tree.east, stock=3, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme)
    first = claim_item(campaign.pk, actor=user, idempotency_key="press-1")

    again = claim_item(campaign.pk, actor=user, idempotency_key="press-1")

    assert not again.created
    assert again.claim.pk == first.claim.pk
    assert again.voucher is not None
    assert first.voucher is not None
    assert again.voucher.code == first.voucher.code
    assert counts() == (1, 1, [2])


def test_a_second_press_with_a_new_key_reaches_the_limit(tree, cinema):
    campaign = make_campaign(tree.east, stock=3, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme)
    claim_item(campaign.pk, actor=user, idempotency_key="press-1")

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="press-2")

    assert refused.value.code == "limit_reached"
    assert counts() == (1, 1, [2])


def test_a_limit_of_three_allows_three_claims_and_no_fourth(tree, cinema):
    campaign = make_campaign(tree.east, stock=10, merchants=[cinema], per_member_limit=3)
    _member, user = make_member_with_account(tree.acme)
    for n in range(3):
        claim_item(campaign.pk, actor=user, idempotency_key=f"press-{n}")

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="press-4")

    assert refused.value.code == "limit_reached"
    assert "3" in refused.value.message
    assert sorted(Claim.objects.values_list("slot", flat=True)) == [1, 2, 3]


def test_the_key_of_another_campaign_is_refused(tree, cinema):
    one = make_campaign(tree.east, merchants=[cinema])
    other = make_campaign(tree.east, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme)
    claim_item(one.pk, actor=user, idempotency_key="press-1")

    with pytest.raises(ValidationFailed) as refused:
        claim_item(other.pk, actor=user, idempotency_key="press-1")

    assert "idempotency_key" in refused.value.fields
    assert Claim.objects.filter(campaign=other).count() == 0


@pytest.mark.parametrize("key", [None, "", "x" * 65, "has space", "中文"])
def test_a_missing_or_malformed_key_is_refused(tree, cinema, key):
    campaign = make_campaign(tree.east, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(ValidationFailed) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key=key)

    assert "idempotency_key" in refused.value.fields
    assert counts() == (0, 0, [10])


def test_sold_out_is_refused_and_remembered_by_the_gate(tree, cinema):
    campaign = make_campaign(tree.east, stock=1, merchants=[cinema])
    _first, first_user = make_member_with_account(tree.acme)
    _second, second_user = make_member_with_account(tree.acme)
    claim_item(campaign.pk, actor=first_user, idempotency_key="a")
    item = CampaignItem.objects.get()

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=second_user, idempotency_key="b")

    assert refused.value.code == "sold_out"
    assert cache.get(sold_out_key(campaign.pk)) == {"items": [item.pk], "all": True}
    assert counts() == (1, 1, [0])


def test_once_sold_out_late_presses_are_answered_without_reading_the_campaign(tree, cinema):
    campaign = make_campaign(tree.east, stock=1, merchants=[cinema])
    users = [make_member_with_account(tree.acme)[1] for _ in range(3)]
    claim_item(campaign.pk, actor=users[0], idempotency_key="a")
    with pytest.raises(ClaimRefused):
        claim_item(campaign.pk, actor=users[1], idempotency_key="b")

    with CaptureQueriesContext(connection) as queries, pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=users[2], idempotency_key="c")

    assert refused.value.code == "sold_out"
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert 'FROM "benefits_campaignitem"' not in read
    assert 'FROM "members_member"' not in read


def test_a_sold_out_item_does_not_close_the_others(tree, cinema):
    campaign = make_campaign(tree.east, stock=1, merchants=[cinema])
    fruit = CampaignItem.objects.create(
        campaign=campaign, name="水果", unit_cost=Decimal("20.00"), stock=5, remaining=5
    )
    ticket = campaign.items.exclude(pk=fruit.pk).get()
    users = [make_member_with_account(tree.acme)[1] for _ in range(3)]
    claim_item(campaign.pk, actor=users[0], idempotency_key="a", item_id=ticket.pk)
    with pytest.raises(ClaimRefused):
        claim_item(campaign.pk, actor=users[1], idempotency_key="b", item_id=ticket.pk)

    assert cache.get(sold_out_key(campaign.pk)) == {"items": [ticket.pk], "all": False}
    assert claim_item(campaign.pk, actor=users[2], idempotency_key="c", item_id=fruit.pk).created


def test_the_gate_is_never_the_only_guard(tree, cinema):
    # Given a gate that was cleared although the stock is still gone (a raise undone, say)
    campaign = make_campaign(tree.east, stock=1, merchants=[cinema])
    _first, first_user = make_member_with_account(tree.acme)
    _second, second_user = make_member_with_account(tree.acme)
    claim_item(campaign.pk, actor=first_user, idempotency_key="a")
    clear_sold_out(campaign.pk)

    # Then the database still refuses
    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=second_user, idempotency_key="b")
    assert refused.value.code == "sold_out"
    assert counts() == (1, 1, [0])


def test_clearing_the_gate_lets_claims_through_after_the_stock_is_raised(tree, cinema):
    campaign = make_campaign(tree.east, stock=1, merchants=[cinema])
    users = [make_member_with_account(tree.acme)[1] for _ in range(2)]
    claim_item(campaign.pk, actor=users[0], idempotency_key="a")
    with pytest.raises(ClaimRefused):
        claim_item(campaign.pk, actor=users[1], idempotency_key="b")
    item = CampaignItem.objects.get()
    CampaignItem.objects.filter(pk=item.pk).update(stock=2, remaining=1)
    clear_sold_out(campaign.pk)

    assert claim_item(campaign.pk, actor=users[1], idempotency_key="b").created


def test_before_the_window_opens_the_answer_says_when(tree, cinema):
    campaign = make_campaign(tree.east, merchants=[cinema], opens_in=timedelta(hours=2))
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="a")

    assert refused.value.code == "not_started"
    assert "开始" in refused.value.message or "opens" in refused.value.message
    assert counts() == (0, 0, [10])


def test_after_the_window_the_campaign_has_ended(tree, cinema):
    campaign = make_campaign(
        tree.east, merchants=[cinema], opens_in=timedelta(days=-3), lasts=timedelta(days=1)
    )
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="a")

    assert refused.value.code == "ended"
    assert counts() == (0, 0, [10])


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CANCELLED])
def test_drafts_and_cancelled_campaigns_are_not_found(tree, cinema, status):
    campaign = make_campaign(tree.east, merchants=[cinema], status=status)
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(NotFound):
        claim_item(campaign.pk, actor=user, idempotency_key="a")
    assert counts() == (0, 0, [10])


def test_a_lottery_is_not_claimed(tree, cinema):
    campaign = make_campaign(tree.east, merchants=[cinema], mode=CampaignMode.LOTTERY)
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="a")
    assert refused.value.code == "lottery_campaign"


def test_a_member_outside_the_subtree_is_not_eligible(tree, cinema):
    campaign = make_campaign(tree.east, merchants=[cinema])
    _member, user = make_member_with_account(tree.gamma)  # west district

    with pytest.raises(NotEligible) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="a")

    assert tree.east.name in refused.value.message
    assert counts() == (0, 0, [10])


def test_an_account_without_an_active_membership_is_not_eligible(tree, cinema):
    campaign = make_campaign(tree.east, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme, status=MemberStatus.LEFT)

    with pytest.raises(NotEligible):
        claim_item(campaign.pk, actor=user, idempotency_key="a")
    assert counts() == (0, 0, [10])


def test_categories_admit_a_member_in_any_one_of_them(tree, cinema):
    campaign = make_campaign(
        tree.east, merchants=[cinema], categories=[MemberCategory.GIG_WORKER, MemberCategory.FEMALE]
    )
    _rider, rider = make_member_with_account(tree.acme, is_gig_worker=True)
    _woman, woman = make_member_with_account(tree.acme, sex="female")
    _other, other = make_member_with_account(tree.acme)

    assert claim_item(campaign.pk, actor=rider, idempotency_key="a").created
    assert claim_item(campaign.pk, actor=woman, idempotency_key="a").created
    with pytest.raises(NotEligible) as refused:
        claim_item(campaign.pk, actor=other, idempotency_key="a")
    assert str(MemberCategory.GIG_WORKER.label) in refused.value.message
    assert eligible_members(campaign).count() == 2


def test_joined_before_excludes_newer_members(tree, cinema):
    campaign = make_campaign(tree.east, merchants=[cinema], joined_before=date(2024, 1, 1))
    _old, old = make_member_with_account(tree.acme, joined_on=date(2023, 12, 31))
    _new, new = make_member_with_account(tree.acme, joined_on=date(2024, 1, 1))

    assert claim_item(campaign.pk, actor=old, idempotency_key="a").created
    with pytest.raises(NotEligible):
        claim_item(campaign.pk, actor=new, idempotency_key="a")


def test_a_transfer_does_not_reset_what_a_person_claimed(tree, cinema):
    # A person is their ID number: a new membership row in another union is the same person.
    campaign = make_campaign(tree.east, merchants=[cinema])
    member, user = make_member_with_account(tree.acme)
    claim_item(campaign.pk, actor=user, idempotency_key="a")
    member.status = MemberStatus.TRANSFERRED_OUT
    member.save()
    moved, _other_user = make_member_with_account(tree.beta)
    moved.id_number, moved.id_number_index, moved.user = member.id_number, member.id_number_index, user
    moved.save()

    with pytest.raises(ClaimRefused) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="b")
    assert refused.value.code == "limit_reached"


def test_the_member_rate_limit_answers_429_and_writes_nothing(tree, cinema):
    campaign = make_campaign(tree.east, stock=1, merchants=[cinema], opens_in=timedelta(hours=1))
    _member, user = make_member_with_account(tree.acme)
    for n in range(CLAIMS_PER_MINUTE):
        with pytest.raises(ClaimRefused):
            claim_item(campaign.pk, actor=user, idempotency_key=f"k{n}")

    with pytest.raises(RateLimited) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="one-more")
    assert refused.value.status == 429


def test_several_items_need_a_choice(tree, cinema):
    campaign = make_campaign(tree.east, merchants=[cinema])
    fruit = CampaignItem.objects.create(
        campaign=campaign, name="水果", unit_cost=Decimal("20.00"), stock=5, remaining=5
    )
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(ValidationFailed) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="a")
    assert "item" in refused.value.fields

    outcome = claim_item(campaign.pk, actor=user, idempotency_key="a", item_id=fruit.pk)
    assert outcome.claim.item == fruit
    assert CampaignItem.objects.get(pk=fruit.pk).remaining == 4


def test_shipping_asks_for_a_complete_address_and_stores_it_encrypted(tree):
    campaign = make_campaign(tree.east, delivery=Delivery.SHIPPING)
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(ValidationFailed) as refused:
        claim_item(campaign.pk, actor=user, idempotency_key="a", shipping=Shipping("", "123", "短"))
    assert set(refused.value.fields) == {"recipient", "mobile", "address"}
    assert counts() == (0, 0, [10])

    shipping = Shipping("李华", "138 0013 8000", "东区中山路 1 号 2 幢 301 室")
    outcome = claim_item(campaign.pk, actor=user, idempotency_key="a", shipping=shipping)

    assert outcome.voucher is None
    claim = Claim.objects.get()
    assert claim.recipient == "李华"
    assert claim.recipient_mobile == "13800138000"
    assert claim.shipping_address == "东区中山路 1 号 2 幢 301 室"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT shipping_address FROM benefits_claim")
        (stored,) = cursor.fetchone()
    assert "中山路" not in stored
