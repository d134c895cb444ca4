"""Benefits for tests: merchants, campaigns with items, members with portal accounts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.models import (
    Campaign,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Delivery,
    Merchant,
    MerchantAccount,
    MerchantCategory,
)
from gonghui.members.models import Member
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Org

_serial = count(1)


def make_merchant(org: Org, name: str = "甬城影院", **fields: Any) -> Merchant:
    values: dict[str, Any] = {
        "category": MerchantCategory.CULTURE,
        "discount_terms": "会员凭卡观影 8 折",
        "address": "东区中山路 1 号",
        "latitude": Decimal("29.870000"),
        "longitude": Decimal("121.550000"),
        **fields,
    }
    return Merchant.objects.create(org=org, name=name, **values)


def make_merchant_account(merchant: Merchant, username: str | None = None) -> User:
    username = username or f"till{next(_serial)}"
    user = User.objects.create_user(username=username, password="Till-pass-2026", kind=AccountKind.MERCHANT)
    MerchantAccount.objects.create(user=user, merchant=merchant)
    return user


def make_campaign(
    org: Org,
    *,
    stock: int = 10,
    mode: str = CampaignMode.FIRST_COME,
    delivery: str = Delivery.VOUCHER,
    status: str = CampaignStatus.PUBLISHED,
    opens_in: timedelta = timedelta(hours=-1),
    lasts: timedelta = timedelta(days=1),
    merchants: list[Merchant] | None = None,
    unit_cost: Decimal = Decimal("35.00"),
    **fields: Any,
) -> Campaign:
    """A campaign of `org` for its whole subtree with one item (`stock` cinema tickets), open now
    unless `opens_in` says otherwise; lottery campaigns get a seed as publishing would."""
    starts_at = timezone.now() + opens_in
    values: dict[str, Any] = {
        "title": "周五福利：1 元观影",
        "description": "每周五上午十点开抢",
        "per_member_limit": 1,
        "budget": Decimal("10000.00"),
        "voucher_expires_at": starts_at + lasts + timedelta(days=30),
        **fields,
    }
    if mode == CampaignMode.LOTTERY and status != CampaignStatus.DRAFT:
        values.setdefault("seed", f"{next(_serial):064x}")
    campaign = Campaign.objects.create(
        org=org,
        eligible_org=values.pop("eligible_org", org),
        mode=mode,
        delivery=delivery,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + lasts,
        published_at=None if status == CampaignStatus.DRAFT else timezone.now(),
        **values,
    )
    CampaignItem.objects.create(campaign=campaign, name="电影票", unit_cost=unit_cost, stock=stock, remaining=stock)
    if merchants:
        campaign.merchants.set(merchants)
    return campaign


def make_member_with_account(org: Org, mobile: str | None = None, **fields: Any) -> tuple[Member, User]:
    """An active member of `org` with a portal account linked to the membership."""
    mobile = mobile or f"137{next(_serial):08d}"
    user = User.objects.create_member(mobile=mobile, password="Member-pass-2026", display_name="会员")
    member = member_row(org, mobile=mobile, joined_on=fields.pop("joined_on", date(2020, 1, 1)))
    for field, value in fields.items():  # categories: sex, is_gig_worker, is_migrant_worker …
        setattr(member, field, value)
    member.user = user
    member.save()
    return member, user
