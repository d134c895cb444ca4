"""Claiming a first-come-first-served item (秒杀): the moment tens of thousands press at once.

The guarantees are the database's (see models.py): the stock UPDATE is conditional and comes
last in the transaction, so the item row is locked only from that UPDATE to the commit; the
person's slot and the (user, idempotency key) pair are unique constraints, so a double tap, a
retry or a second device cannot claim twice. Python checks in front only make the common
refusals cheap and clear; they are never what stops an oversell.

A refusal writes nothing. The optional gate in the cache remembers "sold out" per campaign and item
so that, once the stock is gone, the flood of late presses is answered from the cache alone; it
is only ever set after the database said so, and cleared when an officer raises the stock.
Claims are not audit events: the claim row is itself the record of who took what and when (the
audit log is for officers' changes; a draw, a redemption and every campaign edit are audited).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.benefits.codes import VOUCHER_CODE_LENGTH, random_code
from gonghui.benefits.models import (
    Campaign,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Claim,
    Delivery,
    Voucher,
)
from gonghui.benefits.services.eligibility import eligible_member
from gonghui.core.compiled import CompiledInsert, CompiledSelect, CompiledUpdate, Param
from gonghui.core.errors import Conflict, FieldErrors, NotFound, RateLimited, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.ratelimit import over_limit
from gonghui.core.text import normalize_text

LISTED = (CampaignStatus.PUBLISHED, CampaignStatus.DRAWN)
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Presses per member per minute across the portal and the API: enough for a person retrying by
# hand, far below a script.
CLAIMS_PER_MINUTE = 20
SOLD_OUT_GATE_SECONDS = 24 * 3600


class ClaimRefused(Conflict):
    """Not started, ended, sold out, limit reached: the campaign's answer, nothing written."""


@dataclass(frozen=True)
class Shipping:
    recipient: str
    mobile: str
    address: str


@dataclass(frozen=True)
class ClaimOutcome:
    claim: Claim
    voucher: Voucher | None
    created: bool


def check_idempotency_key(key: str | None) -> str:
    if not key or not IDEMPOTENCY_KEY.match(key):
        message = _("Send an idempotency key of 1 to 64 letters, digits, “-” or “_”, new for each claim.")
        raise ValidationFailed(message, fields={"idempotency_key": [message]})
    return key


def check_rate(user: User) -> None:
    if over_limit("benefits.claims", user.pk, limit=CLAIMS_PER_MINUTE, seconds=60):
        raise RateLimited(_("Too many requests. Please wait a moment and try again."))


def open_campaign(campaign_id: int, *, mode: str) -> tuple[Campaign, list[CampaignItem]]:
    """The published campaign with this id and its items (one query), if its window is open now;
    otherwise the refusal a member should read. Drafts, cancelled and unknown campaigns are all
    "not found" (publishing requires items, so a listed campaign always has some)."""
    items = _OPEN_ITEMS.all(campaign_id=campaign_id)
    if not items:
        raise NotFound(_("There is no such campaign."))
    campaign = items[0].campaign
    for item in items:
        item.campaign = campaign
    if campaign.mode != mode:
        if mode == CampaignMode.FIRST_COME:
            raise ClaimRefused(
                _("This campaign is a lottery: enter the draw instead."), code="lottery_campaign"
            )
        raise ClaimRefused(
            _("This campaign is first come, first served: claim instead."), code="not_a_lottery"
        )
    state = campaign.window_state()
    if state == "upcoming":
        opens = timezone.localtime(campaign.starts_at).strftime("%Y-%m-%d %H:%M")
        message = _("The campaign has not started yet. It opens at %(time)s.") % {"time": opens}
        raise ClaimRefused(message, code="not_started")
    if state == "ended" or campaign.status != CampaignStatus.PUBLISHED:
        raise ClaimRefused(_("The campaign has ended."), code="ended")
    return campaign, items


def pick_item(items: list[CampaignItem], item_id: int | None) -> CampaignItem:
    if item_id is None and len(items) == 1:
        return items[0]
    for item in items:
        if item.pk == item_id:
            return item
    message = _("Choose one of the campaign's items.")
    raise ValidationFailed(message, fields={"item": [message]})


def clean_shipping(campaign: Campaign, shipping: Shipping | None) -> Shipping | None:
    if campaign.delivery != Delivery.SHIPPING:
        return None
    problems = FieldErrors()
    recipient = normalize_text(shipping.recipient if shipping else "")
    address = normalize_text(shipping.address if shipping else "")
    mobile = ""
    if not recipient:
        problems.add("recipient", _("Enter the name of the person receiving the parcel."))
    elif len(recipient) > 60 or has_control_characters(recipient):
        problems.add("recipient", _("Enter a name of at most 60 characters."))
    if len(address) < 6:
        problems.add("address", _("Enter the full postal address (district, street, building and number)."))
    elif len(address) > 200 or has_control_characters(address):
        problems.add("address", _("Enter an address of at most 200 characters."))
    try:
        mobile = parse_mobile(shipping.mobile if shipping else "")
    except InvalidMobile as exc:
        problems.add("mobile", str(exc))
    problems.raise_if_any()
    return Shipping(recipient=recipient, mobile=mobile, address=address)


def sold_out_key(campaign_id: int) -> str:
    return f"benefits:sold-out:{campaign_id}"


def gate_says_sold_out(campaign_id: int, item_id: int | None) -> bool:
    """Whether the gate already knows the answer is "sold out": every item of the campaign is
    gone, or the one asked for is. Asked before anything else is read, so that the flood after
    the stock is gone costs a cache read, not the campaign, items and membership queries."""
    gate = cache.get(sold_out_key(campaign_id))
    return bool(gate) and (gate["all"] or item_id in gate["items"])


