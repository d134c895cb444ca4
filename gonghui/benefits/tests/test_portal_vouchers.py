"""Portal pages of vouchers: 我的券 by state and one voucher with its code and QR, the owner's only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.benefits.models import Delivery, Voucher, VoucherStatus
from gonghui.benefits.services.claims import claim_item
from gonghui.benefits.tests.factories import make_campaign, make_member_with_account, make_merchant
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return str(response.content.decode())


def _claimed(tree: Tree, user, title: str = "周五福利", **fields) -> Voucher:
    campaign = make_campaign(tree.east, title=title, **fields)
    outcome = claim_item(campaign.pk, actor=user, idempotency_key=f"k{campaign.pk}")
    assert outcome.voucher is not None
    return outcome.voucher


def test_my_vouchers_need_a_sign_in(client: Client) -> None:
    response = client.get(reverse("portal:my_vouchers"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_tabs_show_valid_used_and_expired_vouchers(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    cinema = make_merchant(tree.east, name="甬城影院")
    valid = _claimed(tree, user, "可用的券", merchants=[cinema])
    used = _claimed(tree, user, "用过的券", merchants=[cinema])
    Voucher.objects.filter(pk=used.pk).update(
        status=VoucherStatus.REDEEMED, redeemed_at=timezone.now(), redeemed_merchant=cinema
    )
    expired = _claimed(tree, user, "过期的券")
    Voucher.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client = Client()
    client.force_login(user)
    html = _html(client.get(reverse("portal:my_vouchers")))
    assert "可使用" in html
    assert "已使用" in html
    assert "已过期" in html
    assert "可用的券" in html
    assert "甬城影院" in html
    assert "有效期至" in html
    assert "用过的券" not in html
    assert "过期的券" not in html
    assert reverse("portal:voucher_detail", args=[valid.code]) in html
    html = _html(client.get(reverse("portal:my_vouchers"), {"state": "used"}))
    assert "用过的券" in html
    assert "可用的券" not in html
    html = _html(client.get(reverse("portal:my_vouchers"), {"state": "expired"}))
    assert "过期的券" in html
    assert "可用的券" not in html
    assert client.get(reverse("portal:my_vouchers"), {"state": "<bad>"}).status_code == 200


def test_a_pickup_voucher_says_where_to_pick_it_up(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    voucher = _claimed(tree, user, delivery=Delivery.PICKUP, pickup_org=tree.town, pickup_note="周六上午")
    client = Client()
    client.force_login(user)
    html = _html(client.get(reverse("portal:voucher_detail", args=[voucher.code])))
    assert "东湖街道总工会 周六上午" in html


def test_the_list_takes_a_bounded_number_of_queries(tree: Tree, django_assert_max_num_queries) -> None:
    _member, user = make_member_with_account(tree.acme)
    cinema = make_merchant(tree.east)
    for n in range(12):
        _claimed(tree, user, f"券{n}", merchants=[cinema])
    client = Client()
    client.force_login(user)
    client.get(reverse("portal:my_vouchers"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal:my_vouchers"))
    assert _html(response).count("voucher-card--valid") == 12


def test_the_voucher_shows_its_code_in_groups_of_four_and_a_qr_code(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    voucher = _claimed(tree, user, merchants=[make_merchant(tree.east)])
    client = Client()
    client.force_login(user)
    response = client.get(reverse("portal:voucher_detail", args=[voucher.code]))
    html = _html(response)
    for group in voucher.display_code.split():
        assert f"<span>{group}</span>" in html
    assert 'src="data:image/svg+xml' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # Typed in lower case with spaces, it is the same voucher.
    spaced = voucher.display_code.lower().replace(" ", "-")
    assert client.get(reverse("portal:voucher_detail", args=[spaced])).status_code == 200


def test_a_used_voucher_shows_no_qr_code(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    voucher = _claimed(tree, user)
    Voucher.objects.filter(pk=voucher.pk).update(status=VoucherStatus.REDEEMED, redeemed_at=timezone.now())
    client = Client()
    client.force_login(user)
    html = _html(client.get(reverse("portal:voucher_detail", args=[voucher.code])))
    assert "data:image/svg+xml" not in html
    assert "使用于" in html


def test_only_the_owner_sees_a_voucher(tree: Tree) -> None:
    _member, owner = make_member_with_account(tree.acme)
    voucher = _claimed(tree, owner)
    _other_member, other = make_member_with_account(tree.acme)
    client = Client()
    client.force_login(other)
    assert client.get(reverse("portal:voucher_detail", args=[voucher.code])).status_code == 404
    assert client.get("/benefits/vouchers/NOTACODE/").status_code == 404
    assert client.get("/benefits/vouchers/" + "Z" * 300 + "/").status_code == 404
    assert voucher.code not in _html(client.get(reverse("portal:my_vouchers")))
