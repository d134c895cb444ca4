"""Legal consultation and legal aid (法律咨询 / 法律援助) with volunteer lawyers (志愿律师).

- `Lawyer`: a volunteer lawyer serving an org's subtree, optionally with a sign-in (an
  officer-kind `User` holding no role anywhere, like a counsellor): through it the lawyer reaches
  their desk and the consultations and aid cases assigned to them, nothing else.
- `LegalConsultation`: a question logged by an officer (walk-in, hotline 12351, on-site outreach)
  or asked online by a worker; answers and follow-up questions are `ConsultationMessage` rows.
  The answer is due by the working-day rule `legal.consultation_answer` (gonghui.workdays).
- `LegalAid`: an application for legal aid with its eligibility check recorded as data (active
  member, per-capita household income under the assistance threshold, or a household on a
  hardship file), a workflow (`AID_TRANSITIONS`, history in `LegalAidHistory`), documents and a
  message thread between the applicant and the handlers / assigned lawyer.

The asker's and applicant's mobile numbers are encrypted at rest and shown unmasked only to
handling officers (rights.handle on the case's org) and to the assigned lawyer (selectors.py).
The free text a worker or a handler writes about a case (the question, the matter's
description, the outcome's summary, every message and answer) is personal data too and is
encrypted at rest (`EncryptedTextField`): it cannot be filtered or searched in the database, so
lists are found by number, name, type, status and date instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import PrivateDocument
from gonghui.core.money import MoneyField
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

MAX_NAME = 60
MAX_TEXT = 4000
MAX_REASON = 500


class Topic(models.TextChoices):
    WAGES = "wages", _("Wages")
    CONTRACT = "contract", _("Labour contract")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    WORK_INJURY = "work_injury", _("Work injury")
    DISMISSAL = "dismissal", _("Dismissal")
    OTHER = "other", _("Other")


# ---------------------------------------------------------------------------------------------
# Volunteer lawyers


class LawyerQuerySet(ScopedQuerySet["Lawyer"]):
    def active(self) -> LawyerQuerySet:
        return self.filter(is_active=True)


class Lawyer(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("serves"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=MAX_NAME)
    law_firm = models.CharField(_("law firm"), max_length=120)
    licence_number = models.CharField(_("licence number"), max_length=20, unique=True)
    practice_areas = models.CharField(_("practice areas"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lawyer"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LawyerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer lawyer")
        verbose_name_plural = _("volunteer lawyers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Consultations


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline 12351")
    ONLINE = "online", _("Online")
    OUTREACH = "outreach", _("On-site outreach")


class ConsultationStatus(models.TextChoices):
    AWAITING = "awaiting", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class ConsultationQuerySet(ScopedQuerySet["LegalConsultation"]):
    pass


class LegalConsultation(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    question = EncryptedTextField(_("question"), max_length=MAX_TEXT)
    asker_name = models.CharField(_("asked by"), max_length=MAX_NAME, blank=True)
    asker_mobile = EncryptedTextField(_("mobile number"), blank=True)
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_on = models.DateField(_("date"))
    answer_due = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.AWAITING
    )
    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal consultation")
        verbose_name_plural = _("legal consultations")
        ordering = ["-asked_on", "-id"]
        indexes = [
            models.Index(fields=["status", "answer_due"], name="legal_consult_queue_idx"),
            models.Index(fields=["asker", "-asked_on"], name="legal_consult_asker_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ZX{self.asked_on:%Y}-{self.pk or 0:06d}"


class Author(models.TextChoices):
    ASKER = "asker", _("The worker")
    OFFICER = "officer", _("Union officer")
    LAWYER = "lawyer", _("Volunteer lawyer")


class ConsultationMessage(models.Model):
    """One entry of a consultation's thread after the question: an answer (officer or lawyer)
    or a follow-up question of the worker."""

    consultation = models.ForeignKey(LegalConsultation, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lawyer = models.ForeignKey(Lawyer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("text"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation message")
        verbose_name_plural = _("consultation messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk}"


# ---------------------------------------------------------------------------------------------
# Legal aid


class AidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not granted")
    ASSIGNED = "assigned", _("Lawyer assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    CONCLUDED = "concluded", _("Concluded")
    CLOSED = "closed", _("Closed")


class AidAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")  # the first history row, not a transition
    REVIEW = "review", _("Start the review")
    APPROVE = "approve", _("Grant legal aid")
    REJECT = "reject", _("Do not grant")
    ASSIGN = "assign", _("Assign a lawyer")
    START = "start", _("Start the work")
    CONCLUDE = "conclude", _("Record the outcome")
    CLOSE = "close", _("Close")
    # Not transitions: history rows of changes that keep the status.
    REASSIGN = "reassign", _("Reassign the lawyer")
    RECHECK = "recheck", _("Check the eligibility again")


OPEN_AID_STATUSES = frozenset({AidStatus.SUBMITTED, AidStatus.UNDER_REVIEW})
# A lawyer is at work on the case: it may be given to another lawyer, and it keeps its lawyer
# from being switched off until a successor takes it over.
LAWYER_OPEN_STATUSES = frozenset({AidStatus.ASSIGNED, AidStatus.IN_PROGRESS})

# held_on "org": the case's union (a grant on it or above). "lawyer": the assigned lawyer may take
# the step too (the service checks it). "applicant": the applicant's own rating closes the case.
AID_TRANSITIONS: TransitionTable[AidAction, AidStatus] = TransitionTable(
    AidStatus,
    [
        Transition(
            AidAction.REVIEW,
            frozenset({AidStatus.SUBMITTED}),
            AidStatus.UNDER_REVIEW,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            AidAction.APPROVE,
            frozenset({AidStatus.UNDER_REVIEW}),
            AidStatus.APPROVED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            AidAction.REJECT,
            frozenset({AidStatus.UNDER_REVIEW}),
            AidStatus.REJECTED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            AidAction.ASSIGN, frozenset({AidStatus.APPROVED}), AidStatus.ASSIGNED, Perm.RIGHTS_HANDLE, "org"
        ),
        Transition(
            AidAction.START,
            frozenset({AidStatus.ASSIGNED}),
            AidStatus.IN_PROGRESS,
            Perm.RIGHTS_HANDLE,
            "lawyer",
        ),
        Transition(
            AidAction.CONCLUDE,
            frozenset({AidStatus.IN_PROGRESS}),
            AidStatus.CONCLUDED,
            Perm.RIGHTS_HANDLE,
            "lawyer",
        ),
        Transition(
            AidAction.CLOSE,
            frozenset({AidStatus.CONCLUDED}),
            AidStatus.CLOSED,
            Perm.RIGHTS_HANDLE,
            "applicant",
        ),
    ],
)


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    SETTLED = "settled", _("Settled")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AidChannel(models.TextChoices):
    ONLINE = "online", _("By the worker online")
    OFFICER = "officer", _("By an officer")


class LegalAidQuerySet(ScopedQuerySet["LegalAid"]):
    pass


class LegalAid(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("submitted"), max_length=10, choices=AidChannel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("applicant"), max_length=MAX_NAME)
    applicant_mobile = EncryptedTextField(_("mobile number"))
    matter_type = models.CharField(_("type of matter"), max_length=20, choices=Topic.choices)
    description = EncryptedTextField(_("description"), max_length=MAX_TEXT)
    employer = models.ForeignKey(
        Workplace,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField(_("opposing party"), max_length=120)
    amount_at_stake = MoneyField(_("amount at stake"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    review_due = models.DateField(_("review due"))
    status = models.CharField(
        _("status"), max_length=16, choices=AidStatus.choices, default=AidStatus.SUBMITTED
    )
    # The eligibility check, as it was at submission: each ground and the figures it used.
    is_eligible = models.BooleanField(_("eligible"))
    eligible_as_member = models.BooleanField(_("active union member"))
    eligible_by_hardship_file = models.BooleanField(_("household on a hardship file"))
    eligible_by_income = models.BooleanField(_("income under the threshold"))
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    household_monthly_income = MoneyField(_("monthly household income"), null=True, blank=True)
    per_capita_income = MoneyField(_("monthly income per person"), null=True, blank=True)
    threshold = MoneyField(_("income threshold"), null=True, blank=True)
    threshold_org = models.ForeignKey(
        Org,
        verbose_name=_("threshold set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reject_reason = models.CharField(_("reason"), max_length=MAX_REASON, blank=True)
    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    amount_recovered = MoneyField(_("amount recovered"), null=True, blank=True)
    summary = EncryptedTextField(_("summary"), max_length=MAX_TEXT, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=MAX_REASON, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LegalAidQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal aid application")
        verbose_name_plural = _("legal aid applications")
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["status", "review_due"], name="legal_aid_queue_idx"),
            models.Index(fields=["applicant", "-submitted_on"], name="legal_aid_applicant_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="legal_aid_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__isnull=True) | Q(amount_recovered__gte=0),
                name="legal_aid_recovered_gte_0",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_progress", "concluded", "closed"])
                | Q(lawyer__isnull=False),
                name="legal_aid_assigned_has_lawyer",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"YZ{self.submitted_on:%Y}-{self.pk or 0:06d}"


class LegalAidHistory(TransitionRecord):
    aid = models.ForeignKey(LegalAid, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=10, choices=AidAction.choices)
    from_status = models.CharField(_("from status"), max_length=32, choices=AidStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, choices=AidStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("legal aid history entry")
        verbose_name_plural = _("legal aid history")


class LegalAidDocument(PrivateDocument):
    """A photo or PDF under MEDIA_ROOT/legal/, which gonghui.core.media never serves: downloads
    go through views that check who asks."""

    aid = models.ForeignKey(LegalAid, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to="legal/")

    class Meta(PrivateDocument.Meta):
        verbose_name = _("legal aid document")
        verbose_name_plural = _("legal aid documents")


class AidMessage(models.Model):
    aid = models.ForeignKey(LegalAid, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("text"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("legal aid message")
        verbose_name_plural = _("legal aid messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk}"
