"""Lottery campaigns: entries during the window, then a draw anyone can re-compute.

The rule, published with every lottery campaign:

1. When the campaign is published it gets a random 256-bit `seed`, shown from then on — before
   anyone enters, so it cannot be chosen to favour an entry.
2. Each entry gets a random public entry code. When entries close, the list of codes is fixed
   and its digest is SHA-256 of the codes sorted and joined by newlines — known only then, so
   nobody could have chosen an entry time or code to win, knowing the seed.
3. Each entry's ticket is SHA-256 of "seed:digest:code" (hex). For each item, the entries for it
   are sorted by ticket and the first `stock` of them win.

The draw record (`draw_record`, and GET /api/v1/benefits/campaigns/{id}/draw) lists the seed, the
digest and every code with its ticket, so anyone can redo steps 2 and 3 and get the same winners.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.benefits.codes import ENTRY_CODE_LENGTH, VOUCHER_CODE_LENGTH, random_code
from gonghui.benefits.models import (
    CAMPAIGN_TRANSITIONS,
    Campaign,
    CampaignAction,
    CampaignHistory,
    CampaignItem,
    CampaignMode,
    Claim,
    Entry,
    Voucher,
)
from gonghui.benefits.services.claims import (
    ClaimRefused,
    check_idempotency_key,
    check_rate,
    open_campaign,
    pick_item,
)
from gonghui.benefits.services.eligibility import eligible_member
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

# The rule in one line, for the public draw record (machine-readable steps, not prose).
RULE = (
    "digest = sha256('\\n'.join(sorted(entry codes))); "
    "ticket = sha256(seed + ':' + digest + ':' + code), hex; "
    "for each item, its entries sorted by ticket ascending: the first <winners of the item> win"
)


@dataclass(frozen=True)
class EntryOutcome:
    entry: Entry
    created: bool


@dataclass(frozen=True)
class DrawOutcome:
    entries: int
    winners: int


@dataclass(frozen=True)
class RankedEntry:
    code: str
    item_id: int
    ticket: str
    rank: int  # 1-based, within its item
    won: bool


@dataclass(frozen=True)
class DrawRecord:
    seed: str
    entries_digest: str
    drawn: bool
    entries: list[RankedEntry]


def entries_digest(codes: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(codes)).encode()).hexdigest()


def ticket(seed: str, digest: str, code: str) -> str:
    return hashlib.sha256(f"{seed}:{digest}:{code}".encode()).hexdigest()


def rank_entries(seed: str, codes_by_item: dict[int, list[str]], stock: dict[int, int]) -> list[RankedEntry]:
    """Steps 2 and 3 of the rule: every entry with its ticket, rank and whether it wins."""
    digest = entries_digest([code for codes in codes_by_item.values() for code in codes])
    ranked: list[RankedEntry] = []
    for item_id, codes in sorted(codes_by_item.items()):
        ordered = sorted(codes, key=lambda code: ticket(seed, digest, code))
        for position, code in enumerate(ordered, start=1):
            won = position <= stock.get(item_id, 0)
            ranked.append(RankedEntry(code, item_id, ticket(seed, digest, code), position, won))
    return ranked


def _replay(user: User, key: str, campaign_id: int) -> EntryOutcome | None:
    entry = Entry.objects.filter(user=user, idempotency_key=key).first()
    if entry is None:
        return None
    if entry.campaign_id != campaign_id:
        message = _("This idempotency key was already used for another campaign. Send a new key.")
        raise ValidationFailed(message, fields={"idempotency_key": [message]})
    return EntryOutcome(entry=entry, created=False)


def enter_lottery(
    campaign_id: int, *, actor: User, idempotency_key: str | None, item_id: int | None = None
) -> EntryOutcome:
    """Enter the actor in a lottery campaign (one entry per person). A retry with the same key
    returns the first entry; every refusal raises and writes nothing."""
    key = check_idempotency_key(idempotency_key)
    check_rate(actor)
    earlier = _replay(actor, key, campaign_id)
    if earlier is not None:
        return earlier
    campaign, items = open_campaign(campaign_id, mode=CampaignMode.LOTTERY)
    item = pick_item(items, item_id)
    member = eligible_member(campaign, actor)
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                campaign=campaign,
                item=item,
                member=member,
                org_id=member.org_id,
                person_index=member.id_number_index,
                user=actor,
                code=random_code(ENTRY_CODE_LENGTH),
                idempotency_key=key,
            )
    except IntegrityError:
        earlier = _replay(actor, key, campaign_id)
        if earlier is not None:
            return earlier
        raise ClaimRefused(_("You have already entered this draw."), code="already_entered") from None
    return EntryOutcome(entry=entry, created=True)


@transaction.atomic
def draw_lottery(campaign: Campaign, *, actor: User) -> DrawOutcome:
    """Close a lottery after its window: rank the entries by the published rule, give each winner
    a claim (and a voucher where the delivery uses one), and record the digest for re-computation."""
    found = (
        visible(Campaign, actor, Perm.BENEFITS_VIEW)
        .select_for_update(of=("self",))
        .filter(pk=campaign.pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such campaign."))
    campaign = found
    transition = CAMPAIGN_TRANSITIONS.lookup(CampaignAction.DRAW)
    if not has_perm_at(actor, transition.perm, campaign.org.path):
        raise Forbidden(_("Only officers of the organising union can draw the lottery."))
    CAMPAIGN_TRANSITIONS.require(CampaignAction.DRAW, campaign.status)
    if not campaign.is_lottery:
        raise Conflict(_("Only a lottery campaign is drawn."), code="not_a_lottery")
    if timezone.now() < campaign.ends_at:
        raise Conflict(_("The lottery can be drawn only after entries close."), code="entries_open")
    items = {item.pk: item for item in CampaignItem.objects.select_for_update().filter(campaign=campaign)}
    entries = list(Entry.objects.filter(campaign=campaign))
    codes_by_item: dict[int, list[str]] = {item_id: [] for item_id in items}
    for entry in entries:
        codes_by_item[entry.item_id].append(entry.code)
    ranked = rank_entries(campaign.seed, codes_by_item, {pk: item.remaining for pk, item in items.items()})
    winning = {row.code for row in ranked if row.won}
    now = timezone.now()
    winners = [entry for entry in entries if entry.code in winning]
    claims = Claim.objects.bulk_create(
        Claim(
            campaign=campaign,
            item_id=entry.item_id,
            member_id=entry.member_id,
            org_id=entry.org_id,
            person_index=entry.person_index,
            user_id=entry.user_id,
            idempotency_key=f"draw-{entry.code}",
            created_at=now,
        )
        for entry in winners
    )
    if campaign.issues_vouchers and claims:
        assert campaign.voucher_expires_at is not None
        Voucher.objects.bulk_create(
            Voucher(
                claim=claim,
                campaign=campaign,
                code=random_code(VOUCHER_CODE_LENGTH),
                expires_at=campaign.voucher_expires_at,
            )
            for claim in claims
        )
    for item_id, item in items.items():
        won = sum(1 for entry in winners if entry.item_id == item_id)
        if won:
            CampaignItem.objects.filter(pk=item.pk).update(remaining=F("remaining") - won)
    Entry.objects.filter(campaign=campaign, code__in=winning).update(won=True)
    Entry.objects.filter(campaign=campaign).exclude(code__in=winning).update(won=False)
    before = campaign.status
    campaign.status = transition.target
    campaign.entries_digest = entries_digest([entry.code for entry in entries])
    campaign.drawn_at = now
    campaign.save(update_fields=["status", "entries_digest", "drawn_at", "updated_at"])
    CampaignHistory.objects.create(
        campaign=campaign,
        from_status=before,
        to_status=campaign.status,
        actor=actor,
        comment=_("%(entries)s entries, %(winners)s winners.")
        % {"entries": len(entries), "winners": len(winners)},
    )
    record_audit(
        actor=actor,
        action="benefits.campaign.draw",
        obj=campaign,
        changes={"status": [before, campaign.status], "entries_digest": ["", campaign.entries_digest]},
        org=campaign.org,
    )
    return DrawOutcome(entries=len(entries), winners=len(winners))


def draw_record(campaign: Campaign) -> DrawRecord:
    """The public record of a lottery: before the draw the seed only, after it every entry code
    with its ticket, rank and result."""
    if campaign.drawn_at is None:
        return DrawRecord(seed=campaign.seed, entries_digest="", drawn=False, entries=[])
    codes_by_item: dict[int, list[str]] = {}
    stock: dict[int, int] = {}
    for item in campaign.items.all():
        codes_by_item[item.pk] = []
        stock[item.pk] = 0
    for code, item_id, won in Entry.objects.filter(campaign=campaign).values_list("code", "item_id", "won"):
        codes_by_item[item_id].append(code)
        stock[item_id] += 1 if won else 0
    ranked = rank_entries(campaign.seed, codes_by_item, stock)
    return DrawRecord(seed=campaign.seed, entries_digest=campaign.entries_digest, drawn=True, entries=ranked)
