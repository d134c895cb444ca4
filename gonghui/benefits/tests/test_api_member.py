"""The member API of benefits: campaigns for me, claiming with an Idempotency-Key header (201, then
200 for a retry), refusals as {code, message, fields} with nothing written, lottery entries, the
public draw record, my vouchers, and the till's inspect / redeem calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.services import create_api_token
from gonghui.benefits.models import CampaignMode, Claim, Voucher
from gonghui.benefits.services.lottery import draw_lottery
from gonghui.benefits.tests.factories import (
    make_campaign,
    make_member_with_account,
    make_merchant,
    make_merchant_account,
)
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


def bearer(user) -> Client:
    _token, raw = create_api_token(actor=user, name="手机", expires_in_days=30)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def test_claim_then_retry_then_limit(tree):
    campaign = make_campaign(tree.east, stock=5, merchants=[make_merchant(tree.east)])
    _member, user = make_member_with_account(tree.acme)
    client = bearer(user)
    url = f"/api/v1/benefits/campaigns/{campaign.pk}/claims"

    first = post(client, url, {}, "press-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["voucher"]["state"] == "valid"
    assert len(body["voucher"]["code"]) == 16

    retry = post(client, url, {}, "press-1")
    assert retry.status_code == 200
    assert retry.json() == body

    again = post(client, url, {}, "press-2")
    assert again.status_code == 409
    assert again.json()["code"] == "limit_reached"
    assert again.json()["message"]
    assert Claim.objects.count() == 1


def test_a_claim_without_a_key_is_refused_with_the_field(tree):
    campaign = make_campaign(tree.east, merchants=[make_merchant(tree.east)])
    _member, user = make_member_with_account(tree.acme)

    response = post(bearer(user), f"/api/v1/benefits/campaigns/{campaign.pk}/claims", {})

    assert response.status_code == 422
    assert "idempotency_key" in response.json()["fields"]
    assert Claim.objects.count() == 0


def test_refusals_carry_their_codes(tree):
    merchant = make_merchant(tree.east)
    upcoming = make_campaign(tree.east, merchants=[merchant], opens_in=timedelta(hours=1))
    elsewhere = make_campaign(tree.west, merchants=[merchant])
    _member, user = make_member_with_account(tree.acme)
    client = bearer(user)

    assert (
        post(client, f"/api/v1/benefits/campaigns/{upcoming.pk}/claims", {}, "a").json()["code"]
        == "not_started"
    )
    not_eligible = post(client, f"/api/v1/benefits/campaigns/{elsewhere.pk}/claims", {}, "b")
    assert not_eligible.status_code == 422
    assert not_eligible.json()["code"] == "not_eligible"
    assert post(client, "/api/v1/benefits/campaigns/999999/claims", {}, "c").status_code == 404
    assert Claim.objects.count() == 0


def test_anonymous_callers_cannot_claim(tree):
    campaign = make_campaign(tree.east, merchants=[make_merchant(tree.east)])
    response = post(Client(), f"/api/v1/benefits/campaigns/{campaign.pk}/claims", {}, "a")
    assert response.status_code == 401
    assert Claim.objects.count() == 0


def test_campaigns_for_me_and_my_standing(tree):
    merchant = make_merchant(tree.east)
    mine = make_campaign(tree.east, merchants=[merchant], title="东区福利")
    make_campaign(tree.west, merchants=[merchant], title="西区福利")
    _member, user = make_member_with_account(tree.acme)
    client = bearer(user)

    listed = client.get("/api/v1/benefits/campaigns").json()
    assert [row["title"] for row in listed["items"]] == ["东区福利"]
    assert listed["items"][0]["window"] == "open"

    post(client, f"/api/v1/benefits/campaigns/{mine.pk}/claims", {}, "a")
    detail = client.get(f"/api/v1/benefits/campaigns/{mine.pk}").json()
    assert detail["me"] == {"eligible": True, "reason": "", "claimed": 1, "entry_code": None, "won": None}
    assert detail["items"][0]["remaining"] == 9


def test_lottery_entry_and_the_public_draw_record(tree):
    campaign = make_campaign(
        tree.east, stock=1, mode=CampaignMode.LOTTERY, merchants=[make_merchant(tree.east)]
    )
    codes = []
    for _ in range(3):
        _member, user = make_member_with_account(tree.acme)
        response = post(bearer(user), f"/api/v1/benefits/campaigns/{campaign.pk}/entries", {}, "enter")
        assert response.status_code == 201
        codes.append(response.json()["code"])

    before = Client().get(f"/api/v1/benefits/campaigns/{campaign.pk}/draw").json()
    assert before["seed"] == campaign.seed
    assert not before["drawn"]
    assert before["entries"] == []

    campaign.ends_at = timezone.now() - timedelta(seconds=1)
    campaign.starts_at = campaign.ends_at - timedelta(hours=1)
    campaign.save()
    draw_lottery(campaign, actor=officer_at(tree.east, "east.benefits"))

    after = Client().get(f"/api/v1/benefits/campaigns/{campaign.pk}/draw").json()
    assert after["drawn"]
    assert sorted(row["code"] for row in after["entries"]) == sorted(codes)
    assert sum(row["won"] for row in after["entries"]) == 1
    assert "sha256" in after["rule"]


def test_my_vouchers_and_the_till(tree):
    cinema = make_merchant(tree.east)
    campaign = make_campaign(tree.east, merchants=[cinema])
    _member, user = make_member_with_account(tree.acme)
    member_client = bearer(user)
    code = post(member_client, f"/api/v1/benefits/campaigns/{campaign.pk}/claims", {}, "a").json()["voucher"][
        "code"
    ]

    mine = member_client.get("/api/v1/benefits/vouchers?state=valid").json()
    assert [row["code"] for row in mine["items"]] == [code]
    assert mine["items"][0]["redeem_at"] == [cinema.name]

    till = bearer(make_merchant_account(cinema))
    seen = post(till, "/api/v1/benefits/vouchers/inspect", {"code": code.lower()})
    assert seen.status_code == 200
    assert seen.json()["item_name"] == "电影票"
    assert post(till, "/api/v1/benefits/vouchers/redeem", {"code": code}).json()["state"] == "used"
    second = post(till, "/api/v1/benefits/vouchers/redeem", {"code": code})
    assert second.status_code == 409
    assert second.json()["code"] == "voucher_used"

    # A member cannot redeem, and learns nothing about the code
    refused = post(member_client, "/api/v1/benefits/vouchers/redeem", {"code": code})
    assert refused.status_code == 404
    assert refused.json()["code"] == "voucher_unknown"
    assert (
        member_client.get("/api/v1/benefits/vouchers?state=used").json()["items"][0]["redeemed_where"]
        == cinema.name
    )
    assert Voucher.objects.get().redeemed_merchant == cinema
