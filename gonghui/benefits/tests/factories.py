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
    Claim,
    Delivery,
    Entry,
    Merchant,
    MerchantAccount,
    MerchantCategory,
    Voucher,
    VoucherStatus,
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
    CampaignItem.objects.create(
        campaign=campaign, name="电影票", unit_cost=unit_cost, stock=stock, remaining=stock
    )
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


# --- claims and vouchers as rows (campaign reports and console tests) ---------------------------


def make_claim(
    campaign: Campaign,
    org: Org,
    *,
    item: CampaignItem | None = None,
    voucher: str | None = "valid",
    user: User | None = None,
    **fields: Any,
) -> Claim:
    """A claim of a member of `org`, written directly (not through claim_item), with a voucher in
    the state `voucher` ("valid", "used", "expired" or None for no voucher). The item's remaining
    stock is left alone: reports count claims, not stock."""
    from gonghui.benefits.codes import VOUCHER_CODE_LENGTH, random_code
    from gonghui.members.tests.factories import make_members

    serial = next(_serial)
    member = make_members(org, 1)[0]
    item = item or campaign.items.order_by("position", "id").first()
    assert item is not None
    if user is None:
        user = User.objects.create_member(mobile=f"136{serial:08d}", password="Member-pass-2026")
    claim = Claim.objects.create(
        campaign=campaign,
        item=item,
        member=member,
        org=org,
        person_index=f"person-{serial}",
        user=user,
        idempotency_key=f"key-{serial}",
        **fields,
    )
    if voucher is not None:
        now = timezone.now()
        redeemed = voucher == "used"
        Voucher.objects.create(
            claim=claim,
            campaign=campaign,
            code=random_code(VOUCHER_CODE_LENGTH),
            status=VoucherStatus.REDEEMED if redeemed else VoucherStatus.ISSUED,
            expires_at=now - timedelta(days=1) if voucher == "expired" else now + timedelta(days=30),
            redeemed_at=now if redeemed else None,
        )
    return claim


def make_entry(campaign: Campaign, org: Org, *, item: CampaignItem | None = None) -> Entry:
    from gonghui.members.tests.factories import make_members

    serial = next(_serial)
    member = make_members(org, 1)[0]
    item = item or campaign.items.order_by("position", "id").first()
    assert item is not None
    user = User.objects.create_member(mobile=f"135{serial:08d}", password="Member-pass-2026")
    return Entry.objects.create(
        campaign=campaign,
        item=item,
        member=member,
        org=org,
        person_index=f"entrant-{serial}",
        user=user,
        code=f"E{serial:07d}",
        idempotency_key=f"entry-{serial}",
    )


# --- annual pledges (十件实事) -------------------------------------------------------------------

from gonghui.benefits.models import Pledge, PledgeUpdate  # noqa: E402  (this section's own import)


def make_pledge(org: Org, *, owner_org: Org | None = None, **fields: Any) -> Pledge:
    """A pledge of `org` stored directly (the services are what the pledge tests check)."""
    serial = next(_serial)
    values: dict[str, Any] = {
        "year": timezone.localdate().year,
        "number": serial % 90 + 1,
        "title": f"新建户外劳动者服务站点{serial}",
        "target_value": Decimal("120"),
        "unit": "个",
        **fields,
    }
    return Pledge.objects.create(org=org, owner_org=owner_org or org, **values)


def make_pledge_update(
    pledge: Pledge, value: Decimal | str, reported_on: date | None = None, note: str = ""
) -> PledgeUpdate:
    """A progress update stored directly, with the pledge's progress set as the service sets it."""
    update = PledgeUpdate.objects.create(
        pledge=pledge,
        reported_on=reported_on or timezone.localdate(),
        value=Decimal(value),
        note=note,
    )
    latest = PledgeUpdate.objects.filter(pledge=pledge).order_by("-reported_on", "-id").first()
    assert latest is not None
    pledge.progress_value = latest.value
    pledge.save(update_fields=["progress_value"])
    return update
