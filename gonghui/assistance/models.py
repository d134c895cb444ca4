"""Assistance for workers in hardship (困难职工帮扶): hardship files, funds with an append-only
ledger, grants, and the seasonal care campaigns (docs/assistance.md).

- `HardshipFile` (困难档案): a member's application with the household (`HouseholdMember`, each
  with an ID number and a monthly income), the causes and documents; the per-capita income is
  compared with the `IncomeThreshold` of the union's nearest federation for the year. Review
  assigns a grade (severe / relative / accident-caused) or rejects with an opinion; a file on
  record is re-checked yearly (`HardshipRecheck`) and leaves the record by an exit. A family is
  not on file twice: every person of a household is a row whose blind index is unique among the
  files that are applied for or on record (a partial unique index, so the database refuses it).
- `Fund` (帮困基金): money held by a federation or a workplace union. Its `balance` column moves
  only together with an append-only `FundEntry` (balance = the sum of the entries, each entry
  records the balance after it), by a conditional UPDATE guarded by CHECK (balance >= 0): a grant
  can never take a fund below zero, whatever runs at the same time.
- `Grant`: money from a fund to a member (and their file), proposed by the member's union and
  approved by the fund's keeper; a reversal is a new entry, never an edit.
- `CareCampaign` (送温暖 / 夏送清凉 / 金秋助学 / 春送岗位): beneficiaries picked by rule into a
  list officers adjust (`CareBeneficiary`, unique per campaign and person), with a budget; the
  autumn education campaign takes `EducationApplication`s with the child's school and documents.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import Conflict
from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import PrivateDocument, TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.text import mask_name
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

MAX_NAME = 120
MAX_REASON = 500
MAX_SCHOOL = 120
ZERO = Decimal("0.00")


class AppendOnly(models.Model):
    """Rows that are written once: a correction is a new row (DESIGN.md, ledgers)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(_("A ledger entry is never changed: record a correcting entry instead."))
        super().save(*args, **kwargs)


class IncomeThresholdQuerySet(ScopedQuerySet["IncomeThreshold"]):
    pass


