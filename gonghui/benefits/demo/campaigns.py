"""Giveaways of the demo city, relative to the moment the demo is loaded so that there is always
something open, something upcoming and a lottery to enter: a Friday 1-yuan cinema offer redeemed
at the demo cinemas, fruit boxes picked up at the district federation, a health kit posted to gig
workers, and a recuperation-trip lottery. Written directly (the demo loader is the system itself,
as for the rest of the demo); lottery seeds come from the city's seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gonghui.benefits.models import (
    Campaign,
    CampaignHistory,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Delivery,
    Merchant,
    MerchantCategory,
)
from gonghui.members.categories import MemberCategory
from gonghui.orgs.models import Org


@dataclass(frozen=True)
class DemoItem:
    name: str
    unit_cost: str
    stock: int


@dataclass(frozen=True)
class DemoCampaign:
    title: str
    description: str
    mode: str
    delivery: str
    opens_in: timedelta
    lasts: timedelta
    items: tuple[DemoItem, ...]
    categories: tuple[str, ...] = ()
    merchant_category: str = ""
    pickup_note: str = ""


CAMPAIGNS: tuple[DemoCampaign, ...] = (
    DemoCampaign(
        "周五福利：1 元观影",
        "每周五上午 10 点开抢，凭券在指定影院兑换 2D 电影票一张，每位会员限领一张。",
        CampaignMode.FIRST_COME,
        Delivery.VOUCHER,
        timedelta(hours=-1),
        timedelta(days=3),
        (DemoItem("2D 电影票", "35.00", 500),),
        merchant_category=MerchantCategory.CULTURE,
    ),
    DemoCampaign(
        "夏日水果礼盒",
        "时令水果礼盒一份，领券后到区总工会职工服务中心领取。",
        CampaignMode.FIRST_COME,
        Delivery.PICKUP,
        timedelta(days=2),
        timedelta(days=2),
        (DemoItem("水果礼盒", "48.00", 200),),
        pickup_note="区总工会职工服务中心一楼，工作日 9:00–17:00",
    ),
    DemoCampaign(
        "新就业形态劳动者健康包",
        "为快递员、外卖骑手、网约车司机准备的防暑健康包，包邮到家。",
        CampaignMode.FIRST_COME,
        Delivery.SHIPPING,
        timedelta(hours=-2),
        timedelta(days=7),
        (DemoItem("防暑健康包", "60.00", 300),),
        categories=(MemberCategory.GIG_WORKER,),
    ),
    DemoCampaign(
        "职工疗休养线路抽奖",
        "报名期内参与抽奖，开奖后中奖会员凭券到合作旅行社预订三日疗休养线路。",
        CampaignMode.LOTTERY,
        Delivery.VOUCHER,
        timedelta(hours=-3),
        timedelta(days=5),
        (DemoItem("三日疗休养线路", "1200.00", 20),),
        merchant_category=MerchantCategory.TRAVEL,
    ),
)


def make_demo_campaigns(root: Org, pickup_org: Org, merchants: list[Merchant], seed: int) -> list[Campaign]:
    """The demo campaigns of the city federation `root`, published; pick-ups at `pickup_org`."""
    rng = random.Random(f"{seed}:benefits")  # noqa: S311 - reproducible invented data; seeds are public anyway
    now = timezone.now().replace(second=0, microsecond=0)
    created: list[Campaign] = []
    for spec in CAMPAIGNS:
        starts_at = now + spec.opens_in
        ends_at = starts_at + spec.lasts
        cost = sum(Decimal(item.unit_cost) * item.stock for item in spec.items)
        campaign = Campaign.objects.create(
            org=root,
            eligible_org=root,
            title=spec.title,
            description=spec.description,
            mode=spec.mode,
            delivery=spec.delivery,
            starts_at=starts_at,
            ends_at=ends_at,
            categories=list(spec.categories),
            budget=cost,
            voucher_expires_at=None if spec.delivery == Delivery.SHIPPING else ends_at + timedelta(days=30),
            pickup_org=pickup_org if spec.delivery == Delivery.PICKUP else None,
            pickup_note=spec.pickup_note,
            seed=f"{rng.getrandbits(256):064x}" if spec.mode == CampaignMode.LOTTERY else "",
            status=CampaignStatus.PUBLISHED,
            published_at=now,
        )
        CampaignItem.objects.bulk_create(
            CampaignItem(
                campaign=campaign,
                name=item.name,
                unit_cost=Decimal(item.unit_cost),
                stock=item.stock,
                remaining=item.stock,
                position=position,
            )
            for position, item in enumerate(spec.items)
        )
        if spec.merchant_category:
            chosen = [m for m in merchants if m.category == spec.merchant_category and m.is_active][:5]
            campaign.merchants.set(chosen or [m for m in merchants if m.is_active][:3])
        CampaignHistory.objects.create(campaign=campaign, from_status="", to_status=CampaignStatus.DRAFT)
        CampaignHistory.objects.create(
            campaign=campaign, from_status=CampaignStatus.DRAFT, to_status=CampaignStatus.PUBLISHED
        )
        created.append(campaign)
    return created
