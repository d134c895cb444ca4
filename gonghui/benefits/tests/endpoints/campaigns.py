"""Scoped endpoints: campaign authoring and the campaign console (list, new, detail, edit,
actions, claims, mark shipped). Every campaign here belongs to the own union; the parent
district's officers see and change it, the sibling district's officers get 404 as for a missing
campaign (or, creating one, a refusal on the organiser field)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.benefits.models import Campaign, CampaignStatus, Claim, Delivery, Merchant
from gonghui.benefits.tests.factories import make_campaign, make_claim, make_merchant
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

BASE = "/console/benefits/campaigns"


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _draft(org: Org) -> Campaign:
    return make_campaign(
        org, status=CampaignStatus.DRAFT, opens_in=timedelta(days=1), merchants=[make_merchant(org)]
    )


def _shipping_claim(org: Org) -> Claim:
    campaign = make_campaign(org, delivery=Delivery.SHIPPING, voucher_expires_at=None)
    return make_claim(campaign, org, voucher=None, recipient="王小明", shipping_address="浙江省宁波市")


def _new_campaign(world: ScopeWorld, merchant: Merchant) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=1)
    return {
        "organiser": world.own.code,
        "title": "周五福利",
        "mode": "first_come",
        "delivery": "voucher",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=2)),
        "per_member_limit": "1",
        "budget": "1000",
        "voucher_expires_at": _local(start + timedelta(days=30)),
        "merchants": [str(merchant.pk)],
        "item_0_name": "电影票",
        "item_0_unit_cost": "35",
        "item_0_stock": "20",
    }


def _edited(world: ScopeWorld, campaign: Campaign) -> dict[str, Any]:
    item = campaign.items.get()
    assert campaign.voucher_expires_at is not None
    return {
        "title": "周五福利（改）",
        "mode": campaign.mode,
        "delivery": campaign.delivery,
        "starts_at": _local(campaign.starts_at),
        "ends_at": _local(campaign.ends_at),
        "per_member_limit": "1",
        "budget": str(campaign.budget),
        "voucher_expires_at": _local(campaign.voucher_expires_at),
        "merchants": [str(pk) for pk in campaign.merchants.values_list("pk", flat=True)],
        "item_0_id": str(item.pk),
        "item_0_name": item.name,
        "item_0_unit_cost": str(item.unit_cost),
        "item_0_stock": str(item.stock),
    }


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:benefits:campaign_list",
        action="list",
        url=lambda campaign: f"{BASE}/",
        make=make_campaign,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_new",
        action="create",
        method="POST",
        url=lambda org: f"{BASE}/new/",
        make=make_merchant,
        data=_new_campaign,
        model=Campaign,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_detail",
        action="detail",
        url=lambda campaign: f"{BASE}/{campaign.pk}/",
        make=make_campaign,
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_edit",
        action="detail",
        url=lambda campaign: f"{BASE}/{campaign.pk}/edit/",
        make=_draft,
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_edit",
        action="update",
        method="POST",
        url=lambda campaign: f"{BASE}/{campaign.pk}/edit/",
        make=_draft,
        data=_edited,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_action",
        action="update",
        method="POST",
        url=lambda campaign: f"{BASE}/{campaign.pk}/action/",
        make=_draft,
        data=lambda world, campaign: {"action": "cancel", "comment": ""},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_claims",
        action="detail",
        url=lambda claim: f"{BASE}/{claim.campaign_id}/claims/",
        make=_shipping_claim,
    ),
    ScopedEndpoint(
        covers="console:benefits:campaign_ship",
        action="update",
        method="POST",
        url=lambda claim: f"{BASE}/{claim.campaign_id}/claims/{claim.pk}/ship/",
        make=_shipping_claim,
        data=lambda world, claim: {"tracking_number": "SF123456"},
        ok=frozenset({302}),
    ),
]
UNSCOPED: dict[str, str] = {}
