"""Campaign authoring (福利活动): creating and editing campaigns with their items, publishing and
cancelling them, and recording that a shipped item went out.

Each function takes the acting user as keyword-only `actor`, runs in one transaction, checks
permission first (a campaign outside the actor's scope is 404, exactly like a missing one; one
the actor may see but not change is 403), validates every field at once, writes and records an
audit event.

What may change when:

- a draft: everything, items included;
- a published campaign: the description, the image, a later close (`ends_at`), a later voucher
  expiry, more merchants, and a larger stock of an item — members may already hold what it
  promised, so nothing they relied on moves. A stock raise adds the difference to `remaining`
  with one UPDATE … SET remaining = remaining + n, so claims running at the same moment are
  never lost (never read-modify-write);
- a drawn or cancelled campaign: nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.benefits.models import (
    CAMPAIGN_TRANSITIONS,
    MAX_PER_MEMBER_LIMIT,
    Campaign,
    CampaignAction,
    CampaignHistory,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Claim,
    Delivery,
    Merchant,
    MerchantStatus,
)
from gonghui.benefits.services.claims import clear_sold_out
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.images import Upload, read_photo
from gonghui.core.money import format_money, to_money
from gonghui.core.text import normalize_text
from gonghui.members.categories import MemberCategory
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

TITLE_MAX = 100
DESCRIPTION_MAX = 5000
ITEM_NAME_MAX = 100
PICKUP_NOTE_MAX = 200
MAX_ITEMS = 5
MAX_STOCK = 10_000_000
TRACKING_MAX = 40

# The fields a published campaign keeps as they are (see the module's docstring).
FROZEN_WHEN_PUBLISHED = (
    "title",
    "mode",
    "delivery",
    "starts_at",
    "per_member_limit",
    "eligible_org_id",
    "categories",
    "joined_before",
    "budget",
    "pickup_org_id",
    "pickup_note",
)
AUDITED_FIELDS = (
    "title",
    "description",
    "mode",
    "delivery",
    "starts_at",
    "ends_at",
    "per_member_limit",
    "eligible_org_id",
    "categories",
    "joined_before",
    "budget",
    "voucher_expires_at",
    "pickup_org_id",
    "pickup_note",
)


@dataclass
class ItemData:
    """One item row of the form. `id` names an existing item when editing (None: a new one)."""

    name: str
    unit_cost: Decimal | None
    stock: int | None
    id: int | None = None


@dataclass
class CampaignData:
    """Everything a campaign form sends. Orgs are given by code (empty: the organiser itself for
    `eligible_org`, none for `pickup_org`); merchants by primary key."""

    title: str
    mode: str
    delivery: str
    starts_at: datetime | None
    ends_at: datetime | None
    budget: Decimal | None
    items: Sequence[ItemData]
    description: str = ""
    per_member_limit: int | None = 1
    eligible_org: str = ""
    categories: Sequence[str] = field(default_factory=list)
    joined_before: date | None = None
    voucher_expires_at: datetime | None = None
    merchants: Sequence[int] = field(default_factory=list)
    pickup_org: str = ""
    pickup_note: str = ""
    image: Upload | None = None


@dataclass
class _Clean:
    """The validated values, ready to be written."""

    values: dict[str, Any]
    items: list[ItemData]
    merchants: list[Merchant]
    image: tuple[bytes, str] | None


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def check_image(upload: Upload) -> tuple[bytes, str]:
    """The image's bytes and file name ending (gonghui.core.images.read_photo)."""
    return read_photo(upload, field="image")


def _in_subtree(org: Org, root: Org) -> bool:
    path: str = org.path
    return path.startswith(root.path)


def _org_by_code(code: str) -> Org | None:
    code = normalize_text(code or "").upper()
    if not code:
        return None
    found: Org | None = Org.objects.filter(code__iexact=code).first()
    return found


