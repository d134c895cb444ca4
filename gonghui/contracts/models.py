"""Collective contracts (集体合同) and members' bargaining topics (集体协商议题征集).

A contract is registered by a union (`org`, which places it in the tree for scoping) and covers
workplaces through `ContractCoverage`: one workplace for a workplace contract, many for a
regional or industry one (区域性、行业性集体合同). Its status follows `TRANSITIONS` with a
`ContractHistory` row per step; a renewal is a new contract whose `previous` is the old one.

Two general contracts of one workplace must not be in force over overlapping terms. The rule
spans the coverage table and date ranges, which no portable constraint expresses, so
`services.contracts.bring_into_force` checks it with the workplaces' rows locked.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import PrivateDocument
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.members.models import Member
from gonghui.orgs.models import Industry, Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet


class ContractScope(models.TextChoices):
    WORKPLACE = "workplace", _("Single workplace")
    REGION = "region", _("Regional")
    INDUSTRY = "industry", _("Industry-wide")


class ContractKind(models.TextChoices):
    GENERAL = "general", _("General collective contract")
    WAGE = "wage", _("Wage agreement")
    FEMALE_WORKERS = "female_workers", _("Female workers' special contract")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class ContractAction(models.TextChoices):
    BRING_INTO_FORCE = "bring_into_force", _("Bring into force")
    TERMINATE = "terminate", _("Terminate early")
    EXPIRE = "expire", _("Expire at the end of the term")


class ReviewResult(models.TextChoices):
    NONE = "", _("No result yet")
    ACCEPTED = "accepted", _("No objection (accepted)")
    OBJECTIONS = "objections", _("Objections raised")


# Who takes which step. Expiry is taken by the daily command (the system), never on a page.
TRANSITIONS: TransitionTable[ContractAction, ContractStatus] = TransitionTable(
    ContractStatus,
    [
        Transition(
            ContractAction.BRING_INTO_FORCE,
            frozenset({ContractStatus.DRAFT}),
            ContractStatus.IN_FORCE,
            Perm.CONTRACTS_CHANGE,
            held_on="org",
        ),
        Transition(
            ContractAction.TERMINATE,
            frozenset({ContractStatus.IN_FORCE}),
            ContractStatus.TERMINATED,
            Perm.CONTRACTS_CHANGE,
            held_on="org",
        ),
        Transition(
            ContractAction.EXPIRE,
            frozenset({ContractStatus.IN_FORCE}),
            ContractStatus.EXPIRED,
            Perm.CONTRACTS_CHANGE,
            held_on="system",
        ),
    ],
)
# The actions an officer takes on the contract page (expiry is the command's).
OFFICER_ACTIONS = (ContractAction.BRING_INTO_FORCE, ContractAction.TERMINATE)


class ContractQuerySet(ScopedQuerySet["CollectiveContract"]):
    def in_force_on(self, day: date) -> ContractQuerySet:
        return self.filter(status=ContractStatus.IN_FORCE, term_start__lte=day, term_end__gte=day)


class CollectiveContract(models.Model):
    org = models.ForeignKey(
        Org,
        verbose_name=_("registering union"),
        on_delete=models.PROTECT,
        related_name="collective_contracts",
    )
    scope = models.CharField(_("scope"), max_length=12, choices=ContractScope.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=ContractKind.choices)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("registration number"), max_length=60, blank=True)
    signed_on = models.DateField(_("signed on"))
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    workers_covered = models.PositiveIntegerField(_("workers covered"))
    wage_increase = models.DecimalField(
        _("agreed wage increase (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    minimum_wage = models.DecimalField(
        _("minimum wage in the agreement (yuan a month)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    area_description = models.CharField(_("covered area or industry"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    employer_representative = models.CharField(_("employer representative"), max_length=120)
    union_representative = models.CharField(_("union representative"), max_length=120)
    filed_on = models.DateField(_("filed with the labour administration on"), null=True, blank=True)
    review_result = models.CharField(
        _("review result"), max_length=12, choices=ReviewResult.choices, blank=True, default=ReviewResult.NONE
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
    )
    # The day the expiry reminder is due (rule contracts.expiry_reminder from the term's end),
    # kept on the row so that the daily command and the "expiring" filter are index reads.
    reminder_due_on = models.DateField(_("expiry reminder due on"))
    reminded_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending early"), max_length=300, blank=True)
    workplaces: models.ManyToManyField[Workplace, ContractCoverage] = models.ManyToManyField(
        Workplace,
        through="ContractCoverage",
        related_name="collective_contracts",
        verbose_name=_("workplaces"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective contract")
        verbose_name_plural = _("collective contracts")
        ordering = ["-term_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="contract_term_order"
            ),
            models.CheckConstraint(
                condition=Q(kind="wage") | (Q(wage_increase__isnull=True) & Q(minimum_wage__isnull=True)),
                name="contract_wage_figures_only_for_wage",
            ),
            models.CheckConstraint(
                condition=Q(scope="workplace") | ~Q(area_description=""), name="contract_area_for_wide_scopes"
            ),
            models.CheckConstraint(
                condition=Q(scope="industry") | Q(industry=""), name="contract_industry_only_for_industry"
            ),
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="contract_number_unique_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reminder_due_on"], name="contract_status_reminder_idx"),
            models.Index(fields=["status", "term_end"], name="contract_status_end_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_wage(self) -> bool:
        return self.kind == ContractKind.WAGE


class ContractCoverage(models.Model):
    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="coverage")
    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="contract_coverage")

    class Meta:
        verbose_name = _("covered workplace")
        verbose_name_plural = _("covered workplaces")
        constraints = [
            models.UniqueConstraint(fields=["contract", "workplace"], name="contract_coverage_once"),
        ]
        indexes = [models.Index(fields=["workplace", "contract"], name="contract_coverage_wp_idx")]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.workplace_id}"


class TopicCategory(models.TextChoices):
    WAGES = "wages", _("Wages")
    HOURS = "hours", _("Working hours")
    LEAVE = "leave", _("Rest and leave")
    SAFETY = "safety", _("Safety and health")
    WELFARE = "welfare", _("Welfare and insurance")
    FEMALE_WORKERS = "female_workers", _("Female workers")
    OTHER = "other", _("Other")


class Clause(models.Model):
    """A key clause of a contract, as the officers summarise it."""

    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="clauses")
    position = models.PositiveSmallIntegerField(_("position"))
    topic = models.CharField(_("topic"), max_length=16, choices=TopicCategory.choices)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("key clause")
        verbose_name_plural = _("key clauses")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="clause_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.position}"


class ContractHistory(TransitionRecord):
    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(
        _("from status"), max_length=32, choices=ContractStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=32, choices=ContractStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("contract history entry")
        verbose_name_plural = _("contract history")


class ContractDocument(PrivateDocument):
    """The signed contract (PDF or photos), kept private under MEDIA_ROOT/contracts/, which
    gonghui.core.media never serves: downloads go through a view that checks who asks."""

    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to="contracts/")

    class Meta(PrivateDocument.Meta):
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the union's answer")
    ADOPTED = "adopted", _("Adopted for bargaining")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class BargainingTopicQuerySet(ScopedQuerySet["BargainingTopic"]):
    pass


class BargainingTopic(models.Model):
    """A member's proposal for their union's next bargaining round. `org` is the member's union
    when they proposed it: its officers answer, and only they see who proposed it."""

    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=TopicCategory.choices)
    text = models.TextField(_("proposal"))
    status = models.CharField(
        _("status"), max_length=12, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    reply = models.TextField(_("the union's answer"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    objects = BargainingTopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("bargaining topic")
        verbose_name_plural = _("bargaining topics")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", reply="") | (~Q(status="open") & ~Q(reply="")),
                name="topic_answer_with_status",
            ),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="topic_user_created_idx")]

    def __str__(self) -> str:
        # Audit rows keep this: an id, never the proposer.
        return f"#{self.pk}"
