"""Founding unions (建会): notices to workplaces without a union, and founding applications.

A founding notice (告知书) is a numbered letter from a union org to a workplace that has no union,
citing the law; its text is fixed when it is issued, so the PDF printed later is the one sent.
A founding application goes submitted → under review → approved / rejected → union created; the
transition table below is the only place that says which step may follow which, and who decides.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import JointUnionArea, Org, OrgKind, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet, path_filter, scope_paths

# --------------------------------------------------------------------------------------------
# Founding notices
# --------------------------------------------------------------------------------------------


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    DELIVERED = "delivered", _("Delivered")


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed over in person")
    REGISTERED_MAIL = "registered_mail", _("Registered mail")
    EMAIL = "email", _("E-mail")


class FoundingNoticeQuerySet(ScopedQuerySet["FoundingNotice"]):
    # The issuer's officers, and those of the area the workplace lies in, follow the notice up.
    scope_fields = ("issuing_org__path", "workplace__jurisdiction__path")


class FoundingNotice(TimeStampedModel):
    workplace = models.ForeignKey(
        Workplace, verbose_name=_("workplace"), on_delete=models.PROTECT, related_name="founding_notices"
    )
    issuing_org = models.ForeignKey(
        Org, verbose_name=_("issued by organisation"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number in the year"))
    number = models.CharField(_("notice number"), max_length=80, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the letter says, fixed at issue: a reprint must be the letter that was sent, even after
    # the workplace or the issuer is renamed.
    issuer_name = models.CharField(_("issuer name"), max_length=120)
    workplace_name = models.CharField(_("workplace name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    employee_count = models.PositiveIntegerField(_("number of employees"))
    legal_basis = models.TextField(_("legal basis"))
    response_deadline = models.DateField(_("respond by"))
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivery_method = models.CharField(
        _("delivery method"), max_length=16, choices=DeliveryMethod.choices, blank=True
    )
    recipient_name = models.CharField(_("received by"), max_length=40, blank=True)

    objects = FoundingNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("founding notice")
        verbose_name_plural = _("founding notices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_org", "year", "sequence"], name="founding_notice_number_per_year"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="issued", delivered_on__isnull=True, delivery_method="")
                    | (
                        models.Q(status="delivered", delivered_on__isnull=False)
                        & ~models.Q(delivery_method="")
                        & ~models.Q(recipient_name="")
                    )
                ),
                name="founding_notice_delivery_complete",
            ),
        ]
        indexes = [models.Index(fields=["workplace", "-issued_at"], name="founding_notice_workplace_idx")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("console:founding:notice_detail", kwargs={"pk": self.pk})

    @property
    def is_delivered(self) -> bool:
        return self.status == NoticeStatus.DELIVERED


# --------------------------------------------------------------------------------------------
# Founding applications
# --------------------------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    UNION_CREATED = "union_created", _("Union created")


# While an application is in one of these states the workplace may not have a second one.
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.APPROVED)
# States in which the approving org still has to decide.
AWAITING_DECISION = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


class UnionKind(models.TextChoices):
    GRASSROOTS = "grassroots", _("Grassroots union of the workplace")
    JOINT = "joint_union", _("Joint union")

    @property
    def org_kind(self) -> OrgKind:
        return OrgKind.GRASSROOTS if self is UnionKind.GRASSROOTS else OrgKind.JOINT_UNION


class Initiator(models.TextChoices):
    WORKPLACE = "workplace", _("The workplace applied")
    TOWNSHIP_FEDERATION = "township_federation", _("Started by the township federation")


class ApplicationAction(models.TextChoices):
    REVIEW = "review", _("Start the review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    CREATE_UNION = "create_union", _("Create the union")


# Who decides a step: officers holding the transition's `perm` on the application's approving org
# or on its parent (through a grant on it or above); see services._authority_org.
APPROVING_ORG, PARENT = "approving_org", "parent"

# The workflow, in one place. Creating an application puts it in SUBMITTED (see the services).
TRANSITIONS = TransitionTable(
    ApplicationStatus,
    [
        Transition(
            ApplicationAction.REVIEW,
            frozenset({ApplicationStatus.SUBMITTED}),
            ApplicationStatus.UNDER_REVIEW,
            Perm.FOUNDING_APPROVE,
            APPROVING_ORG,
        ),
        Transition(
            ApplicationAction.APPROVE,
            frozenset({ApplicationStatus.UNDER_REVIEW}),
            ApplicationStatus.APPROVED,
            Perm.FOUNDING_APPROVE,
            APPROVING_ORG,
        ),
        Transition(
            ApplicationAction.REJECT,
            frozenset({ApplicationStatus.UNDER_REVIEW}),
            ApplicationStatus.REJECTED,
            Perm.FOUNDING_APPROVE,
            APPROVING_ORG,
        ),
        Transition(
            ApplicationAction.CREATE_UNION,
            frozenset({ApplicationStatus.APPROVED}),
            ApplicationStatus.UNION_CREATED,
            Perm.ORG_CHANGE,
            PARENT,
        ),
    ],
    refusal=_("This application is “%(status)s”: “%(action)s” is not possible now."),
)
ApplicationTransition = Transition[ApplicationAction, ApplicationStatus]


class FoundingApplicationQuerySet(ScopedQuerySet["FoundingApplication"]):
    # Officers of the union it will sit under (and above), and of the workplace's area.
    scope_fields = ("parent__path", "workplace__jurisdiction__path")

    def awaiting_decision_by(self, user: Any) -> FoundingApplicationQuerySet:
        """Applications waiting for a decision that `user` may take (FOUNDING_APPROVE on the
        approving org, through a grant on it or above)."""
        pending = self.filter(status__in=AWAITING_DECISION)
        paths = scope_paths(user, Perm.FOUNDING_APPROVE)
        if paths is None:
            return pending
        if not paths:
            return pending.none()
        return pending.filter(path_filter(paths, ("approving_org__path",)))


class FoundingApplication(TimeStampedModel):
    workplace = models.ForeignKey(
        Workplace, verbose_name=_("workplace"), on_delete=models.PROTECT, related_name="founding_applications"
    )
    union_name = models.CharField(_("proposed union name"), max_length=120)
    union_kind = models.CharField(_("kind of union"), max_length=12, choices=UnionKind.choices)
    area = models.CharField(_("joint union area"), max_length=12, choices=JointUnionArea.choices, blank=True)
    parent = models.ForeignKey(
        Org,
        verbose_name=_("superior organisation"),
        help_text=_("The organisation the new union will sit under."),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept up to date by the services (also when a federation delegates or withdraws authority),
    # so that "waiting for me" is one indexed join rather than a walk up the tree per row.
    approving_org = models.ForeignKey(
        Org, verbose_name=_("approving organisation"), on_delete=models.PROTECT, related_name="+"
    )
    initiated_by = models.CharField(_("initiated by"), max_length=20, choices=Initiator.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    members_expected = models.PositiveIntegerField(_("expected members"))
    employee_count = models.PositiveIntegerField(_("number of employees"))
    preparatory_note = models.TextField(_("preparatory committee"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    reason = models.TextField(_("reason for rejection"), blank=True)
    created_org = models.ForeignKey(
        Org,
        verbose_name=_("union created"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = FoundingApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("founding application")
        verbose_name_plural = _("founding applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workplace"],
                condition=models.Q(status__in=["submitted", "under_review", "approved"]),
                name="founding_one_open_application_per_workplace",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reason=""),
                name="founding_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(union_kind="joint_union") | models.Q(area=""),
                name="founding_area_only_for_joint_unions",
            ),
        ]
        indexes = [
            models.Index(fields=["approving_org", "status"], name="founding_app_approver_idx"),
            models.Index(fields=["status", "-created_at"], name="founding_app_status_idx"),
        ]

    def __str__(self) -> str:
        return self.union_name

    def get_absolute_url(self) -> str:
        return reverse("console:founding:application_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def next_transitions(self) -> list[ApplicationTransition]:
        return TRANSITIONS.available(self.status)


class FoundingApplicationHistoryQuerySet(ScopedQuerySet["FoundingApplicationHistory"]):
    scope_fields = ("application__parent__path", "application__workplace__jurisdiction__path")


class FoundingApplicationHistory(TransitionRecord):
    """One row per change of an application's status (the first row: submitted, from nothing)."""

    application = models.ForeignKey(
        FoundingApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=ApplicationStatus.choices)

    objects = FoundingApplicationHistoryQuerySet.as_manager()

    class Meta(TransitionRecord.Meta):
        verbose_name = _("founding application history entry")
        verbose_name_plural = _("founding application history")

    def __str__(self) -> str:
        return f"{self.application} · {super().__str__()}"