def close_gate(campaign: Campaign, item: CampaignItem) -> None:
    """Remember that `item` is sold out (the database just said so), and whether all items are.
    Two requests writing at once may drop an item id: the gate then sheds a little less."""
    gate = cache.get(sold_out_key(campaign.pk)) or {"items": [], "all": False}
    items = sorted({*gate["items"], item.pk})
    everything = not CampaignItem.objects.filter(campaign=campaign, remaining__gt=0).exists()
    cache.set(sold_out_key(campaign.pk), {"items": items, "all": everything}, timeout=SOLD_OUT_GATE_SECONDS)


def clear_sold_out(campaign_id: int) -> None:
    """Call after raising a campaign's stock, so the gate stops answering "sold out"."""
    cache.delete(sold_out_key(campaign_id))


def sold_out() -> ClaimRefused:
    return ClaimRefused(_("Sorry, everything has been claimed."), code="sold_out")


def limit_reached(campaign: Campaign) -> ClaimRefused:
    if campaign.per_member_limit == 1:
        message = _("You have already claimed this. Each member may claim once.")
    else:
        message = _("You have reached the limit of %(n)s per member.") % {"n": campaign.per_member_limit}
    return ClaimRefused(message, code="limit_reached")


def replay(user: User, key: str, campaign_id: int) -> ClaimOutcome | None:
    """The claim an earlier request with the same key made, if any (a retry, a double tap)."""
    claim = _CLAIM_BY_KEY.first(user_id=user.pk, key=key)
    if claim is None:
        return None
    if claim.campaign_id != campaign_id:
        message = _("This idempotency key was already used for another campaign. Send a new key.")
        raise ValidationFailed(message, fields={"idempotency_key": [message]})
    return ClaimOutcome(claim=claim, voucher=getattr(claim, "voucher", None), created=False)


# Every press of the button runs these; compiled once (gonghui.core.compiled).
_OPEN_ITEMS = CompiledSelect(
    lambda: (
        CampaignItem.objects.select_related("campaign__eligible_org")
        .filter(campaign_id=Param("campaign_id", models.BigIntegerField()), campaign__status__in=LISTED)
        .order_by("position", "id")
    ),
    params=("campaign_id",),
)
_CLAIM_BY_KEY = CompiledSelect(
    lambda: (
        Claim.objects.filter(
            user_id=Param("user_id", models.BigIntegerField()),
            idempotency_key=Param("key", models.CharField()),
        )
        .select_related("voucher", "item")
        .order_by("pk")[:1]
    ),
    params=("user_id", "key"),
)
_INSERT_CLAIM = CompiledInsert(Claim)
_INSERT_VOUCHER = CompiledInsert(Voucher)
_TAKE_ONE = CompiledUpdate(
    lambda: (
        CampaignItem.objects.filter(pk=Param("id", models.BigIntegerField()), remaining__gt=0),
        {"remaining": F("remaining") - 1},
    ),
    params=("id",),
)


def claim_item(
    campaign_id: int,
    *,
    actor: User,
    idempotency_key: str | None,
    item_id: int | None = None,
    shipping: Shipping | None = None,
) -> ClaimOutcome:
    """Claim one item of a first-come campaign for the actor. A retry with the same key returns
    the first claim (created=False); every refusal raises and writes nothing."""
    key = check_idempotency_key(idempotency_key)
    check_rate(actor)
    earlier = replay(actor, key, campaign_id)
    if earlier is not None:
        return earlier
    if gate_says_sold_out(campaign_id, item_id):
        raise sold_out()
    campaign, items = open_campaign(campaign_id, mode=CampaignMode.FIRST_COME)
    item = pick_item(items, item_id)
    member = eligible_member(campaign, actor)
    details = clean_shipping(campaign, shipping)
    try:
        with transaction.atomic():
            slot = 1
            if campaign.per_member_limit > 1:
                slot += Claim.objects.filter(campaign=campaign, person_index=member.id_number_index).count()
                if slot > campaign.per_member_limit:
                    raise limit_reached(campaign)
            claim = _INSERT_CLAIM.save(
                Claim(
                    campaign=campaign,
                    item=item,
                    member=member,
                    org_id=member.org_id,
                    person_index=member.id_number_index,
                    user=actor,
                    slot=slot,
                    idempotency_key=key,
                    recipient=details.recipient if details else "",
                    recipient_mobile=details.mobile if details else "",
                    shipping_address=details.address if details else "",
                )
            )
            voucher = issue_voucher(claim, campaign) if campaign.issues_vouchers else None
            # Last, so the item row stays locked only from here to the commit.
            taken = _TAKE_ONE.run(id=item.pk)
            if not taken:
                raise sold_out()
    except ClaimRefused as refusal:
        if refusal.code == "sold_out":
            close_gate(campaign, item)
        raise
    except IntegrityError:
        # Another request of the same person won the race: the same key (a double tap) returns
        # its claim; another key found the slot taken.
        earlier = replay(actor, key, campaign_id)
        if earlier is not None:
            return earlier
        raise limit_reached(campaign) from None
    return ClaimOutcome(claim=claim, voucher=voucher, created=True)


def issue_voucher(claim: Claim, campaign: Campaign) -> Voucher:
    assert campaign.voucher_expires_at is not None  # publishing requires it for voucher deliveries
    return _INSERT_VOUCHER.save(
        Voucher(
            claim=claim,
            campaign=campaign,
            code=random_code(VOUCHER_CODE_LENGTH),
            expires_at=campaign.voucher_expires_at,
        )
    )
