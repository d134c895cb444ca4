"""Medical mutual aid (职工医疗互助保障): yearly plans and their versioned benefit rules.

A federation runs a `AidPlan` for a year: a coverage period, a contribution each union pays per
enrolled member, and for each claim type a `BenefitRule` (deductible, reimbursement rate bands,
per-claim and per-year caps, waiting period). Rules are data an administrator edits, and they are
append-only: a change is a new version row, so a claim can always be recomputed with the version
that was in force on its date of treatment (`services.plans.rule_in_force`), and the payout
engine (`payout.compute_payout`) never depends on what the rule says today.

What later slices add on top (docs/mutualaid-rules.md): an `Enrolment` (plan, member, enrolled
on — the start of the waiting period), an `AidClaim` with its invoice lines that keeps a foreign
key to the exact `BenefitRule` version used and the payout steps, and payment batches. The
amount already paid to a member under a plan and claim type is what the engine receives as
`paid_this_year`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import Conflict
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
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