class IncomeThreshold(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_per_capita = MoneyField(_("monthly income per person"))
    note = models.CharField(_("basis"), max_length=MAX_REASON, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = IncomeThresholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("income threshold")
        verbose_name_plural = _("income thresholds")
        ordering = ["-year", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="assistance_threshold_once_per_year"),
            models.CheckConstraint(condition=Q(monthly_per_capita__gt=0), name="assistance_threshold_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.year}: {self.monthly_per_capita}"


# ---------------------------------------------------------------------------------------------
# Hardship files (困难档案)


class HardshipGrade(models.TextChoices):
    SEVERE = "severe", _("Severe hardship")
    RELATIVE = "relative", _("Relative hardship")
    ACCIDENTAL = "accidental", _("Hardship caused by an accident")


class HardshipCause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    ACCIDENT = "accident", _("Accident")
    EDUCATION = "education", _("Children's education")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    DISASTER = "disaster", _("Natural disaster")
    LOW_INCOME = "low_income", _("Low income")
    OTHER = "other", _("Other")


class HardshipFileStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, under review")
    ON_FILE = "on_file", _("On record")
    REJECTED = "rejected", _("Not accepted")
    EXITED = "exited", _("Left the record")


class HardshipFileAction(models.TextChoices):
    APPLY = "apply", _("Apply")  # the first history row, not a transition
    APPROVE = "approve", _("Accept and grade")
    REJECT = "reject", _("Do not accept")
    RECHECK = "recheck", _("Yearly re-check")
    EXIT = "exit", _("Leave the record")


# Files whose people count as "on file" for the one-file-per-family rule.
ACTIVE_FILE_STATUSES = frozenset({HardshipFileStatus.APPLIED, HardshipFileStatus.ON_FILE})

# `held_on="org"`: the file's union (a grant on it or above).
HARDSHIP_FILE_TRANSITIONS: TransitionTable[HardshipFileAction, HardshipFileStatus] = TransitionTable(
    HardshipFileStatus,
    [
        Transition(
            HardshipFileAction.APPROVE,
            frozenset({HardshipFileStatus.APPLIED}),
            HardshipFileStatus.ON_FILE,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
        Transition(
            HardshipFileAction.REJECT,
            frozenset({HardshipFileStatus.APPLIED}),
            HardshipFileStatus.REJECTED,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
        Transition(
            HardshipFileAction.RECHECK,
            frozenset({HardshipFileStatus.ON_FILE}),
            HardshipFileStatus.ON_FILE,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
        Transition(
            HardshipFileAction.EXIT,
            frozenset({HardshipFileStatus.ON_FILE}),
            HardshipFileStatus.EXITED,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
    ],
)


class Channel(models.TextChoices):
    MEMBER = "member", _("By the member online")
    OFFICER = "officer", _("By an officer")


class HardshipFileQuerySet(ScopedQuerySet["HardshipFile"]):
    def active(self) -> HardshipFileQuerySet:
        return self.filter(status__in=ACTIVE_FILE_STATUSES)


class HardshipFile(TimeStampedModel):
    """One household's hardship file, applied for by (or for) a member."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    person_index = models.CharField(max_length=64, editable=False)
    # The member's union at application: the officers of it and above handle the file.
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=HardshipFileStatus.choices, default=HardshipFileStatus.APPLIED
    )
    grade = models.CharField(_("grade"), max_length=12, choices=HardshipGrade.choices, blank=True)
    situation = models.TextField(_("the household's situation"), max_length=2000)
    other_monthly_income = MoneyField(_("other monthly household income"), default=ZERO)
    household_size = models.PositiveSmallIntegerField(_("household size"))
    household_monthly_income = MoneyField(_("monthly household income"))
    per_capita_income = MoneyField(_("monthly income per person"))
    # The threshold compared with at application (or the last re-check), kept as it was then.
    threshold = MoneyField(_("income threshold"), null=True, blank=True)
    threshold_org = models.ForeignKey(
        Org,
        verbose_name=_("threshold set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("submitted"), max_length=10, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opinion = models.CharField(_("review opinion"), max_length=MAX_REASON, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    last_checked_on = models.DateField(_("last checked on"), null=True, blank=True)
    recheck_due = models.DateField(_("re-check due"), null=True, blank=True)
    exited_on = models.DateField(_("left the record on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for leaving"), max_length=MAX_REASON, blank=True)

    objects = HardshipFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "status"], name="assistance_file_org_status_idx"),
            models.Index(fields=["status", "recheck_due"], name="assistance_file_recheck_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["on_file", "exited"]) | Q(grade=""),
                name="assistance_file_grade_only_on_record",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["on_file", "exited"]) | ~Q(grade=""),
                name="assistance_file_on_record_has_grade",
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1), name="assistance_file_household_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"KN{self.year}-{self.pk or 0:06d}"

    @property
    def below_threshold(self) -> bool | None:
        return None if self.threshold is None else self.per_capita_income < self.threshold


class HardshipFileCause(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="causes")
    cause = models.CharField(_("cause"), max_length=16, choices=HardshipCause.choices)

    class Meta:
        verbose_name = _("cause of hardship")
        verbose_name_plural = _("causes of hardship")
        constraints = [models.UniqueConstraint(fields=["file", "cause"], name="assistance_cause_once")]

    def __str__(self) -> str:
        return self.get_cause_display()


class Relation(models.TextChoices):
    SELF = "self", _("The member")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other relative")


class Occupation(models.TextChoices):
    EMPLOYED = "employed", _("In work")
    UNEMPLOYED = "unemployed", _("Out of work")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("In school")
    PRESCHOOL = "preschool", _("Young child")
    UNABLE = "unable", _("Unable to work (illness or disability)")
    OTHER = "other", _("Other")


class HouseholdMember(models.Model):
    """A person of the household; the member themselves is the row with relation "self"."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    position = models.PositiveSmallIntegerField(_("line"))
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedTextField(_("ID number"))
    person_index = models.CharField(max_length=64, editable=False)
    occupation = models.CharField(_("occupation"), max_length=12, choices=Occupation.choices)
    monthly_income = MoneyField(_("monthly income"), default=ZERO)
    health = models.CharField(_("illness or disability"), max_length=200, blank=True)
    # True while the file is applied for or on record: the unique index below holds the rule
    # "a family is not on file twice"; the services clear it when a file is rejected or exited.
    active = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["file", "position"]
        constraints = [
            models.UniqueConstraint(fields=["file", "position"], name="assistance_household_position"),
            models.UniqueConstraint(
                fields=["person_index"], condition=Q(active=True), name="assistance_person_on_one_file"
            ),
            models.CheckConstraint(
                condition=Q(monthly_income__gte=0), name="assistance_household_income_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return mask_name(self.name)


class HardshipDocument(PrivateDocument):
    hardship_file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to="assistance/")

    class Meta(PrivateDocument.Meta):
        verbose_name = _("hardship file document")
        verbose_name_plural = _("hardship file documents")


class HardshipFileHistory(TransitionRecord):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=10, choices=HardshipFileAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=32, choices=HardshipFileStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=32, choices=HardshipFileStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("hardship file history entry")
        verbose_name_plural = _("hardship file history")


class RecheckResult(models.TextChoices):
    KEEP = "keep", _("Stays on record, same grade")
    REGRADE = "regrade", _("Stays on record, new grade")
    EXIT = "exit", _("Leaves the record")


class HardshipRecheck(AppendOnly):
    """One yearly re-check: what was found, and the grade before and after."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="rechecks")
    checked_on = models.DateField(_("checked on"))
    result = models.CharField(_("result"), max_length=8, choices=RecheckResult.choices)
    grade_before = models.CharField(_("grade before"), max_length=12, choices=HardshipGrade.choices)
    grade_after = models.CharField(_("grade after"), max_length=12, choices=HardshipGrade.choices, blank=True)
    per_capita_income = MoneyField(_("monthly income per person"))
    opinion = models.CharField(_("opinion"), max_length=MAX_REASON)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")
        ordering = ["file", "checked_on", "id"]

    def __str__(self) -> str:
        return f"{self.file} {self.checked_on}"


# ---------------------------------------------------------------------------------------------
# Funds (帮困基金) and their ledger


class FundKind(models.TextChoices):
    FEDERATION = "federation", _("Federation hardship fund")
    WORKPLACE = "workplace", _("Workplace assistance fund")


class FundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class FundQuerySet(ScopedQuerySet["Fund"]):
    def open(self) -> FundQuerySet:
        return self.filter(status=FundStatus.OPEN)


class Fund(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("fund name"), max_length=MAX_NAME)
    kind = models.CharField(_("kind"), max_length=12, choices=FundKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=FundStatus.choices, default=FundStatus.OPEN)
    # Moved only with a FundEntry, by a conditional UPDATE (services/funds.py); the CHECK is the
    # last line of defence against an overdraw.
    balance = MoneyField(_("balance"), default=ZERO, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["org__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="assistance_fund_unique_name"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="assistance_fund_balance_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("Money in")
    GRANT = "grant", _("Grant paid")
    REVERSAL = "reversal", _("Grant reversed")
    CORRECTION = "correction", _("Correction")


class FundEntryQuerySet(ScopedQuerySet["FundEntry"]):
    scope_fields = ("fund__org__path",)


class FundEntry(AppendOnly):
    """One movement of a fund: positive in, negative out, with the balance after it."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    amount = MoneyField(_("amount"))
    balance_after = MoneyField(_("balance after"))
    grant = models.ForeignKey(
        "Grant",
        verbose_name=_("grant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    # Where money came from (a budget allocation, a donor) or why a correction was made.
    memo = models.CharField(_("memo"), max_length=MAX_REASON)
    booked_on = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        ordering = ["fund", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="assistance_entry_amount_not_0"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="assistance_entry_balance_gte_0"),
            models.CheckConstraint(
                condition=(Q(kind="deposit") & Q(amount__gt=0))
                | (Q(kind="grant") & Q(amount__lt=0))
                | (Q(kind="reversal") & Q(amount__gt=0))
                | Q(kind="correction"),
                name="assistance_entry_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.amount}"


# ---------------------------------------------------------------------------------------------
# Grants


class GrantPurpose(models.TextChoices):
    LIVING = "living", _("Living costs")
    MEDICAL = "medical", _("Medical costs")
    EDUCATION = "education", _("Education")
    ACCIDENT = "accident", _("Accident relief")
    SEASONAL = "seasonal", _("Seasonal care campaign")
    OTHER = "other", _("Other")


class GrantStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and paid from the fund")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed")


class GrantAction(models.TextChoices):
    PROPOSE = "propose", _("Propose")  # the first history row, not a transition
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REVERSE = "reverse", _("Reverse")


# `held_on="fund"`: the org holding the fund decides; `propose` needs ASSISTANCE_HANDLE on the
# recipient's union (checked by the service).
GRANT_TRANSITIONS: TransitionTable[GrantAction, GrantStatus] = TransitionTable(
    GrantStatus,
    [
        Transition(
            GrantAction.APPROVE,
            frozenset({GrantStatus.PROPOSED}),
            GrantStatus.APPROVED,
            Perm.ASSISTANCE_FUNDS,
            "fund",
        ),
        Transition(
            GrantAction.REJECT,
            frozenset({GrantStatus.PROPOSED}),
            GrantStatus.REJECTED,
            Perm.ASSISTANCE_FUNDS,
            "fund",
        ),
        Transition(
            GrantAction.REVERSE,
            frozenset({GrantStatus.APPROVED}),
            GrantStatus.REVERSED,
            Perm.ASSISTANCE_FUNDS,
            "fund",
        ),
    ],
)


class GrantQuerySet(ScopedQuerySet["Grant"]):
    # The recipient's union and the fund's keeper both see a grant.
    scope_fields = ("org__path", "fund__org__path")


class Grant(TimeStampedModel):
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="grants")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    person_index = models.CharField(max_length=64, editable=False)
    org = models.ForeignKey(
        Org, verbose_name=_("recipient's union"), on_delete=models.PROTECT, related_name="+"
    )
    hardship_file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("hardship file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    campaign = models.ForeignKey(
        "CareCampaign",
        verbose_name=_("care campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=GrantPurpose.choices)
    amount = MoneyField(_("amount"))
    reason = models.CharField(_("grounds"), max_length=MAX_REASON)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PROPOSED
    )
    decision_reason = models.CharField(_("decision note"), max_length=MAX_REASON, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["fund", "status"], name="assistance_grant_fund_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="assistance_grant_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.fund} → {mask_name(self.member.name)} {self.amount}"


class GrantHistory(TransitionRecord):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=10, choices=GrantAction.choices)
    from_status = models.CharField(_("from status"), max_length=32, choices=GrantStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, choices=GrantStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("grant history entry")
        verbose_name_plural = _("grant history")


# ---------------------------------------------------------------------------------------------
# Seasonal care campaigns


class Season(models.TextChoices):
    WINTER_WARMTH = "winter_warmth", _("Winter warmth (送温暖)")
    SUMMER_COOLING = "summer_cooling", _("Summer cooling (夏送清凉)")
    AUTUMN_EDUCATION = "autumn_education", _("Autumn education grants (金秋助学)")
    SPRING_JOBS = "spring_jobs", _("Spring jobs (春送岗位)")


class CareCampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LISTING = "listing", _("List being prepared")
    CONFIRMED = "confirmed", _("List confirmed")
    CLOSED = "closed", _("Closed")


class CareCampaignAction(models.TextChoices):
    CREATE = "create", _("Create")  # the first history row, not a transition
    BUILD_LIST = "build_list", _("Build the list by the rules")
    CONFIRM = "confirm", _("Confirm the list")
    REOPEN = "reopen", _("Reopen the list")
    CLOSE = "close", _("Close")


# `held_on="org"`: the org running the campaign.
CARE_CAMPAIGN_TRANSITIONS: TransitionTable[CareCampaignAction, CareCampaignStatus] = TransitionTable(
    CareCampaignStatus,
    [
        Transition(
            CareCampaignAction.BUILD_LIST,
            frozenset({CareCampaignStatus.DRAFT, CareCampaignStatus.LISTING}),
            CareCampaignStatus.LISTING,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
        Transition(
            CareCampaignAction.CONFIRM,
            frozenset({CareCampaignStatus.LISTING}),
            CareCampaignStatus.CONFIRMED,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
        Transition(
            CareCampaignAction.REOPEN,
            frozenset({CareCampaignStatus.CONFIRMED}),
            CareCampaignStatus.LISTING,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
        Transition(
            CareCampaignAction.CLOSE,
            frozenset({CareCampaignStatus.CONFIRMED}),
            CareCampaignStatus.CLOSED,
            Perm.ASSISTANCE_HANDLE,
            "org",
        ),
    ],
)


class CareCampaignQuerySet(ScopedQuerySet["CareCampaign"]):
    pass


class CareCampaign(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    season = models.CharField(_("season"), max_length=20, choices=Season.choices)
    title = models.CharField(_("title"), max_length=MAX_NAME)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    budget = MoneyField(_("budget"))
    amount_per_person = MoneyField(_("amount per person"))
    # Paid from this fund when the list is confirmed (one grant per beneficiary); none: goods or
    # services given outside the funds (the list still counts them against the budget).
    fund = models.ForeignKey(
        Fund, verbose_name=_("paid from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The rules that pick beneficiaries: members of `eligible_org`'s subtree who are on record
    # with one of `grades` (empty: with a file or without) and in one of `categories` (empty: any).
    eligible_org = models.ForeignKey(
        Org, verbose_name=_("for members of"), on_delete=models.PROTECT, related_name="+"
    )
    grades = models.JSONField(_("hardship grades"), default=list, blank=True)
    categories = models.JSONField(_("member categories"), default=list, blank=True)
    applications_from = models.DateField(_("applications from"), null=True, blank=True)
    applications_until = models.DateField(_("applications until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CareCampaignStatus.choices, default=CareCampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CareCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("care campaign")
        verbose_name_plural = _("care campaigns")
        ordering = ["-year", "season", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(amount_per_person__gte=0),
                name="assistance_campaign_money_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(applications_from__isnull=True)
                | Q(applications_until__isnull=True)
                | Q(applications_until__gte=F("applications_from")),
                name="assistance_campaign_application_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def takes_applications(self) -> bool:
        return self.season == Season.AUTUMN_EDUCATION


class CareCampaignHistory(TransitionRecord):
    campaign = models.ForeignKey(CareCampaign, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=12, choices=CareCampaignAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=32, choices=CareCampaignStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=32, choices=CareCampaignStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("campaign history entry")
        verbose_name_plural = _("campaign history")


class BeneficiarySource(models.TextChoices):
    RULE = "rule", _("Picked by the rules")
    OFFICER = "officer", _("Added by an officer")
    APPLICATION = "application", _("By application")


class CareBeneficiaryQuerySet(ScopedQuerySet["CareBeneficiary"]):
    # The beneficiary's union adjusts its part of the list; the campaign's org sees it all.
    scope_fields = ("org__path", "campaign__org__path")


class CareBeneficiary(TimeStampedModel):
    campaign = models.ForeignKey(
        CareCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="beneficiaries"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    person_index = models.CharField(max_length=64, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    hardship_file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("hardship file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amount = MoneyField(_("amount"))
    source = models.CharField(_("source"), max_length=12, choices=BeneficiarySource.choices)
    note = models.CharField(_("note"), max_length=MAX_REASON, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grant = models.OneToOneField(
        Grant,
        verbose_name=_("grant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="beneficiary",
    )

    objects = CareBeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["campaign", "org__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person_index"], name="assistance_beneficiary_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="assistance_beneficiary_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {mask_name(self.member.name)}"


class CareExclusion(models.Model):
    """A person an officer took off a campaign's list: building the list again by the rules
    leaves them off; adding them by hand (or approving their application) removes this row."""

    campaign = models.ForeignKey(CareCampaign, on_delete=models.CASCADE, related_name="exclusions")
    person_index = models.CharField(max_length=64, editable=False)
    reason = models.CharField(_("reason"), max_length=MAX_REASON)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("removed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person taken off a list")
        verbose_name_plural = _("people taken off lists")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person_index"], name="assistance_exclusion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.person_index[:8]}"


class SchoolLevel(models.TextChoices):
    UNDERGRADUATE = "undergraduate", _("University (bachelor)")
    JUNIOR_COLLEGE = "junior_college", _("College (associate degree)")
    VOCATIONAL = "vocational", _("Vocational school")
    HIGH_SCHOOL = "high_school", _("Senior high school")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class EducationApplicationQuerySet(ScopedQuerySet["EducationApplication"]):
    scope_fields = ("org__path", "campaign__org__path")


class EducationApplication(TimeStampedModel):
    """金秋助学: a member applies for a child admitted to school; approval adds a beneficiary."""

    campaign = models.ForeignKey(
        CareCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="applications"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    person_index = models.CharField(max_length=64, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    child_name = models.CharField(_("child's name"), max_length=60)
    child_id_number = EncryptedTextField(_("child's ID number"))
    child_index = models.CharField(max_length=64, editable=False)
    school = models.CharField(_("school"), max_length=MAX_SCHOOL)
    level = models.CharField(_("level"), max_length=16, choices=SchoolLevel.choices)
    admission_year = models.PositiveSmallIntegerField(_("year of admission"))
    channel = models.CharField(_("submitted"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    decision_reason = models.CharField(_("reason"), max_length=MAX_REASON, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = EducationApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("education grant application")
        verbose_name_plural = _("education grant applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "child_index"], name="assistance_application_once_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {mask_name(self.child_name)}"


class EducationDocument(PrivateDocument):
    application = models.ForeignKey(EducationApplication, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to="assistance/")

    class Meta(PrivateDocument.Meta):
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
