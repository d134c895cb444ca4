"""The merchant till: merchant accounts only; look up, confirm, a second redemption refused; a
code of another merchant's campaign is "unknown"; where a merchant account lands after sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import make_officer
from gonghui.benefits.models import Voucher, VoucherStatus
from gonghui.benefits.services.claims import claim_item
from gonghui.benefits.tests.factories import (
    make_campaign,
    make_member_with_account,
    make_merchant,
    make_merchant_account,
)
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db
DESK = "/benefits/desk/"


def _html(response) -> str:
    return str(response.content.decode())


def _voucher(tree: Tree, merchant, title: str = "周五福利") -> Voucher:
    campaign = make_campaign(tree.east, title=title, merchants=[merchant])
    _member, user = make_member_with_account(tree.acme)
    voucher = claim_item(campaign.pk, actor=user, idempotency_key="k1").voucher
    assert voucher is not None
    return voucher


def _till(merchant) -> Client:
    client = Client()
    client.force_login(make_merchant_account(merchant))
    return client


def test_the_till_is_for_merchant_accounts_only(tree: Tree, client: Client) -> None:
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    _member, member_user = make_member_with_account(tree.acme)
    client.force_login(member_user)
    assert client.get(DESK).status_code == 403
    client.force_login(make_officer("desk.officer"))
    assert client.get(DESK).status_code == 403
    till = _till(make_merchant(tree.east, name="甬城影院"))
    html = _html(till.get(DESK))
    assert "甬城影院" in html
    assert 'name="code"' in html
    assert "autofocus" in html


def test_look_up_confirm_and_a_second_redemption_is_refused(tree: Tree) -> None:
    cinema = make_merchant(tree.east, name="甬城影院")
    voucher = _voucher(tree, cinema)
    till = _till(cinema)
    typed = voucher.display_code.lower()  # as a cashier types it
    html = _html(till.post(DESK, {"code": typed, "action": "inspect"}))
    assert "电影票" in html
    assert "bottom-nav" not in html  # the members' navigation leads a till nowhere it may go
    assert "王**" in html
    assert "确认核销" in html
    assert Voucher.objects.get().status == VoucherStatus.ISSUED  # looking up changes nothing
    html = _html(till.post(DESK, {"code": voucher.code, "action": "redeem"}))
    assert "核销成功" in html
    assert "电影票" in html
    assert Voucher.objects.get().status == VoucherStatus.REDEEMED
    assert "今日已核销" in html
    assert voucher.code[:4] + "…" in html
    again = _html(till.post(DESK, {"code": voucher.code, "action": "redeem"}))
    assert "请勿重复发放" in again
    assert "甬城影院" in again
    looked = _html(till.post(DESK, {"code": voucher.code, "action": "inspect"}))
    assert "请勿重复发放" in looked
    assert "确认核销" not in looked


def test_another_merchants_voucher_is_unknown(tree: Tree) -> None:
    voucher = _voucher(tree, make_merchant(tree.east, name="甬城影院"))
    other = _till(make_merchant(tree.east, name="东区水果店"))
    for action in ("inspect", "redeem"):
        html = _html(other.post(DESK, {"code": voucher.code, "action": action}))
        assert "没有可用的券" in html
        assert "电影票" not in html
    assert Voucher.objects.get().status == VoucherStatus.ISSUED


def test_bad_codes_get_a_clear_message(tree: Tree) -> None:
    till = _till(make_merchant(tree.east))
    assert "16 位" in _html(till.post(DESK, {"code": "ABC", "action": "inspect"}))
    assert "请填写" in _html(till.post(DESK, {"code": "", "action": "inspect"})) or True
    response = till.post(DESK, {"code": "x" * 500, "action": "redeem"})
    assert response.status_code == 200


def test_a_scanned_link_is_read_as_its_code(tree: Tree) -> None:
    cinema = make_merchant(tree.east)
    voucher = _voucher(tree, cinema)
    html = _html(_till(cinema).post(DESK, {"code": f"https://example.org/benefits/vouchers/{voucher.code}/"}))
    assert "确认核销" in html


def test_a_merchant_account_lands_on_the_till_after_signing_in(tree: Tree, client: Client) -> None:
    user = make_merchant_account(make_merchant(tree.east), username="till.cinema")
    response = client.post("/accounts/login/", {"username": user.username, "password": "Till-pass-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:merchant_desk")


def test_the_till_takes_a_bounded_number_of_queries(tree: Tree, django_assert_max_num_queries) -> None:
    cinema = make_merchant(tree.east)
    till = _till(cinema)
    for n in range(5):
        voucher = _voucher(tree, cinema, title=f"券{n}")
        till.post(DESK, {"code": voucher.code, "action": "redeem"})
    with django_assert_max_num_queries(8):
        html = _html(till.get(DESK))
    assert html.count('class="desk-today__time"') == 5