def _clean_items(items: Sequence[ItemData], errors: FieldErrors) -> list[ItemData]:
    rows = [item for item in items if normalize_text(item.name or "") or item.unit_cost or item.stock]
    if not rows:
        errors.add("items", _("Add at least one item."))
        return []
    if len(rows) > MAX_ITEMS:
        errors.add("items", _("A campaign has at most %(count)s items.") % {"count": MAX_ITEMS})
    clean: list[ItemData] = []
    for number, item in enumerate(rows, start=1):
        name = normalize_text(item.name or "")
        where = {"number": number}
        if not name:
            errors.add("items", _("Item %(number)s: give its name.") % where)
        elif len(name) > ITEM_NAME_MAX:
            errors.add(
                "items",
                _("Item %(number)s: the name may have at most %(max)s characters.")
                % {**where, "max": ITEM_NAME_MAX},
            )
        cost = item.unit_cost
        if cost is None:
            errors.add("items", _("Item %(number)s: give its unit cost.") % where)
        elif cost < 0:
            errors.add("items", _("Item %(number)s: the unit cost cannot be negative.") % where)
        elif to_money(cost) != cost:
            errors.add("items", _("Item %(number)s: the unit cost has at most two decimals.") % where)
        stock = item.stock
        if stock is None:
            errors.add("items", _("Item %(number)s: give its stock.") % where)
        elif not 1 <= stock <= MAX_STOCK:
            errors.add(
                "items",
                _("Item %(number)s: the stock is a whole number from 1 to %(max)s.")
                % {**where, "max": MAX_STOCK},
            )
        clean.append(ItemData(name=name, unit_cost=cost, stock=stock, id=item.id))
    return clean


def _check_budget(budget: Decimal | None, items: list[ItemData], errors: FieldErrors) -> None:
    if budget is None:
        errors.add("budget", _("Give the budget."))
        return
    if budget < 0:
        errors.add("budget", _("The budget cannot be negative."))
        return
    if to_money(budget) != budget:
        errors.add("budget", _("The budget has at most two decimals."))
        return
    if any(item.unit_cost is None or item.unit_cost < 0 or item.stock is None for item in items):
        return
    total = sum((to_money(item.unit_cost or 0) * (item.stock or 0) for item in items), Decimal("0.00"))
    if total > budget:
        errors.add(
            "budget",
            _("The items cost %(total)s (stock × unit cost), %(over)s more than the budget of %(budget)s.")
            % {
                "total": format_money(total),
                "over": format_money(total - budget),
                "budget": format_money(budget),
            },
        )


