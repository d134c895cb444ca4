"""Console pages of campaigns: the list, authoring, the detail page and its actions (publish,
cancel, draw), the claims with "mark shipped", the sidebar entry, scoping and query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.benefits.models import Campaign, CampaignMode, CampaignStatus, Claim, Delivery
from gonghui.benefits.tests.factories import make_campaign, make_claim, make_entry, make_merchant
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, officer_at

pytestmark = pytest.mark.django_db

BASE = "/console/benefits/campaigns/"


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form_data(merchant_pk: int, **changes: Any) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=1)
    values: dict[str, Any] = {
        "organiser": "E",
        "title": "周五福利：1 元观影",
        "description": "每周五上午十点开抢",
        "mode": CampaignMode.FIRST_COME,
        "delivery": Delivery.VOUCHER,
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=2)),
        "per_member_limit": "1",
        "budget": "¥1,000",
        "voucher_expires_at": _local(start + timedelta(days=30)),
        "merchants": [str(merchant_pk)],
        "item_0_name": "电影票",
        "item_0_unit_cost": "35",
        "item_0_stock": "20",
        **changes,
    }
    return values


@pytest.fixture
def merchant(tree: Tree) -> Any:
    return make_merchant(tree.east)


def test_the_sidebar_links_to_the_campaigns(east_client: Client) -> None:
    html = east_client.get("/console/").content.decode()
    assert f'href="{BASE}"' in html


def test_list_is_scoped_and_filtered(tree: Tree, east_client: Client, merchant: Any) -> None:
    mine = make_campaign(tree.east, title="东区福利", merchants=[merchant])
    lottery = make_campaign(tree.east, title="东区抽奖", mode=CampaignMode.LOTTERY)
    theirs = make_campaign(tree.west, title="西区福利")
    html = east_client.get(BASE).content.decode()
    assert f'data-row-id="{mine.pk}"' in html
    assert f'data-row-id="{lottery.pk}"' in html
    assert f'data-row-id="{theirs.pk}"' not in html
    html = east_client.get(BASE, {"mode": "lottery"}).content.decode()
    assert f'data-row-id="{lottery.pk}"' in html
    assert f'data-row-id="{mine.pk}"' not in html
    html = east_client.get(BASE, {"status": "draft"}).content.decode()
    assert f'data-row-id="{mine.pk}"' not in html
    assert east_client.get(BASE, {"status": "nonsense", "page": "x"}).status_code == 200


def test_list_query_count_does_not_grow(
    tree: Tree, east_client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        make_campaign(tree.east, title=f"活动{n}")
    with django_assert_max_num_queries(12):
        assert east_client.get(BASE).status_code == 200


def test_create_through_the_form(tree: Tree, east_client: Client, merchant: Any) -> None:
    assert east_client.get(f"{BASE}new/").status_code == 200
    response = east_client.post(f"{BASE}new/", form_data(merchant.pk))
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get()
    assert response["Location"] == f"{BASE}{campaign.pk}/"
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.budget == 1000
    assert campaign.items.get().stock == 20


def test_a_bad_form_shows_every_problem_in_chinese(tree: Tree, east_client: Client, merchant: Any) -> None:
    start = form_data(merchant.pk)["starts_at"]
    data = form_data(merchant.pk, budget="10", ends_at=start, item_0_unit_cost="1.005", title="")
    response = east_client.post(f"{BASE}new/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "请更正以下错误" in html
    assert "请填写" in html or "必填" in html  # the missing title
    assert not Campaign.objects.exists()
    response = east_client.post(f"{BASE}new/", form_data(merchant.pk, budget="10"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "超出预算" in html
    assert "¥700.00" in html  # the items cost more than the budget
    response = east_client.post(f"{BASE}new/", form_data(merchant.pk, ends_at=start))
    assert "结束时间必须晚于开始时间" in response.content.decode()
    # An organiser outside the officer's scope is refused on its field.
    response = east_client.post(f"{BASE}new/", form_data(merchant.pk, organiser="W"))
    assert response.status_code == 422
    assert "请填写您管辖范围内工会的代码" in response.content.decode()
    assert not Campaign.objects.exists()


def test_detail_shows_items_actions_and_the_lottery_seed(
    tree: Tree, east_client: Client, merchant: Any
) -> None:
    campaign = make_campaign(tree.east, mode=CampaignMode.LOTTERY, merchants=[merchant])
    html = east_client.get(f"{BASE}{campaign.pk}/").content.decode()
    assert campaign.seed in html
    assert '<progress class="campaign-stock" value="10" max="10"' in html
    assert 'name="action" value="draw"' in html
    assert 'name="action" value="cancel"' in html
    assert 'value="publish"' not in html
    assert " style=" not in html
    assert "<script>" not in html


def test_a_viewer_sees_no_actions(tree: Tree, merchant: Any) -> None:
    campaign = make_campaign(tree.east, status=CampaignStatus.DRAFT, merchants=[merchant])
    viewer = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    html = viewer.get(f"{BASE}{campaign.pk}/").content.decode()
    assert 'name="action"' not in html
    response = viewer.post(f"{BASE}{campaign.pk}/action/", {"action": "cancel"})
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
    assert viewer.post(f"{BASE}{campaign.pk}/edit/", form_data(merchant.pk)).status_code == 403


def test_publish_and_cancel_buttons(tree: Tree, east_client: Client, merchant: Any) -> None:
    campaign = make_campaign(tree.east, status=CampaignStatus.DRAFT, merchants=[merchant])
    response = east_client.post(f"{BASE}{campaign.pk}/action/", {"action": "publish"}, follow=True)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PUBLISHED
    assert response.status_code == 200
    east_client.post(f"{BASE}{campaign.pk}/action/", {"action": "publish"})  # again: a message, no change
    east_client.post(f"{BASE}{campaign.pk}/action/", {"action": "cancel", "comment": "取消"})
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CANCELLED
    assert east_client.post(f"{BASE}{campaign.pk}/action/", {"action": "explode"}).status_code == 302


def test_publishing_an_ended_draft_says_why(tree: Tree, east_client: Client, merchant: Any) -> None:
    campaign = make_campaign(
        tree.east, status=CampaignStatus.DRAFT, opens_in=timedelta(days=-3), merchants=[merchant]
    )
    response = east_client.post(f"{BASE}{campaign.pk}/action/", {"action": "publish"}, follow=True)
    assert "活动时间已经结束" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_the_draw_button(tree: Tree, east_client: Client, merchant: Any) -> None:
    campaign = make_campaign(
        tree.east, mode=CampaignMode.LOTTERY, stock=1, opens_in=timedelta(days=-2), merchants=[merchant]
    )
    make_entry(campaign, tree.acme)
    make_entry(campaign, tree.beta)
    response = east_client.post(f"{BASE}{campaign.pk}/action/", {"action": "draw"}, follow=True)
    assert response.status_code == 200
    drawn = Campaign.objects.get(pk=campaign.pk)
    assert drawn.status == CampaignStatus.DRAWN
    assert drawn.entries_digest
    assert drawn.entries_digest in east_client.get(f"{BASE}{campaign.pk}/").content.decode()
    # Drawing an open lottery is refused with a message, nothing changes.
    open_one = make_campaign(tree.east, mode=CampaignMode.LOTTERY, merchants=[merchant])
    east_client.post(f"{BASE}{open_one.pk}/action/", {"action": "draw"})
    assert Campaign.objects.get(pk=open_one.pk).status == CampaignStatus.PUBLISHED


def test_edit_a_published_campaign(tree: Tree, east_client: Client, merchant: Any) -> None:
    campaign = make_campaign(tree.east, merchants=[merchant])
    page = east_client.get(f"{BASE}{campaign.pk}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "starts_at": _local(campaign.starts_at),
            "ends_at": _local(campaign.ends_at + timedelta(hours=1)),
            "voucher_expires_at": _local(campaign.voucher_expires_at),
            "joined_before": "",
            "description": "加场",
            "item_0_stock": "15",
        }
    )
    response = east_client.post(f"{BASE}{campaign.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    item = campaign.items.get()
    assert (item.stock, item.remaining) == (15, 15)
    data["title"] = "改名"
    response = east_client.post(f"{BASE}{campaign.pk}/edit/", data)
    assert response.status_code == 422
    assert Campaign.objects.get(pk=campaign.pk).title != "改名"


def test_claims_page_masks_and_ships(
    tree: Tree, east_client: Client, django_assert_max_num_queries: Any
) -> None:
    campaign = make_campaign(tree.east, delivery=Delivery.SHIPPING, voucher_expires_at=None)
    claim = make_claim(
        campaign,
        tree.acme,
        voucher=None,
        recipient="欧阳娜娜",
        recipient_mobile="13912345678",
        shipping_address="浙江省宁波市东区中山路 1 号",
    )
    for _ in range(10):
        make_claim(campaign, tree.beta, voucher=None, recipient="张三", shipping_address="浙江省宁波市西区")
    with django_assert_max_num_queries(12):
        html = east_client.get(f"{BASE}{campaign.pk}/claims/").content.decode()
    assert "欧***" in html
    assert "欧阳娜娜" not in html
    assert "139****5678" in html
    assert "13912345678" not in html
    assert "浙江省宁波市*" in html
    assert "中山路" not in html
    assert "王*明" not in html
    assert "王**" in html
    response = east_client.post(f"{BASE}{campaign.pk}/claims/{claim.pk}/ship/", {"tracking_number": "SF123"})
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).tracking_number == "SF123"
    html = east_client.get(f"{BASE}{campaign.pk}/claims/", {"shipped": "no"}).content.decode()
    assert f'data-row-id="{claim.pk}"' not in html
    east_client.post(f"{BASE}{campaign.pk}/claims/{claim.pk}/ship/", {"tracking_number": ""})
    assert Claim.objects.get(pk=claim.pk).tracking_number == "SF123"


def test_voucher_claims_show_the_voucher_state(tree: Tree, east_client: Client) -> None:
    campaign = make_campaign(tree.east)
    make_claim(campaign, tree.acme, voucher="used")
    html = east_client.get(f"{BASE}{campaign.pk}/claims/").content.decode()
    assert "已使用" in html
    assert "标记已发货" not in html


def test_a_sibling_district_sees_nothing_a_parent_everything(tree: Tree) -> None:
    campaign = make_campaign(tree.east)
    claim = make_claim(campaign, tree.acme)
    west = client_for(officer_at(tree.west, "west.admin"))
    city = client_for(officer_at(tree.city, "city.admin"))
    for url in ("", "edit/", "claims/"):
        assert west.get(f"{BASE}{campaign.pk}/{url}").status_code == 404
        assert city.get(f"{BASE}{campaign.pk}/{url}").status_code == 200
    assert west.post(f"{BASE}{campaign.pk}/action/", {"action": "cancel"}).status_code == 404
    assert (
        west.post(f"{BASE}{campaign.pk}/claims/{claim.pk}/ship/", {"tracking_number": "X"}).status_code == 404
    )
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PUBLISHED
    assert f'data-row-id="{campaign.pk}"' not in west.get(BASE).content.decode()
    assert f'data-row-id="{campaign.pk}"' in city.get(BASE).content.decode()
