"""Member benefits (普惠): merchants, campaigns with limited stock, claims, vouchers, pledges.

What guarantees the promises of a giveaway is the database, not Python:

- no oversell: `CampaignItem.remaining` only ever goes down by a conditional UPDATE
  (`remaining = remaining - 1 WHERE remaining > 0`), with a CHECK constraint `remaining >= 0`
  behind it;
- the per-member limit: a claim takes the next `slot` (1, 2, …) of the person in the campaign and
  (campaign, person, slot) is unique, so two concurrent claims cannot both take the last slot;
  `slot <= per_member_limit` is checked before the insert and cannot be raced past because each
  slot exists once;
- no double claim on a retry: (user, idempotency key) is unique; a retry finds the first claim;
- a voucher is redeemed once: `UPDATE … SET status = redeemed WHERE status = issued`, and only the
  request whose UPDATE changed the row hands anything over.

A person is their ID number's blind index (`person_index`), not an account or a membership row,
so a transfer to another union does not reset what they have claimed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

# --------------------------------------------------------------------------------------------
# Merchants
# --------------------------------------------------------------------------------------------


class MerchantCategory(models.TextChoices):
    CATERING = "catering", _("Food and drink")
    SUPERMARKET = "supermarket", _("Supermarkets and shops")
    HEALTH = "health", _("Pharmacies and health")
    CULTURE = "culture", _("Cinemas, culture and leisure")
    SPORTS = "sports", _("Sports and fitness")
    TRAVEL = "travel", _("Travel and hotels")
    EDUCATION = "education", _("Education and training")
    SERVICES = "services", _("Everyday services")
    AUTO = "auto", _("Cars and transport")
    OTHER = "other", _("Other")


class MerchantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Agreement ended")


class MerchantQuerySet(ScopedQuerySet["Merchant"]):
    def active(self) -> MerchantQuerySet:
        return self.filter(status=MerchantStatus.ACTIVE)


class Merchant(TimeStampedModel):
    """A merchant giving members a discount (特约商户), signed up and managed by a union (`org`)."""

    org = models.ForeignKey(
        Org, verbose_name=_("managing union"), on_delete=models.PROTECT, related_name="merchants"
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=MerchantCategory.choices)
    discount_terms = models.CharField(_("discount for members"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200)
    district = models.CharField(_("district"), max_length=40, blank=True)
    # WGS-84 degrees, as the browser's geolocation gives them; six places are about 0.1 m.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MerchantStatus.choices, default=MerchantStatus.ACTIVE
    )

    objects = MerchantQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "category"], name="merchant_status_cat_idx"),
            models.Index(fields=["latitude", "longitude"], name="merchant_position_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="merchant_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == MerchantStatus.ACTIVE


class MerchantPhotoQuerySet(ScopedQuerySet["MerchantPhoto"]):
    scope_fields = ("merchant__org__path",)


class MerchantPhoto(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="benefits/merchants/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MerchantPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant photo")
        verbose_name_plural = _("merchant photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class MerchantAccountQuerySet(ScopedQuerySet["MerchantAccount"]):
    scope_fields = ("merchant__org__path",)


class MerchantAccount(models.Model):
    """A sign-in for a merchant's till (`User.kind == merchant`): it can redeem vouchers at its
    merchant and do nothing else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_account"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="accounts")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MerchantAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant account")
        verbose_name_plural = _("merchant accounts")

    def __str__(self) -> str:
        return f"{self.merchant} / {self.user}"


# --------------------------------------------------------------------------------------------
# Campaigns
# --------------------------------------------------------------------------------------------