def _clean(
    org: Org, data: CampaignData, actor: Any, errors: FieldErrors, *, attached: frozenset[int] = frozenset()
) -> _Clean:
    """Check every rule of a campaign's data, collecting all problems in `errors`. `attached`:
    merchants a published campaign already names, kept even if suspended since."""
    title = normalize_text(data.title or "")
    if not title:
        errors.add("title", _("Give the campaign a title."))
    elif len(title) > TITLE_MAX:
        errors.add("title", _("The title may have at most %(max)s characters.") % {"max": TITLE_MAX})
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors.add(
            "description",
            _("The description may have at most %(max)s characters.") % {"max": DESCRIPTION_MAX},
        )

    if data.mode not in CampaignMode.values:
        errors.add("mode", _("Choose first come, first served or a lottery."))
    if data.delivery not in Delivery.values:
        errors.add("delivery", _("Choose how members receive what they get."))
    elif data.mode == CampaignMode.LOTTERY and data.delivery == Delivery.SHIPPING:
        # Entries carry no postal address: a winner could not be sent anything.
        errors.add("delivery", _("A lottery gives vouchers or pick-ups; it cannot ship items."))

    if data.starts_at is None:
        errors.add("starts_at", _("Give the time the campaign opens."))
    if data.ends_at is None:
        errors.add("ends_at", _("Give the time the campaign closes."))
    if data.starts_at is not None and data.ends_at is not None and data.ends_at <= data.starts_at:
        errors.add("ends_at", _("The campaign must close after it opens."))

    limit = data.per_member_limit
    if limit is None or not 1 <= limit <= MAX_PER_MEMBER_LIMIT:
        errors.add(
            "per_member_limit",
            _("The limit per member is a whole number from 1 to %(max)s.") % {"max": MAX_PER_MEMBER_LIMIT},
        )
    elif data.mode == CampaignMode.LOTTERY and limit != 1:
        errors.add("per_member_limit", _("In a lottery each member can win once: the limit must be 1."))

    eligible_org = org
    if normalize_text(data.eligible_org or ""):
        found = _org_by_code(data.eligible_org)
        if found is None or not _in_subtree(found, org):
            errors.add(
                "eligible_org",
                _("Give the code of %(org)s or of a union under it.") % {"org": org.name},
            )
        else:
            eligible_org = found

    categories = list(dict.fromkeys(data.categories or []))
    if any(category not in MemberCategory.values for category in categories):
        errors.add("categories", _("Choose categories from the list."))

    items = _clean_items(data.items, errors)
    _check_budget(data.budget, items, errors)

    merchants: list[Merchant] = []
    pickup_org: Org | None = None
    expires = data.voucher_expires_at
    pickup_note = normalize_text(data.pickup_note or "")
    if data.delivery in (Delivery.VOUCHER, Delivery.PICKUP):
        if expires is None:
            errors.add("voucher_expires_at", _("Give the time until which the vouchers can be used."))
        elif data.ends_at is not None and expires <= data.ends_at:
            errors.add("voucher_expires_at", _("The vouchers must stay valid after the campaign closes."))
    if data.delivery == Delivery.VOUCHER:
        wanted = set(data.merchants or [])
        usable = Q(status=MerchantStatus.ACTIVE) | Q(pk__in=attached)
        merchants = list(visible(Merchant, actor, Perm.BENEFITS_VIEW).filter(usable, pk__in=wanted))
        if not wanted:
            errors.add("merchants", _("Choose at least one merchant where the vouchers can be used."))
        elif len(merchants) != len(wanted):
            errors.add("merchants", _("Choose active merchants from the list."))
    elif data.delivery == Delivery.PICKUP:
        if not normalize_text(data.pickup_org or ""):
            errors.add("pickup_org", _("Give the code of the union where members pick up."))
        else:
            pickup_org = _org_by_code(data.pickup_org)
            if pickup_org is None or not _in_subtree(pickup_org, org):
                errors.add(
                    "pickup_org", _("Give the code of %(org)s or of a union under it.") % {"org": org.name}
                )
                pickup_org = None
        if len(pickup_note) > PICKUP_NOTE_MAX:
            errors.add("pickup_note", _("At most %(max)s characters.") % {"max": PICKUP_NOTE_MAX})
    if data.delivery not in (Delivery.VOUCHER, Delivery.PICKUP):
        expires = None
    if data.delivery != Delivery.PICKUP:
        pickup_note = ""

    image = None
    if data.image is not None:
        try:
            image = check_image(data.image)
        except ValidationFailed as exc:
            for message in exc.fields.get("image", [exc.message]):
                errors.add("image", message)

    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "mode": data.mode,
        "delivery": data.delivery,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "per_member_limit": limit,
        "eligible_org_id": eligible_org.pk,
        "categories": categories,
        "joined_before": data.joined_before,
        "budget": to_money(data.budget) if data.budget is not None and data.budget >= 0 else data.budget,
        "voucher_expires_at": expires,
        "pickup_org_id": pickup_org.pk if pickup_org is not None else None,
        "pickup_note": pickup_note,
    }
    return _Clean(values=values, items=items, merchants=merchants, image=image)


def _require_change(actor: Any, org: Org) -> None:
    if not has_perm_at(actor, Perm.BENEFITS_CHANGE, org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may change its campaigns.")
            % {"org": org.name}
        )


def _locked(campaign: Campaign | int, actor: Any) -> Campaign:
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    return get_visible(
        Campaign.objects.select_for_update(of=("self",)).select_related("org"),
        actor,
        Perm.BENEFITS_VIEW,
        pk=pk,
    )


def _history(campaign: Campaign, from_status: str, actor: Any, comment: str = "") -> None:
    CampaignHistory.objects.create(
        campaign=campaign, from_status=from_status, to_status=campaign.status, actor=actor, comment=comment
    )


def _save_image(campaign: Campaign, image: tuple[bytes, str] | None) -> None:
    if image is None:
        return
    content, suffix = image
    campaign.image.save(f"{secrets.token_hex(8)}{suffix}", ContentFile(content), save=False)


def _items_snapshot(campaign: Campaign) -> list[list[Any]]:
    return [
        [item.name, str(item.unit_cost), item.stock]
        for item in CampaignItem.objects.filter(campaign=campaign).order_by("position", "id")
    ]


