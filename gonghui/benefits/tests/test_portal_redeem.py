"""The console's pick-up redemption: officers of the pick-up union (benefits.change there) redeem;
a sibling officer gets "unknown"; an officer without benefits.change anywhere is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.benefits.models import Delivery, Voucher, VoucherStatus
from gonghui.benefits.services.claims import claim_item
from gonghui.benefits.tests.factories import make_campaign, make_member_with_account
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import Tree, client_for, officer_at

pytestmark = pytest.mark.django_db
URL = "/console/benefits/redeem/"


def _html(response) -> str:
    return str(response.content.decode())


def _pickup_voucher(tree: Tree) -> Voucher:
    campaign = make_campaign(
        tree.east, delivery=Delivery.PICKUP, pickup_org=tree.acme, pickup_note="工会办公室"
    )
    _member, user = make_member_with_account(tree.acme)
    voucher = claim_item(campaign.pk, actor=user, idempotency_key="pick-1").voucher
    assert voucher is not None
    return voucher


def test_an_officer_of_the_pickup_union_redeems_once(tree: Tree) -> None:
    voucher = _pickup_voucher(tree)
    client = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    assert "现场领取核销" in _html(client.get(URL))
    html = _html(client.post(URL, {"code": voucher.code, "action": "inspect"}))
    assert "电影票" in html
    assert "确认核销" in html
    html = _html(client.post(URL, {"code": voucher.code, "action": "redeem"}))
    assert "核销成功" in html
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED
    assert voucher.redeemed_org == tree.acme
    assert "请勿重复发放" in _html(client.post(URL, {"code": voucher.code, "action": "redeem"}))


def test_a_parent_officer_may_redeem_too(tree: Tree, east_client: Client) -> None:
    voucher = _pickup_voucher(tree)
    assert "确认核销" in _html(east_client.post(URL, {"code": voucher.code, "action": "inspect"}))


def test_a_sibling_officer_gets_unknown(tree: Tree) -> None:
    voucher = _pickup_voucher(tree)
    client = client_for(officer_at(tree.beta, "beta.officer", Role.UNION_OFFICER))
    for action in ("inspect", "redeem"):
        html = _html(client.post(URL, {"code": voucher.code, "action": action}))
        assert "没有可用的券" in html
        assert "电影票" not in html
    assert Voucher.objects.get().status == VoucherStatus.ISSUED


def test_an_officer_without_benefits_change_anywhere_is_refused(tree: Tree, client: Client) -> None:
    client = client_for(officer_at(tree.city, "city.auditor", Role.AUDITOR))
    assert client.get(URL).status_code == 403


def test_members_and_visitors_do_not_reach_it(tree: Tree, client: Client) -> None:
    assert client.get(URL).status_code == 302
    _member, user = make_member_with_account(tree.acme)
    client.force_login(user)
    assert client.get(URL).status_code == 403
