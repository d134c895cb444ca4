"""Medical mutual aid (职工医疗互助保障): yearly plans and their versioned benefit rules.

A federation runs a `AidPlan` for a year: a coverage period, a contribution each union pays per
enrolled member, and for each claim type a `BenefitRule` (deductible, reimbursement rate bands,
per-claim and per-year caps, waiting period). Rules are data an administrator edits, and they are
append-only: a change is a new version row, so a claim can always be recomputed with the version
that was in force on its date of treatment (`services.plans.rule_in_force`), and the payout
engine (`payout.compute_payout`) never depends on what the rule says today.

Enrolment, claims and payments (docs/mutualaid-rules.md): an `Enrolment` per person and plan
(enrolled on — the start of the waiting period) written in `EnrolmentBatch`es; an `AidClaim`
with its invoice lines that keeps a foreign key to the exact `BenefitRule` version used and the
payout steps, and moves through `AID_CLAIM_TRANSITIONS`; `AidInvoice` rows whose unique index
refuses an invoice number claimed twice under a plan; and `PaymentBatch`es of approved claims.
The payouts of a person's other checked, approved or paid claims under a plan and claim type are
what the engine receives as `paid_this_year`.
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

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_NAME = 120
MAX_NOTE = 500
MAX_WAITING_DAYS = 366  # a waiting period longer than the yearly plan would never end


class ClaimType(models.TextChoices):
    INPATIENT = "inpatient", _("Inpatient")
    CHRONIC_OUTPATIENT = "chronic_outpatient", _("Chronic disease outpatient")
    CRITICAL_ILLNESS = "critical_illness", _("Critical illness")
    ACCIDENT = "accident", _("Accidental injury")


class AidPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("In force")
    CLOSED = "closed", _("Ended")


class AidPlanAction(models.TextChoices):
    CREATE = "create", _("Create the plan")  # recorded in the history, not a transition
    OPEN = "open", _("Open the plan")
    CLOSE = "close", _("Close the plan")


# `held_on="org"`: the federation running the plan (a grant on it or above).
AID_PLAN_TRANSITIONS = TransitionTable(
    AidPlanStatus,
    [
        Transition(
            AidPlanAction.OPEN,
            frozenset({AidPlanStatus.DRAFT}),
            AidPlanStatus.OPEN,
            Perm.MUTUALAID_MANAGE,
            held_on="org",
        ),
        Transition(
            AidPlanAction.CLOSE,
            frozenset({AidPlanStatus.OPEN}),
            AidPlanStatus.CLOSED,
            Perm.MUTUALAID_MANAGE,
            held_on="org",
        ),
    ],
)


class AidPlanQuerySet(ScopedQuerySet["AidPlan"]):
    scope_fields = ("org__path",)

    def open(self) -> AidPlanQuerySet:
        return self.filter(status=AidPlanStatus.OPEN)


class AidPlan(TimeStampedModel):
    """One federation's mutual aid plan for one year."""

    org = models.ForeignKey(
        Org,
        verbose_name=_("federation"),
        # Plans carry contributions and claims: the org is dissolved, never deleted under them.
        on_delete=models.PROTECT,
        related_name="aid_plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("plan name"), max_length=MAX_NAME)
    coverage_start = models.DateField(_("coverage starts"))
    coverage_end = models.DateField(_("coverage ends"))
    contribution_per_member = MoneyField(_("contribution per member"))
    # The share of approvals sampled for a second review (0 = none, 1 = all).
    second_review_rate = models.DecimalField(
        _("share of approvals sent to second review"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AidPlanStatus.choices, default=AidPlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AidPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("mutual aid plan")
        verbose_name_plural = _("mutual aid plans")
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "name"], name="mutualaid_plan_unique_name"),
            models.CheckConstraint(
                condition=Q(coverage_end__gte=F("coverage_start")), name="mutualaid_plan_coverage_order"
            ),
            models.CheckConstraint(
                condition=Q(contribution_per_member__gte=0), name="mutualaid_plan_contribution_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(second_review_rate__gte=0) & Q(second_review_rate__lte=1),
                name="mutualaid_plan_review_rate_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def covers(self, day: Any) -> bool:
        return bool(self.coverage_start <= day <= self.coverage_end)


class AidPlanHistory(TransitionRecord):
    plan = models.ForeignKey(
        AidPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("action"), max_length=10, choices=AidPlanAction.choices)
    from_status = models.CharField(_("from status"), max_length=10, choices=AidPlanStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=10, choices=AidPlanStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("plan history entry")
        verbose_name_plural = _("plan history")


class BenefitRuleQuerySet(ScopedQuerySet["BenefitRule"]):
    scope_fields = ("plan__org__path",)

    def for_claim_type(self, plan: AidPlan, claim_type: str) -> BenefitRuleQuerySet:
        return self.filter(plan=plan, claim_type=claim_type)


class BenefitRule(TimeStampedModel):
    """One version of what a plan pays for one claim type. Append-only: never updated.

    `bands` is a JSON list of {"up_to": "10000.00" | null, "rate": "0.50"}: reimbursement rates
    on the eligible amount *above the deductible*, ascending, the last band open-ended (null).
    Amounts and rates are strings so that no float ever touches them (`payout.parse_bands`).
    """

    plan = models.ForeignKey(AidPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="rules")
    claim_type = models.CharField(_("claim type"), max_length=24, choices=ClaimType.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    deductible = MoneyField(_("deductible"))
    per_claim_cap = MoneyField(_("limit per claim"))
    per_year_cap = MoneyField(_("limit per year"))
    waiting_days = models.PositiveSmallIntegerField(_("waiting period (days)"), default=0)
    bands = models.JSONField(_("reimbursement bands"))
    note = models.CharField(_("reason for this version"), max_length=MAX_NOTE, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BenefitRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("benefit rule")
        verbose_name_plural = _("benefit rules")
        ordering = ["plan", "claim_type", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "claim_type", "version"], name="mutualaid_rule_unique_version"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="mutualaid_rule_version_gte_1"),
            models.CheckConstraint(
                condition=Q(deductible__gte=0) & Q(per_claim_cap__gte=0) & Q(per_year_cap__gte=0),
                name="mutualaid_rule_amounts_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(per_claim_cap__lte=F("per_year_cap")),
                name="mutualaid_rule_claim_cap_lte_year_cap",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "claim_type", "effective_from"], name="mutualaid_rule_in_force_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_claim_type_display()} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(_("A benefit rule is never changed: add a new version instead."))
        super().save(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# Enrolment (参保): a union enrols its members in batches and records the payment.

MAX_REFERENCE = 64
MAX_REASON = 500
MAX_HOSPITAL = 120
MAX_INVOICE_NUMBER = 40


class EnrolmentBatchQuerySet(ScopedQuerySet["EnrolmentBatch"]):
    pass


class EnrolmentBatch(TimeStampedModel):
    """One enrolment run by a union (`org`): how many people, what it owes, and its payment."""

    plan = models.ForeignKey(
        AidPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="enrolment_batches"
    )
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(_("members enrolled"), default=0)
    total_contribution = MoneyField(_("contribution due"), default=Decimal("0.00"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=MAX_REFERENCE, blank=True)
    amount_paid = MoneyField(_("amount paid"), null=True, blank=True)
    payment_recorded_at = models.DateTimeField(_("payment recorded at"), null=True, blank=True)

    objects = EnrolmentBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment batch")
        verbose_name_plural = _("enrolment batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.count}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class EnrolmentQuerySet(ScopedQuerySet["Enrolment"]):
    def of_person(self, plan: AidPlan, person_index: str) -> EnrolmentQuerySet:
        return self.filter(plan=plan, person_index=person_index)


class Enrolment(TimeStampedModel):
    """A person covered by a plan. Unique per (plan, person): moving to another union keeps it."""

    plan = models.ForeignKey(
        AidPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="enrolments"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    person_index = models.CharField(max_length=64, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    enrolled_on = models.DateField(_("enrolled on"))
    contribution = MoneyField(_("contribution"))
    batch = models.ForeignKey(
        EnrolmentBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="enrolments"
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person_index"], name="mutualaid_enrolment_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.member_id}"


# ---------------------------------------------------------------------------------------------
# Claims (理赔)


class DiagnosisCategory(models.TextChoices):
    CANCER = "cancer", _("Cancer")
    CARDIOVASCULAR = "cardiovascular", _("Heart and blood vessels")
    CEREBROVASCULAR = "cerebrovascular", _("Stroke and brain blood vessels")
    RESPIRATORY = "respiratory", _("Lungs and airways")
    DIGESTIVE = "digestive", _("Digestive system")
    KIDNEY = "kidney", _("Kidneys and urinary tract")
    ENDOCRINE = "endocrine", _("Diabetes and other endocrine diseases")
    INJURY = "injury", _("Injury")
    OTHER = "other", _("Other")


class ClaimChannel(models.TextChoices):
    MEMBER = "member", _("By the member online")
    OFFICER = "officer", _("By an officer")


class AidClaimStatus(models.TextChoices):
    ENTERED = "entered", _("Entered")
    CHECKED = "checked", _("Checked")
    SECOND_REVIEW = "second_review", _("In second review")
    APPROVED = "approved", _("Approved, awaiting payment")
    REJECTED = "rejected", _("Rejected")
    IN_PAYMENT = "in_payment", _("In payment")
    PAID = "paid", _("Paid")


class AidClaimAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")  # the first history row, not a transition
    CHECK = "check", _("Check and compute the payout")
    REJECT_LINES = "reject_lines", _("Reject invoice lines")
    APPROVE = "approve", _("Approve")
    SEND_TO_REVIEW = "send_to_review", _("Send to second review")
    CONFIRM = "confirm", _("Confirm in second review")
    REJECT = "reject", _("Reject")
    ADD_TO_PAYMENT = "add_to_payment", _("Add to a payment batch")
    MARK_PAID = "mark_paid", _("Mark paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")


# Statuses whose payout counts against the year cap: reserved by a check, then approved, then
# paid. A rejected claim, or one not yet checked, reserves nothing.
CAP_STATUSES = frozenset(
    {
        AidClaimStatus.CHECKED,
        AidClaimStatus.SECOND_REVIEW,
        AidClaimStatus.APPROVED,
        AidClaimStatus.IN_PAYMENT,
        AidClaimStatus.PAID,
    }
)

_S = AidClaimStatus
_A = AidClaimAction
# `held_on="plan"`: the federation running the claim's plan (a grant on it or above).
AID_CLAIM_TRANSITIONS: TransitionTable[AidClaimAction, AidClaimStatus] = TransitionTable(
    AidClaimStatus,
    [
        Transition(_A.CHECK, frozenset({_S.ENTERED, _S.CHECKED}), _S.CHECKED, Perm.MUTUALAID_HANDLE, "plan"),
        Transition(_A.REJECT_LINES, frozenset({_S.CHECKED}), _S.CHECKED, Perm.MUTUALAID_HANDLE, "plan"),
        Transition(_A.APPROVE, frozenset({_S.CHECKED}), _S.APPROVED, Perm.MUTUALAID_HANDLE, "plan"),
        Transition(
            _A.SEND_TO_REVIEW, frozenset({_S.CHECKED}), _S.SECOND_REVIEW, Perm.MUTUALAID_HANDLE, "plan"
        ),
        Transition(_A.CONFIRM, frozenset({_S.SECOND_REVIEW}), _S.APPROVED, Perm.MUTUALAID_HANDLE, "plan"),
        Transition(
            _A.REJECT,
            frozenset({_S.ENTERED, _S.CHECKED, _S.SECOND_REVIEW}),
            _S.REJECTED,
            Perm.MUTUALAID_HANDLE,
            "plan",
        ),
        Transition(_A.ADD_TO_PAYMENT, frozenset({_S.APPROVED}), _S.IN_PAYMENT, Perm.MUTUALAID_HANDLE, "plan"),
        Transition(_A.MARK_PAID, frozenset({_S.IN_PAYMENT}), _S.PAID, Perm.MUTUALAID_HANDLE, "plan"),
        Transition(_A.PAYMENT_FAILED, frozenset({_S.IN_PAYMENT}), _S.APPROVED, Perm.MUTUALAID_HANDLE, "plan"),
    ],
)


class PaymentBatchStatus(models.TextChoices):
    OPEN = "open", _("Being prepared")
    EXPORTED = "exported", _("Transfer file exported")
    CLOSED = "closed", _("Closed")


class PaymentBatchQuerySet(ScopedQuerySet["PaymentBatch"]):
    scope_fields = ("plan__org__path",)


class PaymentBatch(TimeStampedModel):
    """Approved claims paid together by one bank transfer file."""

    plan = models.ForeignKey(
        AidPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="payment_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentBatchStatus.choices, default=PaymentBatchStatus.OPEN
    )
    count = models.PositiveIntegerField(_("claims"), default=0)
    total = MoneyField(_("total"), default=Decimal("0.00"))
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PaymentBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} · #{self.pk}"


# What only claim handlers and the claimant may read (gonghui.mutualaid.selectors decides who).
MEDICAL_FIELDS = frozenset({"hospital", "diagnosis_category", "admitted_on", "discharged_on"})


class AidClaimQuerySet(ScopedQuerySet["AidClaim"]):
    # The member's union at submission: a handler sees the claims of the unions below them.
    scope_fields = ("org__path",)

    def of_person(self, plan: AidPlan, person_index: str) -> AidClaimQuerySet:
        return self.filter(plan=plan, person_index=person_index)


class AidClaim(TimeStampedModel):
    """One claim for one treatment: its invoice lines, the rule version used and the payout."""

    plan = models.ForeignKey(AidPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="claims")
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="claims"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    person_index = models.CharField(max_length=64, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    claim_type = models.CharField(_("claim type"), max_length=24, choices=ClaimType.choices)
    hospital = models.CharField(_("hospital"), max_length=MAX_HOSPITAL)
    diagnosis_category = models.CharField(_("diagnosis"), max_length=20, choices=DiagnosisCategory.choices)
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    # The date the rule version in force is chosen by (the admission day for a hospital stay).
    treated_on = models.DateField(_("date of treatment"))
    bank_account_name = EncryptedTextField(_("account holder"))
    bank_account_number = EncryptedTextField(_("bank account number"))
    channel = models.CharField(_("submitted"), max_length=10, choices=ClaimChannel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AidClaimStatus.choices, default=AidClaimStatus.ENTERED
    )
    rule = models.ForeignKey(
        BenefitRule,
        verbose_name=_("rule version used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    payout = MoneyField(_("payout"), null=True, blank=True)
    payout_steps = models.JSONField(_("how the payout was computed"), default=list, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=MAX_REASON, blank=True)
    second_review = models.BooleanField(_("sampled for second review"), default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    payment_batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    objects = AidClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("mutual aid claim")
        verbose_name_plural = _("mutual aid claims")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["plan", "person_index", "claim_type", "status"], name="mutualaid_claim_person_idx"
            ),
            models.Index(fields=["plan", "status"], name="mutualaid_claim_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(payout__isnull=True) | Q(payout__gte=0), name="mutualaid_claim_payout_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number people quote: plan year and id (2027-0000042)."""
        return f"{self.plan.year}-{self.pk or 0:07d}"

    @property
    def masked_account_number(self) -> str:
        number = self.bank_account_number or ""
        return f"{'*' * max(len(number) - 4, 0)}{number[-4:]}"

    @property
    def masked_account_name(self) -> str:
        return mask_name(self.bank_account_name or "")

    def audit_value(self, field: str) -> Any:
        # The audit log is read by auditors, who may not see medical details: it records that
        # they were given, not what they are (the claim itself shows them to handlers).
        if field in MEDICAL_FIELDS:
            return "***" if getattr(self, field) else None
        masked = {
            "bank_account_number": self.masked_account_number,
            "bank_account_name": self.masked_account_name,
        }
        return masked.get(field, getattr(self, field))


class LineStatus(models.TextChoices):
    APPROVED = "approved", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class AidClaimLine(models.Model):
    """One invoice line. A rejected line counts as entirely excluded in the payout."""

    claim = models.ForeignKey(
        AidClaim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("line"))
    invoice_number = models.CharField(_("invoice number"), max_length=MAX_INVOICE_NUMBER)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = MoneyField(_("amount"))
    excluded = MoneyField(_("self-paid or not covered"), default=Decimal("0.00"))
    line_status = models.CharField(
        _("line status"), max_length=10, choices=LineStatus.choices, default=LineStatus.APPROVED
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=MAX_REASON, blank=True)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["claim", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "position"], name="mutualaid_line_unique_position"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(excluded__gte=0) & Q(excluded__lte=F("amount")),
                name="mutualaid_line_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} {self.amount}"


class AidInvoice(models.Model):
    """An invoice number claimed under a plan: the unique index is what refuses a duplicate,
    also between two claims submitted at the same moment. The rows of a rejected claim are
    deleted, which frees its numbers."""

    plan = models.ForeignKey(AidPlan, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("invoice number"), max_length=MAX_INVOICE_NUMBER)
    claim = models.ForeignKey(AidClaim, on_delete=models.CASCADE, related_name="invoices")

    class Meta:
        verbose_name = _("invoice number in use")
        verbose_name_plural = _("invoice numbers in use")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="mutualaid_invoice_once_per_plan"),
        ]

    def __str__(self) -> str:
        return self.number


class AidClaimHistory(TransitionRecord):
    claim = models.ForeignKey(
        AidClaim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("action"), max_length=16, choices=AidClaimAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=32, choices=AidClaimStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=32, choices=AidClaimStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("claim history entry")
        verbose_name_plural = _("claim history")


class AidClaimAttachment(PrivateDocument):
    """A photo or PDF of a document. Private: under MEDIA_ROOT/mutualaid/claims/, which is never
    served publicly (gonghui.core.media serves only its public sections)."""

    claim = models.ForeignKey(
        AidClaim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="mutualaid/claims/")

    class Meta(PrivateDocument.Meta):
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
