"""Portal pages of campaigns: the list (福利), one campaign with its button, the draw record.
The claim flow end to end through the page: success, every refusal shown in Chinese with
nothing written, and a double tap with the same idempotency key claiming once."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.benefits.models import (
    CampaignMode,
    CampaignStatus,
    Claim,
    Delivery,
    Entry,
    Voucher,
)
from gonghui.benefits.services.lottery import draw_lottery
from gonghui.benefits.tests.factories import make_campaign, make_member_with_account, make_merchant
from gonghui.members.categories import MemberCategory
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return str(response.content.decode())


def _assert_csp_clean(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def _key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "no idempotency key on the page"
    return match.group(1)


def _member_client(tree: Tree, **fields) -> tuple[Client, object]:
    _member, user = make_member_with_account(tree.acme, **fields)
    client = Client()
    client.force_login(user)
    return client, user


def test_the_list_shows_each_state_with_its_details(tree: Tree, client: Client) -> None:
    cinema = make_merchant(tree.east)
    make_campaign(tree.east, title="开抢中", stock=7, merchants=[cinema])
    make_campaign(tree.east, title="下周五", opens_in=timedelta(days=2))
    make_campaign(tree.east, title="已结束的", opens_in=timedelta(days=-3), lasts=timedelta(days=1))
    drawn = make_campaign(tree.east, title="抽过了", mode=CampaignMode.LOTTERY, status=CampaignStatus.DRAWN)
    drawn.drawn_at = timezone.now()
    drawn.save()
    make_campaign(tree.east, title="草稿", status=CampaignStatus.DRAFT)
    html = _html(client.get("/benefits/"))
    assert "开抢中" in html
    assert "进行中" in html
    assert "剩余 7 / 7" in html
    assert "下周五" in html
    assert "即将开始" in html
    assert "已结束的" in html
    assert "已结束" in html
    assert "抽过了" in html
    assert "已开奖" in html
    assert "草稿" not in html
    assert html.index("开抢中") < html.index("下周五") < html.index("已结束的")
    assert f'href="{reverse("portal:my_vouchers")}"' in html
    _assert_csp_clean(html)


def test_a_member_sees_only_the_campaigns_of_their_unions(tree: Tree) -> None:
    make_campaign(tree.east, title="东区福利")
    make_campaign(tree.west, title="西区福利")
    client, _user = _member_client(tree)
    html = _html(client.get("/benefits/"))
    assert "东区福利" in html
    assert "西区福利" not in html


def test_the_list_takes_a_bounded_number_of_queries(tree: Tree, django_assert_max_num_queries) -> None:
    client, _user = _member_client(tree)
    for n in range(15):
        make_campaign(tree.east, title=f"福利{n}")
    client.get("/benefits/")
    with django_assert_max_num_queries(12):
        response = client.get("/benefits/")
    assert response.status_code == 200
    assert _html(response).count('class="benefit-card"') == 15


def test_the_detail_tells_the_rules_in_words_and_a_visitor_is_sent_to_sign_in(
    tree: Tree, client: Client
) -> None:
    cinema = make_merchant(tree.east, name="甬城影院")
    campaign = make_campaign(
        tree.east,
        merchants=[cinema],
        categories=[MemberCategory.FEMALE],
        joined_before=date(2025, 1, 1),
        description="凭券观影",
    )
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    html = _html(client.get(url))
    assert "凭券观影" in html
    assert "东区总工会" in html
    assert "女职工" in html
    assert "2025年1月1日" in html
    assert "甬城影院" in html
    assert "登录后领取" in html
    assert f"/accounts/login/?next={url.replace('/', '%2F')}" in html
    response = client.post(url, {"idempotency_key": "abc"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Claim.objects.exists()
    _assert_csp_clean(html)


def test_a_member_claims_a_voucher_and_lands_on_it(tree: Tree) -> None:
    campaign = make_campaign(tree.east, stock=3, merchants=[make_merchant(tree.east)])
    client, user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    page = _html(client.get(url))
    assert "立即领取" in page
    response = client.post(url, {"idempotency_key": _key(page)})
    voucher = Voucher.objects.get()
    assert voucher.claim.user == user
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:voucher_detail", args=[voucher.code])
    assert campaign.items.get().remaining == 2
    after = _html(client.get(url))
    assert "立即领取" not in after
    assert voucher.display_code in after


def test_a_double_tap_with_the_same_key_claims_once(tree: Tree) -> None:
    campaign = make_campaign(tree.east, stock=3, per_member_limit=2)
    client, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    key = _key(_html(client.get(url)))
    first = client.post(url, {"idempotency_key": key})
    second = client.post(url, {"idempotency_key": key})
    assert first["Location"] == second["Location"]
    assert Claim.objects.count() == 1
    assert campaign.items.get().remaining == 2
    # A new rendering of the page carries a new key: the member may claim their second one.
    assert _key(_html(client.get(url))) != key


def test_each_rendering_has_a_new_key(tree: Tree) -> None:
    campaign = make_campaign(tree.east)
    client, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    assert _key(_html(client.get(url))) != _key(_html(client.get(url)))


def _post_refused(client: Client, campaign, data: dict[str, object] | None = None) -> str:
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    response = client.post(url, {"idempotency_key": "k" * 22, **(data or {})})
    assert response.status_code == 200
    html = _html(response)
    assert 'role="alert"' in html
    return html


def test_not_started_is_refused_with_the_opening_time(tree: Tree) -> None:
    campaign = make_campaign(tree.east, opens_in=timedelta(hours=2))
    client, _user = _member_client(tree)
    page = _html(client.get(reverse("portal:campaign_detail", args=[campaign.pk])))
    assert "尚未开始" in page
    html = _post_refused(client, campaign)
    assert "活动尚未开始" in html
    assert timezone.localtime(campaign.starts_at).strftime("%Y-%m-%d %H:%M") in html
    assert not Claim.objects.exists()


def test_ended_is_refused(tree: Tree) -> None:
    campaign = make_campaign(tree.east, opens_in=timedelta(days=-2), lasts=timedelta(days=1))
    client, _user = _member_client(tree)
    assert "活动已结束" in _post_refused(client, campaign)
    assert not Claim.objects.exists()


def test_sold_out_is_refused(tree: Tree) -> None:
    campaign = make_campaign(tree.east, stock=1)
    first, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    first.post(url, {"idempotency_key": "first-press"})
    second, _other = _member_client(tree)
    page = _html(second.get(url))
    assert "已被领完" in page
    assert "立即领取" not in page
    assert "已被领完" in _post_refused(second, campaign)
    assert Claim.objects.count() == 1


def test_the_limit_is_refused(tree: Tree) -> None:
    campaign = make_campaign(tree.east, stock=5)
    client, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    client.post(url, {"idempotency_key": "first-press"})
    html = _post_refused(client, campaign, {"idempotency_key": "second-press"})
    assert "每位会员限领一次" in html
    assert Claim.objects.count() == 1


def test_a_member_outside_the_rules_reads_why(tree: Tree) -> None:
    campaign = make_campaign(tree.east, categories=[MemberCategory.GIG_WORKER])
    client, _user = _member_client(tree)
    page = _html(client.get(reverse("portal:campaign_detail", args=[campaign.pk])))
    assert "本活动仅限" in page
    assert "立即领取" not in page
    assert "本活动仅限" in _post_refused(client, campaign)
    assert not Claim.objects.exists()


def test_a_member_of_another_district_is_not_eligible(tree: Tree) -> None:
    campaign = make_campaign(tree.west)
    client, _user = _member_client(tree)
    assert "西区总工会" in _post_refused(client, campaign)
    assert not Claim.objects.exists()


def test_too_many_presses_are_rate_limited(tree: Tree) -> None:
    campaign = make_campaign(tree.east, opens_in=timedelta(hours=1))
    client, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    for n in range(20):
        client.post(url, {"idempotency_key": f"press-{n}"})
    assert "请求过于频繁" in _post_refused(client, campaign)


def test_a_tampered_key_is_refused_and_replaced(tree: Tree) -> None:
    campaign = make_campaign(tree.east)
    client, _user = _member_client(tree)
    html = _post_refused(client, campaign, {"idempotency_key": "not a key!"})
    assert "not a key!" not in html
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", _key(html))
    assert not Claim.objects.exists()


def test_a_shipping_campaign_asks_for_the_address_and_shows_every_problem(tree: Tree) -> None:
    campaign = make_campaign(tree.east, delivery=Delivery.SHIPPING)
    client, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    page = _html(client.get(url))
    assert 'name="recipient"' in page
    assert 'name="mobile"' in page
    assert 'name="address"' in page
    html = _post_refused(client, campaign, {"recipient": "张三", "mobile": "12345", "address": "东区"})
    assert 'id="id_mobile_error"' in html
    assert 'id="id_address_error"' in html
    assert not Claim.objects.exists()
    response = client.post(
        url,
        {
            "idempotency_key": "ship-1",
            "recipient": "张三",
            "mobile": "13912345678",
            "address": "东区中山路 100 号 3 幢 201 室",
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.recipient == "张三"
    assert claim.shipping_address.startswith("东区中山路")
    assert "邮寄" in _html(client.get(url))


def test_a_campaign_with_several_items_asks_which(tree: Tree) -> None:
    campaign = make_campaign(tree.east, stock=2)
    second = campaign.items.create(name="水果礼盒", unit_cost="20.00", stock=4, remaining=4, position=1)
    client, _user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    page = _html(client.get(url))
    assert "水果礼盒" in page
    assert 'type="radio"' in page
    html = _post_refused(client, campaign)
    assert 'id="id_item_error"' in html
    client.post(url, {"idempotency_key": "fruit", "item": second.pk})
    assert Claim.objects.get().item == second


def test_unknown_and_draft_campaigns_are_404(tree: Tree, client: Client) -> None:
    draft = make_campaign(tree.east, status=CampaignStatus.DRAFT)
    assert client.get(reverse("portal:campaign_detail", args=[draft.pk])).status_code == 404
    assert client.get("/benefits/campaigns/999999/").status_code == 404
    assert client.get("/benefits/campaigns/99999999999999999999/").status_code == 404
    assert client.get(f"/benefits/campaigns/{draft.pk}/draw/").status_code == 404


# --- lottery ----------------------------------------------------------------------------------


def test_a_member_enters_a_lottery_once_and_reads_the_result_after_the_draw(tree: Tree) -> None:
    campaign = make_campaign(
        tree.east, mode=CampaignMode.LOTTERY, stock=1, merchants=[make_merchant(tree.east)]
    )
    client, user = _member_client(tree)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    page = _html(client.get(url))
    assert "参与抽奖" in page
    key = _key(page)
    response = client.post(url, {"idempotency_key": key})
    assert response.status_code == 302
    client.post(url, {"idempotency_key": key})  # a double tap
    entry = Entry.objects.get()
    html = _html(client.get(url))
    assert entry.code in html
    assert "参与抽奖" not in html
    assert "开奖后" in html
    # The window closes, the organiser draws: the only entry wins the only prize.
    campaign.starts_at -= timedelta(days=3)
    campaign.ends_at = timezone.now() - timedelta(minutes=1)
    campaign.save()
    draw_lottery(campaign, actor=officer_at(tree.east, "east.draw"))
    html = _html(client.get(url))
    assert "恭喜您中奖" in html
    voucher = Voucher.objects.get()
    assert voucher.claim.user == user
    assert reverse("portal:voucher_detail", args=[voucher.code]) in html
    assert reverse("portal:campaign_draw", args=[campaign.pk]) in html


def test_the_draw_record_lists_codes_tickets_and_results_searchable_by_code(
    tree: Tree, client: Client
) -> None:
    campaign = make_campaign(tree.east, mode=CampaignMode.LOTTERY, stock=2)
    url = reverse("portal:campaign_detail", args=[campaign.pk])
    draw_url = reverse("portal:campaign_draw", args=[campaign.pk])
    before = _html(client.get(draw_url))
    assert campaign.seed in before
    assert "尚未开奖" in before
    for n in range(5):
        member_client, _user = _member_client(tree)
        member_client.post(url, {"idempotency_key": f"enter-{n}"})
    campaign.starts_at -= timedelta(days=3)
    campaign.ends_at = timezone.now() - timedelta(minutes=1)
    campaign.save()
    draw_lottery(campaign, actor=officer_at(tree.east, "east.draw"))
    campaign.refresh_from_db()
    html = _html(client.get(draw_url))
    assert campaign.entries_digest in html
    assert html.count('<td class="benefit-code">') == 5
    assert html.count("中签") >= 2
    code = Entry.objects.values_list("code", flat=True)[0]
    found = _html(client.get(draw_url, {"code": code.lower()}))
    assert found.count('<td class="benefit-code">') == 1
    assert code in found
    none = _html(client.get(draw_url, {"code": "ZZZZZZZZZZ"}))
    assert "没有这个抽奖码" in none
    assert client.get(draw_url, {"page": "x" * 50}).status_code == 200
    _assert_csp_clean(html)


def test_a_first_come_campaign_has_no_draw_record(tree: Tree, client: Client) -> None:
    campaign = make_campaign(tree.east)
    assert client.get(reverse("portal:campaign_draw", args=[campaign.pk])).status_code == 404
