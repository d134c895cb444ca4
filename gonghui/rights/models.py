"""Labour disputes and their mediation (劳动争议调解): mediation centres and studios, mediators,
disputes with their parties and claim items, the workflow, extensions of the time limit,
documents, messages and the alerts for collective disputes (docs/rights.md).

- A `Dispute` belongs to its handling org (`org`): officers holding `Perm.RIGHTS_VIEW` on it or
  above see it, `Perm.RIGHTS_HANDLE` acts on it. Its assigned `Mediator`, when the mediator has a
  sign-in, reaches it through their desk and nothing else (selectors.dispute_for_mediator).
- The number (调-2026-000123) is the year's next from `DisputeCounter`, taken by an UPDATE of
  the year's row inside the intake transaction, so two intakes never get the same number.
- The mediation time limit is 15 days from receipt (Labour Dispute Mediation and Arbitration
  Law, art. 14: deadline rule `rights.mediation` in gonghui.workdays); only the parties'
  recorded agreement (`Extension`) moves it.
- Personal data of the parties (ID and mobile numbers) is encrypted, with blind indexes in the
  members' contexts so a party can be matched to the registry.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.fields import EncryptedTextField
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.mobile import mask_mobile
from gonghui.core.models import PrivateDocument, TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.text import mask_name
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

# Labour Dispute Mediation and Arbitration Law and the unions' practice: ten or more workers
# with a common claim make a collective dispute, which the superior union must know of at once.
COLLECTIVE_THRESHOLD = 10
MAX_NAME = 120
MAX_SUMMARY = 200
MAX_TEXT = 4000
MAX_REASON = 500


# ---------------------------------------------------------------------------------------------
# Mediation centres and studios, mediators


class CentreKind(models.TextChoices):
    CENTRE = "centre", _("Mediation centre")
    STUDIO = "studio", _("Mediation studio")


class MediationCentreQuerySet(ScopedQuerySet["MediationCentre"]):
    def active(self) -> MediationCentreQuerySet:
        return self.filter(active=True)


class MediationCentre(TimeStampedModel):
    """A mediation centre (调解中心) or a studio (调解工作室) run by a union or federation."""

    org = models.ForeignKey(
        Org, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="mediation_centres"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CentreKind.choices, default=CentreKind.CENTRE)
    name = models.CharField(_("name"), max_length=MAX_NAME)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = MediationCentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation centre")
        verbose_name_plural = _("mediation centres")
        ordering = ["org__path", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="rights_centre_name_per_org")]

    def __str__(self) -> str:
        return self.name


class MediatorQuerySet(ScopedQuerySet["Mediator"]):
    scope_fields = ("centre__org__path",)

    def active(self) -> MediatorQuerySet:
        return self.filter(active=True)


class Mediator(TimeStampedModel):
    """A person who mediates at a centre. With a sign-in (an officer-kind `User` holding no
    role anywhere) their console is their desk: the disputes assigned to them, nothing else."""

    centre = models.ForeignKey(
        MediationCentre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="mediators"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediator",
    )
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("work phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = MediatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Disputes


class IntakeChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline 12351")
    ONLINE = "online", _("Online")
    ARBITRATION = "arbitration", _("Referred by labour arbitration")
    COURT = "court", _("Referred by a court")


# What an officer enters at the console; online disputes come from the portal.
OFFICER_CHANNELS = (
    IntakeChannel.WALK_IN,
    IntakeChannel.HOTLINE,
    IntakeChannel.ARBITRATION,
    IntakeChannel.COURT,
)


class DisputeStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_MEDIATION = "in_mediation", _("In mediation")
    SETTLED = "settled", pgettext_lazy("dispute", "Settled")
    FAILED = "failed", _("Mediation failed")
    REFERRED = "referred", _("Referred to arbitration or court")
    CLOSED = "closed", pgettext_lazy("dispute", "Closed")
    ARCHIVED = "archived", _("Archived")


class DisputeAction(models.TextChoices):
    RECEIVE = "receive", _("Receive")  # the first history row, not a transition
    ACCEPT = "accept", pgettext_lazy("dispute", "Accept")
    DECLINE = "decline", _("Decline")
    START_MEDIATION = "start_mediation", _("Start mediation")
    SETTLE = "settle", _("Record a settlement")
    FAIL = "fail", _("Record that mediation failed")
    REFER = "refer", _("Refer to arbitration or court")
    CLOSE = "close", _("Close after the follow-up visit")
    ARCHIVE = "archive", _("Archive")
    REASSIGN = "reassign", _("Hand over to another mediator")  # a history row, not a transition


# Disputes whose mediation time limit still runs.
OPEN_STATUSES = frozenset({DisputeStatus.RECEIVED, DisputeStatus.ACCEPTED, DisputeStatus.IN_MEDIATION})
# Concluded: `concluded_on` is set when a dispute enters one of these.
CONCLUDED_STATUSES = frozenset({DisputeStatus.SETTLED, DisputeStatus.FAILED, DisputeStatus.DECLINED})
# The worker may rate the handling of the dispute once it has come to an end.
RATEABLE_STATUSES = frozenset(
    {DisputeStatus.SETTLED, DisputeStatus.DECLINED, DisputeStatus.REFERRED, DisputeStatus.CLOSED}
)

# `held_on`: "org" is the dispute's handling org (Perm held on it or above); "mediation" is the
# same or the dispute's own mediator through their desk.
DISPUTE_TRANSITIONS: TransitionTable[DisputeAction, DisputeStatus] = TransitionTable(
    DisputeStatus,
    [
        Transition(
            DisputeAction.ACCEPT,
            frozenset({DisputeStatus.RECEIVED}),
            DisputeStatus.ACCEPTED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            DisputeAction.DECLINE,
            frozenset({DisputeStatus.RECEIVED}),
            DisputeStatus.DECLINED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            DisputeAction.START_MEDIATION,
            frozenset({DisputeStatus.ACCEPTED}),
            DisputeStatus.IN_MEDIATION,
            Perm.RIGHTS_HANDLE,
            "mediation",
        ),
        Transition(
            DisputeAction.SETTLE,
            frozenset({DisputeStatus.IN_MEDIATION}),
            DisputeStatus.SETTLED,
            Perm.RIGHTS_HANDLE,
            "mediation",
        ),
        Transition(
            DisputeAction.FAIL,
            frozenset({DisputeStatus.IN_MEDIATION}),
            DisputeStatus.FAILED,
            Perm.RIGHTS_HANDLE,
            "mediation",
        ),
        Transition(
            DisputeAction.REFER,
            frozenset({DisputeStatus.FAILED}),
            DisputeStatus.REFERRED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            DisputeAction.CLOSE,
            frozenset({DisputeStatus.SETTLED, DisputeStatus.REFERRED, DisputeStatus.DECLINED}),
            DisputeStatus.CLOSED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
        Transition(
            DisputeAction.ARCHIVE,
            frozenset({DisputeStatus.CLOSED}),
            DisputeStatus.ARCHIVED,
            Perm.RIGHTS_HANDLE,
            "org",
        ),
    ],
)


class ReferralBody(models.TextChoices):
    ARBITRATION = "arbitration", _("Labour dispute arbitration commission")
    COURT = "court", _("People's court")


class DisputeCounter(models.Model):
    """The last dispute number given in a year (city-wide)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dispute number counter")
        verbose_name_plural = _("dispute number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DisputeQuerySet(ScopedQuerySet["Dispute"]):
    def open(self) -> DisputeQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date) -> DisputeQuerySet:
        return self.open().filter(mediation_deadline__lt=today)