# --------------------------------------------------------------------------------------------
# Creating and editing
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(org: Org, *, actor: Any, data: CampaignData) -> Campaign:
    """A new campaign of `org` in draft, with its items (stock = remaining)."""
    _require_change(actor, org)
    errors = FieldErrors()
    clean = _clean(org, data, actor, errors)
    errors.raise_if_any()
    campaign = Campaign(org=org, created_by=actor, status=CampaignStatus.DRAFT, **clean.values)
    _save_image(campaign, clean.image)
    campaign.save()
    CampaignItem.objects.bulk_create(
        [
            CampaignItem(
                campaign=campaign,
                name=item.name,
                unit_cost=to_money(item.unit_cost or 0),
                stock=item.stock or 0,
                remaining=item.stock or 0,
                position=position,
            )
            for position, item in enumerate(clean.items)
        ]
    )
    if clean.merchants:
        campaign.merchants.set(clean.merchants)
    _history(campaign, "", actor)
    record_audit(
        actor=actor,
        action="benefits.create_campaign",
        obj=campaign,
        org=org,
        changes={"items": [None, _items_snapshot(campaign)]},
    )
    return campaign


def _replace_items(campaign: Campaign, items: list[ItemData], errors: FieldErrors) -> None:
    """A draft's items become exactly `items` (matched by id; new rows are added)."""
    current = {item.pk: item for item in CampaignItem.objects.filter(campaign=campaign)}
    kept: set[int] = set()
    for position, row in enumerate(items):
        stock = row.stock or 0
        cost = to_money(row.unit_cost or 0)
        existing = current.get(row.id) if row.id is not None else None
        if existing is None:
            CampaignItem.objects.create(
                campaign=campaign,
                name=row.name,
                unit_cost=cost,
                stock=stock,
                remaining=stock,
                position=position,
            )
            continue
        kept.add(existing.pk)
        CampaignItem.objects.filter(pk=existing.pk).update(
            name=row.name, unit_cost=cost, stock=stock, remaining=stock, position=position
        )
    gone = [pk for pk in current if pk not in kept]
    if gone:
        CampaignItem.objects.filter(pk__in=gone).delete()


def _published_changes(
    campaign: Campaign, clean: _Clean, data: CampaignData, errors: FieldErrors
) -> dict[int, int]:
    """Check a published campaign's edit against what may change; the stock raises per item id."""
    frozen = _("This cannot be changed once the campaign is published.")
    for name in ("starts_at", "ends_at", "voucher_expires_at"):
        # The form shows times to the minute: the seconds stored are not a change.
        old, new = getattr(campaign, name), clean.values[name]
        if old is not None and new is not None and abs((new - old).total_seconds()) < 60:
            clean.values[name] = old
    for name in FROZEN_WHEN_PUBLISHED:
        if clean.values[name] != getattr(campaign, name):
            errors.add(name.removesuffix("_id"), frozen)
    new_end = clean.values["ends_at"]
    if new_end is not None and new_end < campaign.ends_at:
        errors.add("ends_at", _("A published campaign can close later, not earlier."))
    old_expiry, new_expiry = campaign.voucher_expires_at, clean.values["voucher_expires_at"]
    if old_expiry is not None and (new_expiry is None or new_expiry < old_expiry):
        errors.add("voucher_expires_at", _("Vouchers already given out can be valid longer, not shorter."))
    current_merchants = set(campaign.merchants.values_list("pk", flat=True))
    if campaign.delivery == Delivery.VOUCHER and not current_merchants <= set(data.merchants or []):
        errors.add("merchants", _("Merchants can be added to a published campaign, not removed."))
    items = {item.pk: item for item in CampaignItem.objects.filter(campaign=campaign)}
    raises: dict[int, int] = {}
    seen: set[int] = set()
    for number, row in enumerate(clean.items, start=1):
        existing = items.get(row.id) if row.id is not None else None
        where = {"number": number}
        if existing is None:
            errors.add(
                "items", _("Item %(number)s: no item can be added once the campaign is published.") % where
            )
            continue
        seen.add(existing.pk)
        if row.name != existing.name or to_money(row.unit_cost or 0) != existing.unit_cost:
            errors.add(
                "items",
                _("Item %(number)s: the name and unit cost cannot change once the campaign is published.")
                % where,
            )
        stock = row.stock or 0
        if stock < existing.stock:
            errors.add(
                "items",
                _(
                    "Item %(number)s: the stock of a published campaign can be raised, "
                    "not lowered (it is %(stock)s)."
                )
                % {**where, "stock": existing.stock},
            )
        elif stock > existing.stock:
            raises[existing.pk] = stock - existing.stock
    if set(items) - seen:
        errors.add("items", _("No item can be removed once the campaign is published."))
    return raises


