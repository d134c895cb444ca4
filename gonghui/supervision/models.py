"""Labour-law supervision (劳动法律监督): supervisors, inspections of workplaces with their findings,
the notices that ask for rectification (提示函, 建议书, 监督意见书) with their follow-ups, and
interviews (约谈) with an employer's representative.

Everything belongs to the inspecting union (`org`): its officers and those above it see it with
rights.view and act on it with rights.handle. An inspection goes planned → in progress →
findings recorded → (a notice is issued) awaiting rectification → rectified | not rectified →
closed; the transition table below is the only place that says which step may follow which.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.fields import EncryptedTextField
from gonghui.core.mobile import mask_mobile
from gonghui.core.models import PrivateDocument, TimeStampedModel
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

MAX_TEXT = 2000
MAX_LONG_TEXT = 10_000
MAX_FOLLOWUP_DOCUMENTS = 10

# --------------------------------------------------------------------------------------------
# Supervisors
# --------------------------------------------------------------------------------------------


class SupervisorQuerySet(ScopedQuerySet["Supervisor"]):
    def active(self) -> SupervisorQuerySet:
        return self.filter(is_active=True)


class Supervisor(TimeStampedModel):
    """A labour-law supervisor (劳动法律监督员) sitting on the supervision committee of `org`."""

    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    certificate_number = models.CharField(_("certificate number"), max_length=40)
    mobile = EncryptedTextField(_("mobile"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("on the committee"), default=True)

    objects = SupervisorQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour-law supervisor")
        verbose_name_plural = _("labour-law supervisors")
        ordering = ["org__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "certificate_number"], name="supervision_certificate_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_value(self, field: str) -> Any:
        value = getattr(self, field)
        return mask_mobile(value) if field == "mobile" and value else value


# --------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")
    CAMPAIGN = "campaign", _("Special campaign")
    COMPLAINT = "complaint", _("Prompted by a complaint")


class ScopeItem(models.TextChoices):
    CONTRACTS = "contracts", _("Labour contracts")
    WAGES = "wages", _("Wages paid in full and on time")
    HOURS = "hours", _("Working hours and rest")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    SAFETY = "safety", _("Occupational safety and health")
    FEMALE_WORKERS = "female_workers", _("Protection of female workers")
    MINIMUM_WAGE = "minimum_wage", _("Minimum wage")
    UNION_RIGHTS = "union_rights", _("Union rights and workers' participation")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    GRAVE = "grave", _("Grave")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    FINDINGS_RECORDED = "findings_recorded", _("Findings recorded")
    AWAITING_RECTIFICATION = "awaiting_rectification", _("Awaiting rectification")
    RECTIFIED = "rectified", _("Rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")
    CLOSED = "closed", _("Case closed")
    CANCELLED = "cancelled", _("Cancelled")


class InspectionAction(models.TextChoices):
    START = "start", _("Start the inspection")
    RECORD_FINDINGS = "record_findings", _("Finish recording findings")
    ISSUE_NOTICE = "issue_notice", _("Issue a notice")
    CONFIRM_RECTIFIED = "confirm_rectified", _("Confirm the rectification")
    FIND_NOT_RECTIFIED = "find_not_rectified", _("Find it not rectified")
    CLOSE = "close", _("Close the inspection")
    CANCEL = "cancel", _("Cancel the inspection")


# Who acts: holders of rights.handle on the inspecting org (through a grant on it or above).
INSPECTING_ORG = "org"

# Findings may be added or removed while the inspection is under way and before a notice cites them.
FINDINGS_OPEN = frozenset({InspectionStatus.IN_PROGRESS, InspectionStatus.FINDINGS_RECORDED})
# The inspection's own details may be corrected until a notice quotes them or the case closes.
DETAILS_OPEN = frozenset({InspectionStatus.PLANNED, *FINDINGS_OPEN})
# Steps that need more than a comment (a notice, a follow-up): only their own services take them.
STEPS_WITH_RECORDS = frozenset(
    {InspectionAction.ISSUE_NOTICE, InspectionAction.CONFIRM_RECTIFIED, InspectionAction.FIND_NOT_RECTIFIED}
)


def _step(
    action: InspectionAction, sources: set[InspectionStatus], target: InspectionStatus
) -> Transition[InspectionAction, InspectionStatus]:
    return Transition(action, frozenset(sources), target, Perm.RIGHTS_HANDLE, INSPECTING_ORG)


S = InspectionStatus
TRANSITIONS = TransitionTable(
    InspectionStatus,
    [
        _step(InspectionAction.START, {S.PLANNED}, S.IN_PROGRESS),
        _step(InspectionAction.RECORD_FINDINGS, {S.IN_PROGRESS}, S.FINDINGS_RECORDED),
        # A workplace that did not rectify after a reminder gets a stronger notice (an opinion).
        _step(
            InspectionAction.ISSUE_NOTICE, {S.FINDINGS_RECORDED, S.NOT_RECTIFIED}, S.AWAITING_RECTIFICATION
        ),
        _step(InspectionAction.CONFIRM_RECTIFIED, {S.AWAITING_RECTIFICATION}, S.RECTIFIED),
        _step(InspectionAction.FIND_NOT_RECTIFIED, {S.AWAITING_RECTIFICATION}, S.NOT_RECTIFIED),
        # Findings without a violation need no notice: the inspection closes straight away.
        _step(InspectionAction.CLOSE, {S.FINDINGS_RECORDED, S.RECTIFIED, S.NOT_RECTIFIED}, S.CLOSED),
        # Called off before it began, or entered for the wrong workplace: the reason is required.
        _step(InspectionAction.CANCEL, {S.PLANNED}, S.CANCELLED),
    ],
    refusal=_("This inspection is “%(status)s”: “%(action)s” is not possible now."),
)
del S
InspectionTransition = Transition[InspectionAction, InspectionStatus]


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    pass


class Inspection(TimeStampedModel):
    org = models.ForeignKey(
        Org, verbose_name=_("inspecting union"), on_delete=models.PROTECT, related_name="+"
    )
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("workplace"),
        on_delete=models.PROTECT,
        related_name="supervision_inspections",
    )
    inspected_on = models.DateField(_("inspection date"))
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    campaign = models.CharField(_("campaign name"), max_length=60, blank=True)
    supervisors = models.ManyToManyField(
        Supervisor, verbose_name=_("supervisors present"), related_name="inspections", blank=True
    )
    scope_items = models.JSONField(_("items checked"), default=list)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["workplace", "-inspected_on"], name="supervision_insp_wp_idx"),
            models.Index(fields=["status", "-inspected_on"], name="supervision_insp_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.workplace.name} · {self.inspected_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("console:supervision:inspection_detail", kwargs={"pk": self.pk})

    def scope_labels(self) -> list[str]:
        labels = dict(ScopeItem.choices)
        return [str(labels.get(item, item)) for item in self.scope_items]

    @property
    def findings_open(self) -> bool:
        return self.status in FINDINGS_OPEN

    @property
    def details_open(self) -> bool:
        return self.status in DETAILS_OPEN


class InspectionHistoryQuerySet(ScopedQuerySet["InspectionHistory"]):
    scope_fields = ("inspection__org__path",)


class InspectionHistory(TransitionRecord):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(
        _("from status"), max_length=24, choices=InspectionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=24, choices=InspectionStatus.choices)

    objects = InspectionHistoryQuerySet.as_manager()

    class Meta(TransitionRecord.Meta):
        verbose_name = _("inspection history entry")
        verbose_name_plural = _("inspection history")


class FindingQuerySet(ScopedQuerySet["Finding"]):
    scope_fields = ("inspection__org__path",)


class Finding(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.CharField(_("item checked"), max_length=20, choices=ScopeItem.choices)
    finding = models.TextField(_("finding"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    created_at = models.DateTimeField(_("time recorded"), auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.finding[:40]}"


# --------------------------------------------------------------------------------------------
# Notices and their follow-ups
# --------------------------------------------------------------------------------------------


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder letter")
    RECOMMENDATION = "recommendation", _("Recommendation")
    OPINION = "opinion", _("Supervision opinion")


class NoticeQuerySet(ScopedQuerySet["Notice"]):
    def overdue(self, today: Any) -> NoticeQuerySet:
        """Notices whose rectification deadline has passed without a follow-up on record."""
        return self.filter(rectification_deadline__lt=today, followup__isnull=True)


class Notice(TimeStampedModel):
    """A numbered letter from the inspecting union to the workplace. Its text is fixed when it is
    issued, so a reprint is the letter that was sent."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="notices"
    )
    org = models.ForeignKey(Org, verbose_name=_("issuing union"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number in the year"))
    number = models.CharField(_("document number"), max_length=80)
    issued_on = models.DateField(_("date of issue"))
    rectification_deadline = models.DateField(_("rectify by"))
    followup_due = models.DateField(_("follow-up due"))
    findings = models.ManyToManyField(Finding, verbose_name=_("findings"), related_name="notices")
    requirements = models.TextField(_("requirements"))
    issuer_name = models.CharField(_("issuer name"), max_length=120)
    workplace_name = models.CharField(_("workplace name"), max_length=120)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "sequence"], name="supervision_notice_number_per_year"
            )
        ]
        indexes = [models.Index(fields=["rectification_deadline"], name="supervision_notice_due_idx")]

    def __str__(self) -> str:
        return self.number