class CampaignMode(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Lottery")


class Delivery(models.TextChoices):
    VOUCHER = "voucher", _("Voucher redeemed at the named merchants")
    PICKUP = "pickup", _("Picked up at a union")
    SHIPPING = "shipping", _("Sent to a postal address")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    DRAWN = "drawn", _("Drawn")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignAction(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    DRAW = "draw", _("Draw the lottery")
    CANCEL = "cancel", _("Cancel")


CAMPAIGN_TRANSITIONS = TransitionTable(
    CampaignStatus,
    [
        Transition(
            CampaignAction.PUBLISH,
            frozenset({CampaignStatus.DRAFT}),
            CampaignStatus.PUBLISHED,
            Perm.BENEFITS_CHANGE,
            held_on="organiser",
        ),
        Transition(
            CampaignAction.DRAW,
            frozenset({CampaignStatus.PUBLISHED}),
            CampaignStatus.DRAWN,
            Perm.BENEFITS_CHANGE,
            held_on="organiser",
        ),
        Transition(
            CampaignAction.CANCEL,
            frozenset({CampaignStatus.DRAFT, CampaignStatus.PUBLISHED}),
            CampaignStatus.CANCELLED,
            Perm.BENEFITS_CHANGE,
            held_on="organiser",
        ),
    ],
)

MAX_PER_MEMBER_LIMIT = 10


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    def listed(self) -> CampaignQuerySet:
        """What members may see: published (or drawn) campaigns."""
        return self.filter(status__in=(CampaignStatus.PUBLISHED, CampaignStatus.DRAWN))


class Campaign(TimeStampedModel):
    """A giveaway (福利): items with a fixed stock, released in a window, claimed first come first
    served or drawn by lottery among the entries of the window."""

    org = models.ForeignKey(
        Org, verbose_name=_("organising union"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="benefits/campaigns/", blank=True)
    mode = models.CharField(_("allocation"), max_length=12, choices=CampaignMode.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    starts_at = models.DateTimeField(_("opens at"))
    ends_at = models.DateTimeField(_("closes at"))
    per_member_limit = models.PositiveSmallIntegerField(_("limit per member"), default=1)
    # Eligibility. Being an active real-name member of the eligible subtree is always required.
    eligible_org = models.ForeignKey(
        Org,
        verbose_name=_("for members of"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Members of this union and every union under it may take part."),
    )
    categories = models.JSONField(
        _("only for"),
        default=list,
        blank=True,
        help_text=_("Empty: every member. Otherwise members in at least one of these categories."),
    )
    joined_before = models.DateField(_("joined before"), null=True, blank=True)
    budget = MoneyField(_("budget"))
    # Vouchers and pick-ups
    voucher_expires_at = models.DateTimeField(_("vouchers valid until"), null=True, blank=True)
    merchants = models.ManyToManyField(
        Merchant, verbose_name=_("redeemable at"), blank=True, related_name="campaigns"
    )
    pickup_org = models.ForeignKey(
        Org,
        verbose_name=_("pick up at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pickup_note = models.CharField(_("where and when to pick up"), max_length=200, blank=True)
    # Lottery: the seed is made when the campaign is published and shown from then on; the draw
    # mixes it with the digest of the closed list of entries (see services/lottery.py).
    seed = models.CharField(_("lottery seed"), max_length=64, blank=True)
    entries_digest = models.CharField(_("entries digest"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "-starts_at"], name="campaign_status_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_window_valid"),
            models.CheckConstraint(
                condition=Q(per_member_limit__gte=1) & Q(per_member_limit__lte=MAX_PER_MEMBER_LIMIT),
                name="campaign_limit_valid",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def window_state(self, now: datetime | None = None) -> str:
        """ "upcoming", "open" or "ended", from the clock alone."""
        now = now or timezone.now()
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "ended"
        return "open"

    @property
    def is_lottery(self) -> bool:
        return self.mode == CampaignMode.LOTTERY

    @property
    def issues_vouchers(self) -> bool:
        return self.delivery in (Delivery.VOUCHER, Delivery.PICKUP)

    def available_actions(self) -> list[Transition[CampaignAction, CampaignStatus]]:
        actions = CAMPAIGN_TRANSITIONS.available(self.status)
        return [t for t in actions if t.action != CampaignAction.DRAW or self.is_lottery]


class CampaignHistory(TransitionRecord):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(
        _("from status"), max_length=32, choices=CampaignStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=32, choices=CampaignStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("campaign history")
        verbose_name_plural = _("campaign history")


class CampaignItemQuerySet(ScopedQuerySet["CampaignItem"]):
    scope_fields = ("campaign__org__path",)


class CampaignItem(models.Model):
    """One thing given away, with its stock: `remaining` only goes down by a conditional UPDATE."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=100)
    unit_cost = MoneyField(_("unit cost"))
    stock = models.PositiveIntegerField(_("stock"))
    remaining = models.PositiveIntegerField(_("remaining"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CampaignItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("stock")), name="campaign_item_stock_valid"
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="campaign_item_cost_valid"),
        ]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------------------------
# Claims, lottery entries, vouchers
# --------------------------------------------------------------------------------------------


class ClaimQuerySet(ScopedQuerySet["Claim"]):
    # A claim is seen by the campaign's organisers, and by the claimant's own union's officers.
    scope_fields = ("campaign__org__path", "org__path")


class Claim(models.Model):
    """One item given to one person: by first come first served, or by winning the draw."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="claims")
    item = models.ForeignKey(CampaignItem, on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    # The member's union when they claimed, for reports by org (members move; reports must not).
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    person_index = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    slot = models.PositiveSmallIntegerField(default=1)
    idempotency_key = models.CharField(max_length=64)
    # Shipping delivery only
    recipient = models.CharField(_("recipient"), max_length=60, blank=True)
    recipient_mobile = EncryptedTextField(_("recipient's mobile"), blank=True)
    shipping_address = EncryptedTextField(_("postal address"), blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("claimed at"), default=timezone.now)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person_index", "slot"], name="claim_one_per_slot"),
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="claim_idempotency_key"),
        ]
        indexes = [models.Index(fields=["campaign", "org"], name="claim_campaign_org_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.pk}"

    def audit_value(self, field: str) -> Any:
        if field in {"recipient_mobile", "shipping_address", "person_index"}:
            return "***" if getattr(self, field) else ""
        return getattr(self, field)


class EntryQuerySet(ScopedQuerySet["Entry"]):
    scope_fields = ("campaign__org__path", "org__path")


class Entry(models.Model):
    """A lottery entry. `code` is public (the published list of entries shows codes only) and is
    what the draw ranks, so anyone can re-compute the result."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(CampaignItem, on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    person_index = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("entry code"), max_length=16)
    idempotency_key = models.CharField(max_length=64)
    won = models.BooleanField(_("won"), null=True)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("lottery entry")
        verbose_name_plural = _("lottery entries")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person_index"], name="entry_one_per_person"),
            models.UniqueConstraint(fields=["campaign", "code"], name="entry_code_unique"),
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="entry_idempotency_key"),
        ]

    def __str__(self) -> str:
        return self.code


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Valid")
    REDEEMED = "redeemed", _("Used")
    # "Expired" is not stored: an issued voucher past `expires_at` is expired (no job needed).


class VoucherQuerySet(ScopedQuerySet["Voucher"]):
    scope_fields = ("campaign__org__path", "claim__org__path")

    def valid(self, now: datetime | None = None) -> VoucherQuerySet:
        return self.filter(status=VoucherStatus.ISSUED, expires_at__gt=now or timezone.now())

    def expired(self, now: datetime | None = None) -> VoucherQuerySet:
        return self.filter(status=VoucherStatus.ISSUED, expires_at__lte=now or timezone.now())

    def redeemed(self) -> VoucherQuerySet:
        return self.filter(status=VoucherStatus.REDEEMED)


class Voucher(models.Model):
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="voucher")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="vouchers")
    # 16 characters of Crockford base32: 80 random bits, typed in groups of four at a till.
    code = models.CharField(_("voucher code"), max_length=16, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    expires_at = models.DateTimeField(_("valid until"))
    redeemed_at = models.DateTimeField(_("used at"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redeemed_merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions"
    )
    redeemed_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = VoucherQuerySet.as_manager()

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        indexes = [models.Index(fields=["campaign", "status"], name="voucher_campaign_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=VoucherStatus.ISSUED, redeemed_at__isnull=True)
                | Q(status=VoucherStatus.REDEEMED, redeemed_at__isnull=False),
                name="voucher_redemption_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return " ".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    def state(self, now: datetime | None = None) -> str:
        """ "valid", "used" or "expired"."""
        if self.status == VoucherStatus.REDEEMED:
            return "used"
        return "valid" if self.expires_at > (now or timezone.now()) else "expired"

    def audit_value(self, field: str) -> Any:
        if field == "code":
            return self.code[:4] + "…"
        return getattr(self, field)


# --------------------------------------------------------------------------------------------
# Annual pledges (十件实事)
# --------------------------------------------------------------------------------------------


class PledgeQuerySet(ScopedQuerySet["Pledge"]):
    def published(self) -> PledgeQuerySet:
        return self.filter(is_published=True)


class Pledge(TimeStampedModel):
    """One of a federation's promised deliverables for a year, with a measurable target."""

    org = models.ForeignKey(
        Org, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="pledges"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    owner_org = models.ForeignKey(
        Org, verbose_name=_("responsible union"), on_delete=models.PROTECT, related_name="+"
    )
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    progress_value = models.DecimalField(_("progress"), max_digits=14, decimal_places=2, default=0)
    is_published = models.BooleanField(_("published"), default=False)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual pledge")
        verbose_name_plural = _("annual pledges")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "number"], name="pledge_number_unique"),
            models.CheckConstraint(condition=Q(target_value__gt=0), name="pledge_target_positive"),
            models.CheckConstraint(condition=Q(progress_value__gte=0), name="pledge_progress_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.number} {self.title}"

    @property
    def percent(self) -> int:
        """Progress as a whole percentage, capped at 100 (a target may be exceeded)."""
        return min(100, int(self.progress_value * 100 // self.target_value))


class PledgeUpdateQuerySet(ScopedQuerySet["PledgeUpdate"]):
    scope_fields = ("pledge__org__path",)


class PledgeUpdate(models.Model):
    """A progress report: the cumulative value reached by `reported_on`, and what was done."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates")
    reported_on = models.DateField(_("date"))
    value = models.DecimalField(_("reached so far"), max_digits=14, decimal_places=2)
    note = models.TextField(_("what was done"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PledgeUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge progress update")
        verbose_name_plural = _("pledge progress updates")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.pledge_id} {self.reported_on}"