@transaction.atomic
def update_campaign(campaign: Campaign | int, *, actor: Any, data: CampaignData) -> Campaign:
    """Change a campaign: everything in a draft; in a published campaign only what the module's
    docstring lists (anything else is refused on its field, with nothing written)."""
    campaign = _locked(campaign, actor)
    _require_change(actor, campaign.org)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.PUBLISHED):
        raise Conflict(
            _("The campaign is “%(status)s”: it can no longer be changed.")
            % {"status": campaign.get_status_display()}
        )
    errors = FieldErrors()
    published = campaign.status == CampaignStatus.PUBLISHED
    attached = frozenset(campaign.merchants.values_list("pk", flat=True)) if published else frozenset()
    clean = _clean(campaign.org, data, actor, errors, attached=attached)
    raises: dict[int, int] = {}
    if published:
        raises = _published_changes(campaign, clean, data, errors)
    errors.raise_if_any()

    before = snapshot(campaign, AUDITED_FIELDS)
    items_before = _items_snapshot(campaign)
    merchants_before = sorted(campaign.merchants.values_list("pk", flat=True))
    for name, value in clean.values.items():
        setattr(campaign, name, value)
    _save_image(campaign, clean.image)
    campaign.save()
    if published:
        for pk, more in raises.items():
            # F(): claims taking stock at this moment are never undone by a stale read.
            CampaignItem.objects.filter(pk=pk).update(
                stock=F("stock") + more, remaining=F("remaining") + more
            )
            # The sold-out gate must not keep refusing once there is stock again.
            transaction.on_commit(partial(clear_sold_out, campaign.pk))
        if clean.merchants:
            campaign.merchants.add(*clean.merchants)
    else:
        _replace_items(campaign, clean.items, errors)
        campaign.merchants.set(clean.merchants)
    changes = changes_between(before, snapshot(campaign, AUDITED_FIELDS))
    items_after = _items_snapshot(campaign)
    if items_after != items_before:
        changes["items"] = [items_before, items_after]
    merchants_after = sorted(campaign.merchants.values_list("pk", flat=True))
    if merchants_after != merchants_before:
        changes["merchants"] = [merchants_before, merchants_after]
    if clean.image is not None:
        changes["image"] = ["", campaign.image.name]
    record_audit(
        actor=actor, action="benefits.update_campaign", obj=campaign, org=campaign.org, changes=changes
    )
    return campaign


# --------------------------------------------------------------------------------------------
# Publishing and cancelling
# --------------------------------------------------------------------------------------------


def _data_of(campaign: Campaign) -> CampaignData:
    """A campaign's stored data as a form would send it, to check it again at publishing."""
    return CampaignData(
        title=campaign.title,
        description=campaign.description,
        mode=campaign.mode,
        delivery=campaign.delivery,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        budget=campaign.budget,
        per_member_limit=campaign.per_member_limit,
        eligible_org=campaign.eligible_org.code,
        categories=list(campaign.categories or []),
        joined_before=campaign.joined_before,
        voucher_expires_at=campaign.voucher_expires_at,
        merchants=list(campaign.merchants.values_list("pk", flat=True)),
        pickup_org=campaign.pickup_org.code if campaign.pickup_org is not None else "",
        pickup_note=campaign.pickup_note,
        items=[
            ItemData(name=item.name, unit_cost=item.unit_cost, stock=item.stock, id=item.pk)
            for item in CampaignItem.objects.filter(campaign=campaign)
        ],
    )


