"""REST API of vouchers (/api/v1/benefits/vouchers): a member's own vouchers, and the two calls
of a till — look a code up, then redeem it. A code the caller may not redeem answers 404
`voucher_unknown`, exactly like a code that does not exist; a used or expired voucher answers 409
`voucher_used` / `voucher_expired` with the details in the message."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from gonghui.api import request_user
from gonghui.benefits.offers import my_vouchers
from gonghui.benefits.services import vouchers as voucher_services
from gonghui.core.api_types import PageNumber, PageOut, page_of

router = Router(tags=["benefits"])


class MyVoucherOut(Schema):
    code: str
    state: str = Field(description="valid, used or expired.")
    campaign_id: int
    campaign_title: str
    item_name: str
    expires_at: datetime
    redeemed_at: datetime | None
    redeemed_where: str
    redeem_at: list[str] = Field(description="Where it can be used: merchant names or the pick-up union.")


class MyVoucherListOut(PageOut):
    items: list[MyVoucherOut]


class CodeIn(Schema):
    code: str = Field(
        min_length=1, max_length=40, description="As typed or scanned; spaces and dashes are ignored."
    )


class TillVoucherOut(Schema):
    state: str = Field(description="valid, used or expired.")
    campaign_title: str
    item_name: str = Field(description="What to hand over.")
    holder: str = Field(description="The member's name, masked.")
    expires_at: datetime
    redeemed_at: datetime | None
    redeemed_where: str


@router.get("", response=MyVoucherListOut, summary="My vouchers")
def list_my_vouchers(
    request: HttpRequest, state: Literal["valid", "used", "expired"] | None = None, page: PageNumber = 1
) -> dict[str, Any]:
    header, rows = page_of(
        my_vouchers(request_user(request), state).prefetch_related("campaign__merchants"), page
    )
    items = []
    for voucher in rows:
        campaign = voucher.campaign
        places = [merchant.name for merchant in campaign.merchants.all()]
        if campaign.pickup_org is not None:
            places = [campaign.pickup_org.name]
        where = voucher.redeemed_merchant or voucher.redeemed_org
        items.append(
            {
                "code": voucher.code,
                "state": voucher.state(),
                "campaign_id": campaign.pk,
                "campaign_title": campaign.title,
                "item_name": voucher.claim.item.name,
                "expires_at": voucher.expires_at,
                "redeemed_at": voucher.redeemed_at,
                "redeemed_where": where.name if where is not None else "",
                "redeem_at": places,
            }
        )
    return {**header, "items": items}


def _till_out(view: voucher_services.VoucherView) -> dict[str, Any]:
    return {
        "state": view.state,
        "campaign_title": view.campaign_title,
        "item_name": view.item_name,
        "holder": view.holder,
        "expires_at": view.expires_at,
        "redeemed_at": view.redeemed_at,
        "redeemed_where": view.redeemed_where,
    }


@router.post("/inspect", response=TillVoucherOut, summary="Look a voucher up at a till (changes nothing)")
def inspect(request: HttpRequest, payload: CodeIn) -> dict[str, Any]:
    return _till_out(voucher_services.inspect_voucher(payload.code, actor=request_user(request)))


@router.post("/redeem", response=TillVoucherOut, summary="Redeem a voucher (once)")
def redeem(request: HttpRequest, payload: CodeIn) -> dict[str, Any]:
    return _till_out(voucher_services.redeem_voucher(payload.code, actor=request_user(request)))
