"""REST API of campaigns for members (/api/v1/benefits/campaigns): the campaigns for me, claiming,
entering a lottery, and the public draw record.

Claims and entries need an `Idempotency-Key` header, new for each press of the button: a retry
or a double tap with the same key answers 200 with the first claim instead of claiming again.
Refusals are 409 with a code a client can act on (`not_started`, `ended`, `sold_out`,
`limit_reached`, `already_entered`, `lottery_campaign`, `not_a_lottery`), 422 `not_eligible` with
the reason, 429 `rate_limited`; a refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.benefits.models import Campaign, CampaignMode, Claim, Delivery, Entry, Voucher
from gonghui.benefits.offers import listed_campaigns, my_standing
from gonghui.benefits.services import claims as claim_services
from gonghui.benefits.services import lottery
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.members.services.selfservice import current_membership

router = Router(tags=["benefits"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="1–64 letters, digits, “-” or “_”; new for each press, the same for its retries.",
    ),
]


class ItemOut(Schema):
    id: int
    name: str
    stock: int
    remaining: int
    unit_cost: Decimal


class CampaignOut(Schema):
    id: int
    title: str
    description: str
    organiser: str = Field(description="The organising union's name.")
    mode: CampaignMode
    delivery: Delivery
    starts_at: datetime
    ends_at: datetime
    window: str = Field(description="upcoming, open or ended.")
    per_member_limit: int
    items: list[ItemOut]
    seed: str = Field(description="Lottery only: the published seed of the draw (empty otherwise).")
    drawn: bool


class CampaignListOut(PageOut):
    items: list[CampaignOut]


class StandingOut(Schema):
    eligible: bool
    reason: str = Field(description="Why the caller may not take part (empty when eligible).")
    claimed: int
    entry_code: str | None
    won: bool | None


class CampaignDetailOut(CampaignOut):
    me: StandingOut


class VoucherOut(Schema):
    code: str = Field(description="16 characters; shown in groups of four.")
    state: str = Field(description="valid, used or expired.")
    expires_at: datetime
    redeemed_at: datetime | None


class ClaimOut(Schema):
    id: int
    campaign_id: int
    item_id: int
    item_name: str
    claimed_at: datetime
    voucher: VoucherOut | None


class ShippingIn(Schema):
    recipient: CleanText = Field(max_length=60)
    mobile: str = Field(max_length=20)
    address: CleanText = Field(max_length=200)


class ClaimIn(Schema):
    item: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Needed when the campaign has several items."
    )
    shipping: ShippingIn | None = Field(None, description="Needed when the campaign ships items.")


class EntryIn(Schema):
    item: int | None = Field(None, ge=1, le=2**31 - 1)


class EntryOut(Schema):
    campaign_id: int
    item_id: int
    code: str = Field(description="The public entry code: find it in the draw record.")
    entered_at: datetime
    won: bool | None


class RankedEntryOut(Schema):
    code: str
    item_id: int
    ticket: str
    rank: int
    won: bool


class DrawOut(Schema):
    campaign_id: int
    rule: str
    seed: str
    drawn: bool
    entries_digest: str
    entries: list[RankedEntryOut]


def campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "description": campaign.description,
        "organiser": campaign.org.name,
        "mode": campaign.mode,
        "delivery": campaign.delivery,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "window": campaign.window_state(),
        "per_member_limit": campaign.per_member_limit,
        "items": list(campaign.items.all()),
        "seed": campaign.seed if campaign.is_lottery else "",
        "drawn": campaign.drawn_at is not None,
    }


def voucher_out(voucher: Voucher | None) -> dict[str, Any] | None:
    if voucher is None:
        return None
    return {
        "code": voucher.code,
        "state": voucher.state(),
        "expires_at": voucher.expires_at,
        "redeemed_at": voucher.redeemed_at,
    }


def claim_out(claim: Claim, voucher: Voucher | None) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "campaign_id": claim.campaign_id,
        "item_id": claim.item_id,
        "item_name": claim.item.name,
        "claimed_at": claim.created_at,
        "voucher": voucher_out(voucher),
    }


def entry_out(entry: Entry) -> dict[str, Any]:
    return {
        "campaign_id": entry.campaign_id,
        "item_id": entry.item_id,
        "code": entry.code,
        "entered_at": entry.created_at,
        "won": entry.won,
    }


@router.get("", response=CampaignListOut, summary="Campaigns for me")
def list_campaigns(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    """Open, upcoming and recently ended campaigns of the unions the caller belongs to."""
    member = current_membership(request_user(request))
    header, rows = page_of(listed_campaigns(member), page)
    return {**header, "items": [campaign_out(campaign) for campaign in rows]}


@router.get("/{campaign_id}", response=CampaignDetailOut, summary="A campaign and my standing in it")
def get_campaign(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    campaign = get_object_or_404(
        Campaign.objects.listed().select_related("org", "eligible_org"), pk=campaign_id
    )
    standing = my_standing(campaign, request_user(request))
    return {
        **campaign_out(campaign),
        "me": {
            "eligible": standing.problem is None,
            "reason": standing.problem or "",
            "claimed": standing.claimed,
            "entry_code": standing.entry.code if standing.entry else None,
            "won": standing.entry.won if standing.entry else None,
        },
    }


@router.post(
    "/{campaign_id}/claims",
    response={200: ClaimOut, 201: ClaimOut},
    summary="Claim an item (first come, first served)",
)
def claim(
    request: HttpRequest, campaign_id: PathId, payload: ClaimIn, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    shipping = None
    if payload.shipping is not None:
        shipping = claim_services.Shipping(
            recipient=payload.shipping.recipient,
            mobile=payload.shipping.mobile,
            address=payload.shipping.address,
        )
    outcome = claim_services.claim_item(
        campaign_id,
        actor=request_user(request),
        idempotency_key=idempotency_key,
        item_id=payload.item,
        shipping=shipping,
    )
    return Status(201 if outcome.created else 200, claim_out(outcome.claim, outcome.voucher))


@router.post(
    "/{campaign_id}/entries",
    response={200: EntryOut, 201: EntryOut},
    summary="Enter a lottery",
)
def enter(
    request: HttpRequest, campaign_id: PathId, payload: EntryIn, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    outcome = lottery.enter_lottery(
        campaign_id, actor=request_user(request), idempotency_key=idempotency_key, item_id=payload.item
    )
    return Status(201 if outcome.created else 200, entry_out(outcome.entry))


@router.get(
    "/{campaign_id}/draw", response=DrawOut, auth=None, summary="The draw record of a lottery (public)"
)
def draw(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    """The seed (published in advance) and, after the draw, every entry code with its ticket and
    rank, so that anyone can re-compute the winners (the rule is in `rule`)."""
    campaign = get_object_or_404(Campaign.objects.listed().filter(mode=CampaignMode.LOTTERY), pk=campaign_id)
    record = lottery.draw_record(campaign)
    return {
        "campaign_id": campaign.pk,
        "rule": lottery.RULE,
        "seed": record.seed,
        "drawn": record.drawn,
        "entries_digest": record.entries_digest,
        "entries": record.entries,
    }