def _transition(campaign: Campaign | int, action: str, actor: Any) -> tuple[Campaign, str]:
    campaign = _locked(campaign, actor)
    transition = CAMPAIGN_TRANSITIONS.lookup(action)
    if not has_perm_at(actor, transition.perm, campaign.org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may change its campaigns.")
            % {"org": campaign.org.name}
        )
    CAMPAIGN_TRANSITIONS.require(action, campaign.status)
    return campaign, campaign.status


@transaction.atomic
def publish_campaign(campaign: Campaign | int, *, actor: Any, comment: str = "") -> Campaign:
    """Publish a draft: every rule is checked again (merchants may have been suspended since),
    the window must not have ended, and a lottery gets its public seed."""
    campaign, before = _transition(campaign, CampaignAction.PUBLISH, actor)
    errors = FieldErrors()
    _clean(campaign.org, _data_of(campaign), actor, errors)
    if campaign.ends_at <= timezone.now():
        errors.add("ends_at", _("The campaign's window has already ended: change its close time first."))
    errors.raise_if_any(_("The campaign cannot be published yet. See the problems below."))
    campaign.status = CAMPAIGN_TRANSITIONS[CampaignAction.PUBLISH].target
    campaign.published_at = timezone.now()
    if campaign.is_lottery:
        campaign.seed = secrets.token_hex(32)
    campaign.save(update_fields=["status", "published_at", "seed", "updated_at"])
    comment = normalize_text(comment)
    _history(campaign, before, actor, comment)
    changes: dict[str, list[Any]] = {"status": [before, campaign.status]}
    if campaign.seed:
        changes["seed"] = ["", campaign.seed]
    record_audit(
        actor=actor,
        action="benefits.publish_campaign",
        obj=campaign,
        org=campaign.org,
        changes=changes,
        note=comment,
    )
    return campaign


@transaction.atomic
def cancel_campaign(campaign: Campaign | int, *, actor: Any, comment: str = "") -> Campaign:
    """Cancel a draft or a published campaign. Claims and vouchers already given stay valid."""
    campaign, before = _transition(campaign, CampaignAction.CANCEL, actor)
    campaign.status = CAMPAIGN_TRANSITIONS[CampaignAction.CANCEL].target
    campaign.save(update_fields=["status", "updated_at"])
    comment = normalize_text(comment)
    _history(campaign, before, actor, comment)
    record_audit(
        actor=actor,
        action="benefits.cancel_campaign",
        obj=campaign,
        org=campaign.org,
        changes={"status": [before, campaign.status]},
        note=comment,
    )
    return campaign


# --------------------------------------------------------------------------------------------
# Shipping
# --------------------------------------------------------------------------------------------


def clean_tracking_number(text: str) -> str:
    value = normalize_text(text or "").replace(" ", "").upper()
    if not value:
        raise ValidationFailed(
            _("Give the tracking number."), fields={"tracking_number": [_("Give the tracking number.")]}
        )
    if len(value) > TRACKING_MAX or not all(
        char.isascii() and (char.isalnum() or char == "-") for char in value
    ):
        message = _("A tracking number has at most %(max)s letters, digits and “-”.") % {"max": TRACKING_MAX}
        raise ValidationFailed(message, fields={"tracking_number": [message]})
    return value


@transaction.atomic
def mark_shipped(claim: Claim | int, *, actor: Any, tracking_number: str) -> Claim:
    """Record that a shipped campaign's item went out, with its tracking number (sent again, it
    corrects the number and keeps the first shipping time)."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    found = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("campaign__org")
        .filter(pk=pk, campaign__in=visible(Campaign, actor, Perm.BENEFITS_VIEW))
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such claim."))
    claim = found
    _require_change(actor, claim.campaign.org)
    if claim.campaign.delivery != Delivery.SHIPPING:
        raise Conflict(_("Only items of a campaign that ships them can be marked as shipped."))
    number = clean_tracking_number(tracking_number)
    before = snapshot(claim, ("tracking_number", "shipped_at"))
    claim.tracking_number = number
    if claim.shipped_at is None:
        claim.shipped_at = timezone.now()
    claim.save(update_fields=["tracking_number", "shipped_at"])
    record_audit(
        actor=actor,
        action="benefits.mark_shipped",
        obj=claim,
        org=claim.campaign.org,
        changes=changes_between(before, snapshot(claim, ("tracking_number", "shipped_at"))),
    )
    return claim
