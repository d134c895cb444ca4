"""Benefits of the demo city: a merchant network, giveaways open now and soon, the year's pledges,
and a till account for the demo cinema. Called by the demo loader once the city is loaded, and
undone by its reset (benefit rows hold their orgs and members with PROTECT)."""

from __future__ import annotations

import random

from django.db.models import Q
from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.demo.campaigns import make_demo_campaigns
from gonghui.benefits.demo.merchants import make_demo_merchants
from gonghui.benefits.demo.pledges import make_demo_pledges
from gonghui.benefits.models import (
    Campaign,
    CampaignItem,
    Claim,
    Entry,
    Merchant,
    MerchantAccount,
    MerchantCategory,
    MerchantStatus,
    Pledge,
    Voucher,
)
from gonghui.orgs.models import Org

TILL_USERNAME = "cinema.till"
# Roughly one partner merchant per 4,000 members: about 950 for a city of 3.8 million.
MEMBERS_PER_MERCHANT = 4000
MIN_MERCHANTS, MAX_MERCHANTS = 60, 950


def seed_demo_benefits(root: Org, *, district: Org, members: int, seed: int, password: str) -> None:
    rng = random.Random(f"{seed}:merchants")  # noqa: S311 - reproducible invented data, not secrets
    count = max(MIN_MERCHANTS, min(MAX_MERCHANTS, members // MEMBERS_PER_MERCHANT))
    merchants = make_demo_merchants(root, rng, count)
    make_demo_campaigns(root, district, merchants, seed)
    make_demo_pledges(root, timezone.localdate().year, None)
    cinema = next(
        m for m in merchants if m.category == MerchantCategory.CULTURE and m.status == MerchantStatus.ACTIVE
    )
    if not User.objects.filter(username=TILL_USERNAME).exists():
        till = User.objects.create_user(
            username=TILL_USERNAME,
            password=password,
            display_name=f"{cinema.name}收银台",
            kind=AccountKind.MERCHANT,
        )
        MerchantAccount.objects.create(user=till, merchant=cinema)


def reset_demo_benefits(root: Org) -> None:
    """Remove every benefit row of the demo tree (and claims by its members), children first."""
    in_tree = Q(org__path__startswith=root.path)
    campaigns = Campaign.objects.filter(in_tree)
    claims = Claim.objects.filter(Q(campaign__in=campaigns) | in_tree)
    Voucher.objects.filter(Q(claim__in=claims) | Q(campaign__in=campaigns)).delete()
    claims.delete()
    Entry.objects.filter(Q(campaign__in=campaigns) | in_tree).delete()
    CampaignItem.objects.filter(campaign__in=campaigns).delete()
    campaigns.delete()
    User.objects.filter(merchant_account__merchant__org__path__startswith=root.path).delete()
    Merchant.objects.filter(in_tree).delete()
    Pledge.objects.filter(
        Q(org__path__startswith=root.path) | Q(owner_org__path__startswith=root.path)
    ).delete()
