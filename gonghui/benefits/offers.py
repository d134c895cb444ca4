"""What a member is offered and holds: the campaigns for them, their claims, entries and vouchers.

Reads only, for the portal and the member API; everything is the signed-in person's own, found
from their account, so no officer scope applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.models import Campaign, Claim, Entry, Voucher, VoucherQuerySet, VoucherStatus
from gonghui.benefits.services.eligibility import campaigns_for_member, eligibility_problem
from gonghui.members.models import Member
from gonghui.members.services.selfservice import current_membership

# Ended campaigns stay listed this long, so a member can still see how one went.
ENDED_LISTED_FOR = timedelta(days=14)


def listed_campaigns(member: Member | None) -> QuerySet[Campaign]:
    """Published campaigns that are open, upcoming or recently ended: open first, then upcoming,
    then ended. A member sees those of the subtrees they belong to; a visitor sees them all."""
    now = timezone.now()
    campaigns: QuerySet[Campaign] = Campaign.objects.listed().filter(ends_at__gt=now - ENDED_LISTED_FOR)
    if member is not None:
        campaigns = campaigns_for_member(campaigns, member)
    order = Case(
        When(Q(starts_at__lte=now, ends_at__gt=now), then=Value(0)),
        When(starts_at__gt=now, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        campaigns.select_related("org", "eligible_org")
        .prefetch_related("items")
        .annotate(window_order=order)
        .order_by("window_order", "starts_at", "id")
    )


@dataclass(frozen=True)
class MyStanding:
    """The member's position in one campaign."""

    member: Member | None
    problem: str | None  # why they may not take part, or None
    claims: list[Claim]
    entry: Entry | None

    @property
    def claimed(self) -> int:
        return len(self.claims)


def my_standing(campaign: Campaign, user: User) -> MyStanding:
    member = current_membership(user)
    claims: list[Claim] = []
    entry = None
    if member is not None:
        claims = list(
            Claim.objects.filter(campaign=campaign, person_index=member.id_number_index)
            .select_related("item", "voucher")
            .order_by("slot")
        )
        entry = Entry.objects.filter(campaign=campaign, person_index=member.id_number_index).first()
    return MyStanding(
        member=member, problem=eligibility_problem(campaign, member), claims=claims, entry=entry
    )


def my_vouchers(user: User, state: str | None = None) -> VoucherQuerySet:
    """The user's vouchers, newest first; `state` valid / used / expired narrows them."""
    vouchers: VoucherQuerySet = Voucher.objects.filter(claim__user=user)
    if state == "valid":
        vouchers = vouchers.valid()
    elif state == "used":
        vouchers = vouchers.filter(status=VoucherStatus.REDEEMED)
    elif state == "expired":
        vouchers = vouchers.expired()
    return vouchers.select_related(
        "campaign", "campaign__pickup_org", "claim__item", "redeemed_merchant", "redeemed_org"
    ).order_by("-claim__created_at", "-id")