class FollowUpResult(models.TextChoices):
    RECTIFIED = "rectified", _("Rectified")
    PARTLY = "partly", _("Partly rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")


class FollowUpQuerySet(ScopedQuerySet["FollowUp"]):
    scope_fields = ("notice__org__path",)


class FollowUp(TimeStampedModel):
    notice = models.OneToOneField(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="followup"
    )
    checked_on = models.DateField(_("follow-up date"))
    result = models.CharField(_("result"), max_length=16, choices=FollowUpResult.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.notice.number} · {self.get_result_display()}"


class FollowUpDocument(PrivateDocument):
    """Evidence of a follow-up (photos, PDFs), kept under MEDIA_ROOT/supervision/, which
    gonghui.core.media never serves: downloads go through a view that checks who asks."""

    followup = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("file"), upload_to="supervision/")

    class Meta(PrivateDocument.Meta):
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")


# --------------------------------------------------------------------------------------------
# Interviews
# --------------------------------------------------------------------------------------------


class InterviewQuerySet(ScopedQuerySet["Interview"]):
    pass


class Interview(TimeStampedModel):
    """An interview (约谈) of the employer's representative about what supervision found."""

    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("workplace"),
        on_delete=models.PROTECT,
        related_name="supervision_interviews",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    held_on = models.DateField(_("date"))
    representative = models.CharField(_("employer's representative"), max_length=80)
    attendees = models.TextField(_("attendees"))
    subject = models.CharField(_("subject"), max_length=200)
    record = models.TextField(_("record"))
    commitments = models.TextField(_("commitments"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InterviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["workplace", "-held_on"], name="supervision_intv_wp_idx")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.held_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("console:supervision:interview_detail", kwargs={"pk": self.pk})
