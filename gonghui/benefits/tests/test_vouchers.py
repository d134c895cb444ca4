"""Redeeming vouchers: a till of a named merchant redeems once; everyone else finds the code
unknown; pick-up vouchers are redeemed by officers of the pick-up union; expiry is a date, not a job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.benefits.codes import normalise_code
from gonghui.benefits.models import Delivery, MerchantStatus, Voucher, VoucherStatus
from gonghui.benefits.offers import my_vouchers
from gonghui.benefits.services.claims import claim_item
from gonghui.benefits.services.vouchers import VoucherRefused, inspect_voucher, redeem_voucher
from gonghui.benefits.tests.factories import (
    make_campaign,
    make_member_with_account,
    make_merchant,
    make_merchant_account,
)
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def cinema(tree):
    return make_merchant(tree.east)


def claimed_voucher(tree, campaign) -> Voucher:
    _member, user = make_member_with_account(tree.acme)
    voucher = claim_item(campaign.pk, actor=user, idempotency_key="a").voucher
    assert voucher is not None
    return voucher


def test_the_till_sees_what_to_hand_over_then_redeems_once(tree, cinema):
    voucher = claimed_voucher(tree, make_campaign(tree.east, merchants=[cinema]))
    till = make_merchant_account(cinema)

    seen = inspect_voucher(voucher.display_code.lower(), actor=till)
    assert seen.state == "valid"
    assert seen.item_name == "电影票"
    assert "*" in seen.holder
    assert Voucher.objects.get().status == VoucherStatus.ISSUED  # looking changes nothing

    done = redeem_voucher(voucher.code, actor=till)
    assert done.state == "used"
    assert done.redeemed_where == cinema.name
    stored = Voucher.objects.get()
    assert stored.redeemed_by == till
    assert stored.redeemed_merchant == cinema
    assert stored.redeemed_at is not None
    assert AuditEvent.objects.filter(action="benefits.voucher.redeem").count() == 1

    with pytest.raises(VoucherRefused) as refused:
        redeem_voucher(voucher.code, actor=till)
    assert refused.value.code == "voucher_used"
    assert cinema.name in refused.value.message
    assert AuditEvent.objects.filter(action="benefits.voucher.redeem").count() == 1


def test_another_merchants_till_finds_the_code_unknown(tree, cinema):
    voucher = claimed_voucher(tree, make_campaign(tree.east, merchants=[cinema]))
    other_till = make_merchant_account(make_merchant(tree.east, name="别家超市"))

    with pytest.raises(NotFound) as refused:
        redeem_voucher(voucher.code, actor=other_till)
    assert refused.value.code == "voucher_unknown"
    assert Voucher.objects.get().status == VoucherStatus.ISSUED


def test_members_and_officers_cannot_redeem_merchant_vouchers(tree, cinema):
    voucher = claimed_voucher(tree, make_campaign(tree.east, merchants=[cinema]))
    _member, member_user = make_member_with_account(tree.acme)

    for actor in (member_user, officer_at(tree.east, "east.admin")):
        with pytest.raises(NotFound):
            redeem_voucher(voucher.code, actor=actor)
    assert Voucher.objects.get().status == VoucherStatus.ISSUED


def test_a_suspended_merchant_or_a_disabled_till_cannot_redeem(tree, cinema):
    voucher = claimed_voucher(tree, make_campaign(tree.east, merchants=[cinema]))
    till = make_merchant_account(cinema)
    cinema.status = MerchantStatus.SUSPENDED
    cinema.save()

    with pytest.raises(NotFound):
        redeem_voucher(voucher.code, actor=till)

    cinema.status = MerchantStatus.ACTIVE
    cinema.save()
    till.is_active = False
    till.save()
    with pytest.raises(NotFound):
        redeem_voucher(voucher.code, actor=till)


def test_an_expired_voucher_is_refused(tree, cinema):
    voucher = claimed_voucher(tree, make_campaign(tree.east, merchants=[cinema]))
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    till = make_merchant_account(cinema)

    assert inspect_voucher(voucher.code, actor=till).state == "expired"
    with pytest.raises(VoucherRefused) as refused:
        redeem_voucher(voucher.code, actor=till)
    assert refused.value.code == "voucher_expired"
    assert Voucher.objects.get().status == VoucherStatus.ISSUED


def test_pickup_vouchers_are_redeemed_by_officers_of_the_pickup_union(tree):
    campaign = make_campaign(
        tree.east, delivery=Delivery.PICKUP, pickup_org=tree.town, pickup_note="工会服务站"
    )
    voucher = claimed_voucher(tree, campaign)

    with pytest.raises(NotFound):  # an officer elsewhere
        redeem_voucher(voucher.code, actor=officer_at(tree.beta, "beta.officer", "union_officer"))
    with pytest.raises(NotFound):  # a read-only auditor of the pick-up union
        redeem_voucher(voucher.code, actor=officer_at(tree.town, "town.auditor", "auditor"))

    officer = officer_at(tree.town, "town.officer", "union_officer")
    done = redeem_voucher(voucher.code, actor=officer)
    assert done.state == "used"
    assert done.redeemed_where == tree.town.name
    assert Voucher.objects.get().redeemed_org == tree.town


@pytest.mark.parametrize("typed", ["", "ABC", "0" * 17])
def test_a_code_of_the_wrong_length_is_bad_input(tree, cinema, typed):
    with pytest.raises(ValidationFailed) as refused:
        inspect_voucher(typed, actor=make_merchant_account(cinema))
    assert "code" in refused.value.fields


def test_typed_codes_forgive_case_spaces_dashes_and_look_alikes():
    assert normalise_code("abcd-efgh ijkl mnop") == "ABCDEFGH1JK1MN0P"
    assert normalise_code("oOiIlL") == "001111"


def test_my_vouchers_sorts_into_valid_used_and_expired(tree, cinema):
    campaigns = [make_campaign(tree.east, merchants=[cinema]) for _ in range(3)]
    _member, user = make_member_with_account(tree.acme)
    vouchers = [claim_item(c.pk, actor=user, idempotency_key=f"k{c.pk}").voucher for c in campaigns]
    assert all(vouchers)
    redeem_voucher(vouchers[0].code, actor=make_merchant_account(cinema))  # type: ignore[union-attr]
    Voucher.objects.filter(pk=vouchers[1].pk).update(expires_at=timezone.now() - timedelta(days=1))  # type: ignore[union-attr]

    assert [v.pk for v in my_vouchers(user, "used")] == [vouchers[0].pk]  # type: ignore[union-attr]
    assert [v.pk for v in my_vouchers(user, "expired")] == [vouchers[1].pk]  # type: ignore[union-attr]
    assert [v.pk for v in my_vouchers(user, "valid")] == [vouchers[2].pk]  # type: ignore[union-attr]
    assert my_vouchers(user).count() == 3