class Dispute(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number in the year"))
    channel = models.CharField(_("intake channel"), max_length=12, choices=IntakeChannel.choices)
    org = models.ForeignKey(
        Org, verbose_name=_("handling organisation"), on_delete=models.PROTECT, related_name="disputes"
    )
    centre = models.ForeignKey(
        MediationCentre,
        verbose_name=_("mediation centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    mediator = models.ForeignKey(
        Mediator,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    employer_name = models.CharField(_("employer as reported"), max_length=MAX_NAME)
    # Free text about people: encrypted at rest, so it can be shown but not searched.
    summary = EncryptedTextField(_("summary"), max_length=MAX_SUMMARY)
    description = EncryptedTextField(_("description"), max_length=MAX_TEXT, blank=True)
    received_on = models.DateField(_("received on"), db_index=True)
    mediation_deadline = models.DateField(_("mediation deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.RECEIVED
    )
    workers_count = models.PositiveIntegerField(_("number of workers"), default=1)
    is_collective = models.BooleanField(_("collective dispute"), default=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported online by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_disputes",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    # Empty (NULL) until that step: the statistics tell how a dispute ended by which one is set.
    decline_reason = EncryptedTextField(
        _("reason for declining"), max_length=MAX_REASON, null=True, blank=True
    )
    failure_reason = EncryptedTextField(
        _("why mediation failed"), max_length=MAX_REASON, null=True, blank=True
    )
    referred_to = models.CharField(_("referred to"), max_length=12, choices=ReferralBody.choices, blank=True)
    referral_body = models.CharField(_("receiving body"), max_length=MAX_NAME, blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    followup_due = models.DateField(_("follow-up visit due"), null=True, blank=True)
    followup_on = models.DateField(_("follow-up visit on"), null=True, blank=True)
    followup_note = models.CharField(_("follow-up note"), max_length=MAX_REASON, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the handling"), max_length=MAX_REASON, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # Set once the worker has been told they may apply for arbitration: told once per dispute.
    overdue_notified_at = models.DateTimeField(_("worker told of the time limit at"), null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour dispute")
        verbose_name_plural = _("labour disputes")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["org", "status"], name="rights_dispute_org_status_idx"),
            models.Index(fields=["status", "mediation_deadline"], name="rights_dispute_deadline_idx"),
            models.Index(fields=["reporter", "-received_on"], name="rights_dispute_reporter_idx"),
            models.Index(fields=["mediator", "status"], name="rights_dispute_mediator_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="rights_dispute_number_per_year"),
            models.CheckConstraint(condition=Q(workers_count__gte=1), name="rights_dispute_workers_gte_1"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="rights_dispute_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(is_collective=False) | Q(workers_count__gte=COLLECTIVE_THRESHOLD),
                name="rights_dispute_collective_has_10",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_STATUSES and self.mediation_deadline < today

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def dispute_number(year: int, sequence: int) -> str:
    return f"调-{year}-{sequence:06d}"


class Party(models.Model):
    """A worker who is a party to the dispute (the employer is `Dispute.workplace`)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    position = models.PositiveSmallIntegerField(_("line"))
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile = EncryptedTextField(_("mobile number"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["dispute", "position"]
        constraints = [models.UniqueConstraint(fields=["dispute", "position"], name="rights_party_position")]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    def audit_value(self, field: str) -> object:
        masked = {"id_number": self.masked_id_number, "mobile": self.masked_mobile, "name": str(self)}
        return masked.get(field, getattr(self, field))


class ClaimType(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("Unpaid wages")
    OVERTIME = "overtime", _("Overtime pay")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    WORK_INJURY = "work_injury", _("Work injury")
    DISMISSAL = "dismissal", _("Dismissal")
    CONTRACT = "contract", _("Labour contract")
    OTHER = "other", _("Other")


class ClaimItem(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveSmallIntegerField(_("line"))
    type = models.CharField(_("type"), max_length=20, choices=ClaimType.choices)
    amount_claimed = MoneyField(_("amount claimed"))
    amount_agreed = MoneyField(_("amount agreed"), null=True, blank=True)
    amount_recovered = MoneyField(_("amount recovered"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("claim item")
        verbose_name_plural = _("claim items")
        ordering = ["dispute", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "position"], name="rights_claim_position"),
            models.CheckConstraint(condition=Q(amount_claimed__gte=0), name="rights_claim_claimed_gte_0"),
            models.CheckConstraint(
                condition=Q(amount_agreed__isnull=True) | Q(amount_agreed__gte=0),
                name="rights_claim_agreed_gte_0",
            ),
            models.CheckConstraint(condition=Q(amount_recovered__gte=0), name="rights_claim_recovered_gte_0"),
        ]
        indexes = [models.Index(fields=["type"], name="rights_claim_type_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.amount_claimed}"


class Settlement(models.Model):
    """The mediation agreement (调解协议书), printed as a PDF for the parties to sign."""

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="settlement")
    terms = EncryptedTextField(_("terms of the agreement"), max_length=MAX_TEXT)
    signed_on = models.DateField(_("signed on"))
    payment_due = models.DateField(_("payment due by"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("settlement agreement")
        verbose_name_plural = _("settlement agreements")

    def __str__(self) -> str:
        return f"{self.dispute_id}"


class Extension(models.Model):
    """A recorded agreement of the parties to mediate beyond the time limit."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="extensions")
    previous_deadline = models.DateField(_("previous deadline"))
    new_deadline = models.DateField(_("new deadline"))
    agreed_by = models.CharField(_("agreed by"), max_length=200)
    note = models.CharField(_("note"), max_length=MAX_REASON, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension of the time limit")
        verbose_name_plural = _("extensions of the time limit")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("previous_deadline")), name="rights_extension_later"
            )
        ]

    def __str__(self) -> str:
        return f"{self.previous_deadline} → {self.new_deadline}"


class DisputeHistory(TransitionRecord):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=16, choices=DisputeAction.choices)
    from_status = models.CharField(_("from status"), max_length=32, choices=DisputeStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, choices=DisputeStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("dispute history entry")
        verbose_name_plural = _("dispute history entries")


class DisputeDocument(PrivateDocument):
    """A photo or PDF kept under MEDIA_ROOT/rights/, which gonghui.core.media never serves:
    downloads go through views that check who asks."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to="rights/")
    # Uploaded by the worker in the portal: shown to them on their case page.
    from_worker = models.BooleanField(_("uploaded by the worker"), default=False)

    class Meta(PrivateDocument.Meta):
        verbose_name = _("dispute document")
        verbose_name_plural = _("dispute documents")


class MessageAuthor(models.TextChoices):
    WORKER = "worker", _("Worker")
    HANDLER = "handler", _("Handler")
    SYSTEM = "system", _("System")


class DisputeMessage(models.Model):
    """One message of the thread between the worker and the handlers of a dispute."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("from"), max_length=8, choices=MessageAuthor.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispute message")
        verbose_name_plural = _("dispute messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id}/{self.pk}"


class CollectiveAlertQuerySet(ScopedQuerySet["CollectiveAlert"]):
    def pending(self) -> CollectiveAlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class CollectiveAlert(models.Model):
    """A collective dispute made known to the superior org of its handling org."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="alerts")
    org = models.ForeignKey(
        Org, verbose_name=_("alerted organisation"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("alerted at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = CollectiveAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective dispute alert")
        verbose_name_plural = _("collective dispute alerts")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dispute", "org"], name="rights_alert_once_per_org")]

    def __str__(self) -> str:
        return f"{self.dispute_id} → {self.org_id}"
