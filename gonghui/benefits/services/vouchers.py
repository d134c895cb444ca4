"""Redeeming vouchers (核销): a merchant's till scans or types the code, sees what to hand over,
confirms. Redeeming is one conditional UPDATE (`WHERE status = issued AND not expired`): of two
tills scanning the same voucher at the same moment, exactly one changes the row, and only that
one is told to hand anything over.

Who may redeem: a merchant account, at a merchant the campaign names (delivery "voucher"); an
officer holding benefits.change on the pick-up union (delivery "pickup"). To anyone else a code
is unknown, exactly like a code that does not exist, so a till cannot probe other campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.codes import VOUCHER_CODE_LENGTH, normalise_code
from gonghui.benefits.models import Delivery, MerchantAccount, MerchantStatus, Voucher, VoucherStatus
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from gonghui.core.ratelimit import over_limit
from gonghui.core.text import mask_name
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

# Lookups per till per minute: a queue at a cinema is a few a minute; guessing 80-bit codes is
# hopeless anyway, this only keeps a broken scanner from hammering the database.
LOOKUPS_PER_MINUTE = 120


class VoucherRefused(Conflict):
    """Used already or expired: the till must not hand anything over."""


@dataclass(frozen=True)
class VoucherView:
    """What a till sees: enough to hand over the right thing, no more."""

    voucher: Voucher
    state: str  # valid / used / expired
    campaign_title: str
    item_name: str
    holder: str  # masked name
    expires_at: datetime
    redeemed_at: datetime | None
    redeemed_where: str


def _unknown() -> NotFound:
    return NotFound(
        _("No valid voucher has this code here. Check the code and try again."), code="voucher_unknown"
    )


def _redeemer_merchant_id(actor: User) -> int | None:
    if actor.kind != AccountKind.MERCHANT or not actor.is_active:
        return None
    account = MerchantAccount.objects.select_related("merchant").filter(user=actor).first()
    if account is None or account.merchant.status != MerchantStatus.ACTIVE:
        return None
    return account.merchant_id


def _find(code: str, actor: User) -> tuple[Voucher, int | None]:
    """The voucher with this code that `actor` may redeem, and the actor's merchant (None for an
    officer at a pick-up union); NotFound for anything else."""
    normal = normalise_code(code)
    if len(normal) != VOUCHER_CODE_LENGTH:
        message = _("A voucher code has 16 characters.")
        raise ValidationFailed(message, fields={"code": [message]})
    if over_limit("benefits.voucher-lookups", actor.pk, limit=LOOKUPS_PER_MINUTE, seconds=60):
        raise RateLimited(_("Too many lookups. Please wait a moment and try again."))
    queryset = Voucher.objects.select_related(
        "campaign",
        "campaign__pickup_org",
        "claim__item",
        "claim__member",
        "redeemed_merchant",
        "redeemed_org",
    )
    voucher = queryset.filter(code=normal).first()
    if voucher is None:
        raise _unknown()
    campaign = voucher.campaign
    merchant_id = _redeemer_merchant_id(actor)
    if campaign.delivery == Delivery.VOUCHER:
        if merchant_id is None or not campaign.merchants.filter(pk=merchant_id).exists():
            raise _unknown()
    elif campaign.delivery == Delivery.PICKUP:
        pickup = campaign.pickup_org
        if pickup is None or not has_perm_at(actor, Perm.BENEFITS_CHANGE, pickup.path):
            raise _unknown()
    else:
        raise _unknown()
    return voucher, merchant_id


def _view(voucher: Voucher) -> VoucherView:
    where = ""
    if voucher.redeemed_merchant is not None:
        where = voucher.redeemed_merchant.name
    elif voucher.redeemed_org is not None:
        where = voucher.redeemed_org.name
    return VoucherView(
        voucher=voucher,
        state=voucher.state(),
        campaign_title=voucher.campaign.title,
        item_name=voucher.claim.item.name,
        holder=mask_name(voucher.claim.member.name),
        expires_at=voucher.expires_at,
        redeemed_at=voucher.redeemed_at,
        redeemed_where=where,
    )


def inspect_voucher(code: str, *, actor: User) -> VoucherView:
    """Look a code up before handing anything over (nothing is changed)."""
    voucher, _merchant = _find(code, actor)
    return _view(voucher)


def _refusal(view: VoucherView) -> VoucherRefused:
    if view.state == "used":
        when = timezone.localtime(view.redeemed_at).strftime("%Y-%m-%d %H:%M") if view.redeemed_at else ""
        message = _("This voucher was already used on %(time)s at %(place)s. Do not hand anything over.") % {
            "time": when,
            "place": view.redeemed_where,
        }
        return VoucherRefused(message, code="voucher_used")
    return VoucherRefused(_("This voucher has expired. Do not hand anything over."), code="voucher_expired")


@transaction.atomic
def redeem_voucher(code: str, *, actor: User) -> VoucherView:
    """Redeem a voucher once. Raises VoucherRefused when it is used or expired."""
    voucher, merchant_id = _find(code, actor)
    now = timezone.now()
    changed = Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ISSUED, expires_at__gt=now).update(
        status=VoucherStatus.REDEEMED,
        redeemed_at=now,
        redeemed_by=actor,
        redeemed_merchant_id=merchant_id,
        redeemed_org_id=None if merchant_id is not None else voucher.campaign.pickup_org_id,
    )
    voucher.refresh_from_db()
    view = _view(voucher)
    if not changed:
        raise _refusal(view)
    record_audit(
        actor=actor,
        action="benefits.voucher.redeem",
        obj=voucher,
        changes={"status": [VoucherStatus.ISSUED, VoucherStatus.REDEEMED]},
        org=voucher.campaign.org,
    )
    return view
