"""The real-name member registry, online joining and transfers.

A `Member` row is one person's membership of one union. ID and mobile numbers are stored
encrypted, with keyed blind indexes for exact lookup; the partial unique index on the ID
number's blind index is what guarantees at most one active membership per person. A transfer
ends one row (transferred out) and opens another in the target union, so each union keeps the
record of who was its member; `MemberEvent` rows, keyed by the person's blind index, are the
person's history across all their rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.crypto import blind_index
from gonghui.core.fields import EncryptedTextField
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.mobile import mask_mobile
from gonghui.core.models import TimeStampedModel
from gonghui.core.text import mask_name
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

# Encryption contexts shared by every model that holds a person's ID or mobile number, so that
# their blind indexes compare equal across the registry, join applications and events.
ID_NUMBER_CONTEXT = "members.Member.id_number"
MOBILE_CONTEXT = "members.Member.mobile"


def id_number_index(id_number: str) -> str:
    """The blind index of a normalised 18-character ID number."""
    return blind_index(id_number, context=ID_NUMBER_CONTEXT)


def mobile_index(mobile: str) -> str:
    """The blind index of a normalised mobile number ("" for none)."""
    return blind_index(mobile, context=MOBILE_CONTEXT) if mobile else ""


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LEFT = "left", _("Left")
    DECEASED = "deceased", _("Deceased")


class GigOccupation(models.TextChoices):
    """What a new-form worker (新就业形态劳动者) does; join routes may depend on it."""

    DELIVERY_RIDER = "delivery_rider", _("Food delivery rider")
    COURIER = "courier", _("Courier")
    RIDE_HAILING = "ride_hailing", _("Ride-hailing driver")
    TRUCK_DRIVER = "truck_driver", _("Truck driver")
    DOMESTIC = "domestic", _("Domestic service worker")
    ONLINE_CREATOR = "online_creator", _("Online streamer or creator")
    OTHER = "other", _("Other platform work")


class MemberQuerySet(ScopedQuerySet["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(status=MemberStatus.ACTIVE)

    def in_subtree(self, root: Org) -> MemberQuerySet:
        return self.filter(org__path__startswith=root.path)


class Member(TimeStampedModel):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    mobile = EncryptedTextField(_("mobile number"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # No index of its own: the (org, status, id) index below serves every lookup by union, the
    # foreign key's checks included; one index entry fewer for each member written.
    org = models.ForeignKey(
        Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="members", db_index=False
    )
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("workplace"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    is_gig_worker = models.BooleanField(_("gig worker"), default=False)
    gig_occupation = models.CharField(
        _("platform work"), max_length=20, choices=GigOccupation.choices, blank=True
    )
    gig_platform = models.CharField(_("platform"), max_length=40, blank=True)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    joined_on = models.DateField(_("join date"))
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    # When and why a membership ended (transferred out, left, deceased); empty while active.
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(status="active"),
                name="member_one_active_membership",
            ),
        ]
        # (org, status, id): a union's members of one status in id order, which the member list
        # pages through (gonghui.members.selectors); its prefix serves counts per union.
        indexes = [
            models.Index(fields=["org", "status", "id"], name="member_org_status_id_idx"),
            # The name search (a whole name, or its beginning: gonghui.members.selectors). On
            # PostgreSQL the pattern operator class lets `LIKE 'prefix%'` seek the index whatever
            # the database's collation; SQLite ignores operator classes and gets a plain index,
            # which the search reaches through a range on the name.
            models.Index(fields=["name"], name="member_name_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def is_female_worker(self) -> bool:
        return self.sex == Sex.FEMALE

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    def audit_value(self, field: str) -> Any:
        masked = {"id_number": self.masked_id_number, "mobile": self.masked_mobile, "name": self.masked_name}
        return masked.get(field, getattr(self, field))


# ---------------------------------------------------------------------------------------------
# History: every change to a membership is one event.


class MemberEventKind(models.TextChoices):
    JOINED = "joined", _("Joined")
    IMPORTED = "imported", _("Added from a roster")
    UPDATED = "updated", _("Details changed")
    MOBILE_CHANGED = "mobile_changed", _("Mobile number changed")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFER_REJECTED = "transfer_rejected", _("Transfer rejected")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")
    LEFT = "left", _("Left the union")
    DECEASED = "deceased", _("Deceased")
    DATA_DOWNLOADED = "data_downloaded", _("Downloaded own data")


class MemberEventQuerySet(ScopedQuerySet["MemberEvent"]):
    def of_person(self, id_number_index: str) -> MemberEventQuerySet:
        return self.filter(id_number_index=id_number_index)


class MemberEvent(models.Model):
    """One change in a person's membership. `id_number_index` ties the events of all the
    person's membership rows together (a transfer opens a new row); `org` is the union the event
    belongs to, which scopes it for officers. `changes` holds masked before/after values."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="events"
    )
    id_number_index = models.CharField(max_length=64, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("event"), max_length=20, choices=MemberEventKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Events are read per person (member_event_person_idx), never by time alone: no index here.
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = MemberEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["id_number_index", "created_at"], name="member_event_person_idx")]

    def __str__(self) -> str:
        return str(self.get_kind_display())


# ---------------------------------------------------------------------------------------------
# Online joining (网上入会).


class JoinRouteQuerySet(ScopedQuerySet["JoinRoute"]):
    pass


class JoinRoute(TimeStampedModel):
    """Where an applicant without an employer in the registry is sent: by home district,
    optionally township (街道/乡镇) and platform work. The most specific active route wins
    (occupation and township both set, then occupation, then township, then district only);
    federations keep the table in the console."""

    district = models.CharField(_("district"), max_length=40)
    township = models.CharField(_("township or street"), max_length=40, blank=True)
    occupation = models.CharField(
        _("platform work"), max_length=20, choices=GigOccupation.choices, blank=True
    )
    org = models.ForeignKey(
        Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="join_routes"
    )
    is_active = models.BooleanField(_("in use"), default=True)

    objects = JoinRouteQuerySet.as_manager()

    class Meta:
        verbose_name = _("joining route")
        verbose_name_plural = _("joining routes")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "township", "occupation"],
                condition=models.Q(is_active=True),
                name="join_route_one_active_per_key",
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(
            part for part in (self.district, self.township, self.get_occupation_display()) if part
        )


class JoinStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class JoinAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    WITHDRAW = "withdraw", _("Withdraw")


# "union": the org the application is addressed to (the officer must hold the perm there or
# above); "applicant": the person who applied (checked by the service, not by a perm).
JOIN_TRANSITIONS: TransitionTable[JoinAction, JoinStatus] = TransitionTable(
    JoinStatus,
    [
        Transition(
            JoinAction.APPROVE,
            frozenset({JoinStatus.SUBMITTED}),
            JoinStatus.APPROVED,
            Perm.MEMBER_CHANGE,
            "union",
        ),
        Transition(
            JoinAction.REJECT,
            frozenset({JoinStatus.SUBMITTED}),
            JoinStatus.REJECTED,
            Perm.MEMBER_CHANGE,
            "union",
        ),
        Transition(
            JoinAction.WITHDRAW,
            frozenset({JoinStatus.SUBMITTED}),
            JoinStatus.WITHDRAWN,
            Perm.MEMBER_VIEW,
            "applicant",
        ),
    ],
)

# Applications open longer than this appear on the superior org's overdue list.
JOIN_REVIEW_DAYS = 15


class JoinApplicationQuerySet(ScopedQuerySet["JoinApplication"]):
    def open(self) -> JoinApplicationQuerySet:
        return self.filter(status=JoinStatus.SUBMITTED)


class JoinApplication(TimeStampedModel):
    """One person's application to join, addressed to the union with jurisdiction (the
    employer's union, the area federation covering an employer without one, or a joint or
    industry union found through `JoinRoute`), never to the employer."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    id_number = EncryptedTextField(_("ID number"), context=ID_NUMBER_CONTEXT)
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    mobile = EncryptedTextField(_("mobile number"), context=MOBILE_CONTEXT)
    mobile_index = models.CharField(max_length=64, db_index=True, editable=False)
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # An employer that is not in the registry, as the applicant typed it.
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    no_fixed_employer = models.BooleanField(_("no fixed employer"), default=False)
    is_gig_worker = models.BooleanField(_("gig worker"), default=False)
    gig_occupation = models.CharField(
        _("platform work"), max_length=20, choices=GigOccupation.choices, blank=True
    )
    gig_platform = models.CharField(_("platform"), max_length=40, blank=True)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    home_district = models.CharField(_("district"), max_length=40, blank=True)
    home_township = models.CharField(_("township or street"), max_length=40, blank=True)
    home_address = models.CharField(_("home address"), max_length=200, blank=True)
    org = models.ForeignKey(
        Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="join_applications"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JoinStatus.choices, default=JoinStatus.SUBMITTED
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="join_applications",
    )

    objects = JoinApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("join application")
        verbose_name_plural = _("join applications")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(status="submitted"),
                name="join_one_open_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="join_status_created_idx")]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    def audit_value(self, field: str) -> Any:
        masked = {"id_number": self.masked_id_number, "mobile": self.masked_mobile, "name": self.masked_name}
        return masked.get(field, getattr(self, field))


class JoinApplicationHistory(TransitionRecord):
    application = models.ForeignKey(JoinApplication, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from status"), max_length=32, choices=JoinStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, choices=JoinStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("join application step")
        verbose_name_plural = _("join application steps")


# ---------------------------------------------------------------------------------------------
# Transfers (转会): started by the member or an officer of either union; the target decides.


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the receiving union")
    APPROVED = "approved", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class TransferAction(models.TextChoices):
    APPROVE = "approve", _("Accept")
    REJECT = "reject", _("Reject")
    CANCEL = "cancel", _("Cancel")


# "target": the receiving union; "requester": the member or officer who asked (the service
# checks that the actor is the member, or holds the perm on the source or target union).
TRANSFER_TRANSITIONS: TransitionTable[TransferAction, TransferStatus] = TransitionTable(
    TransferStatus,
    [
        Transition(
            TransferAction.APPROVE,
            frozenset({TransferStatus.REQUESTED}),
            TransferStatus.APPROVED,
            Perm.MEMBER_CHANGE,
            "target",
        ),
        Transition(
            TransferAction.REJECT,
            frozenset({TransferStatus.REQUESTED}),
            TransferStatus.REJECTED,
            Perm.MEMBER_CHANGE,
            "target",
        ),
        Transition(
            TransferAction.CANCEL,
            frozenset({TransferStatus.REQUESTED}),
            TransferStatus.CANCELLED,
            Perm.MEMBER_CHANGE,
            "requester",
        ),
    ],
)


class TransferQuerySet(ScopedQuerySet["Transfer"]):
    # Both unions see the transfer: the source to know who is leaving, the target to decide.
    scope_fields = ("from_org__path", "to_org__path")

    def open(self) -> TransferQuerySet:
        return self.filter(status=TransferStatus.REQUESTED)


class Transfer(TimeStampedModel):
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_org = models.ForeignKey(
        Org, verbose_name=_("from union"), on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(Org, verbose_name=_("to union"), on_delete=models.PROTECT, related_name="+")
    to_workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("new workplace"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The membership row opened in the target union when the transfer is accepted.
    new_member = models.ForeignKey(
        Member,
        verbose_name=_("new membership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="requested"), name="transfer_one_open_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.to_org}"


class TransferHistory(TransitionRecord):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(
        _("from status"), max_length=32, choices=TransferStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=32, choices=TransferStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("transfer step")
        verbose_name_plural = _("transfer steps")


# ---------------------------------------------------------------------------------------------
# Roster import (花名册导入): an uploaded list of members and, once its job has run, its report.


class RosterImportMode(models.TextChoices):
    CHECK = "check", _("Check only: write nothing")
    ALL = "all", _("All or nothing: write nothing if any row has a problem")
    VALID = "valid", _("Import the good rows and report the others")


class RosterProblemLevel(models.TextChoices):
    ERROR = "error", _("Not imported")
    SKIPPED = "skipped", _("Skipped")
    NOTE = "note", _("Note")


class RosterImportQuerySet(ScopedQuerySet["RosterImport"]):
    pass


class RosterImport(models.Model):
    """A roster uploaded for one union. The file waits in the default file storage until the
    background job has read it and is deleted then; what stays is the outcome: counts, a
    `RosterImportProblem` per problem, and the report workbook (personal data, like the upload:
    it is kept in the same storage and served only to officers who may change the union's members)."""

    org = models.ForeignKey(
        Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="roster_imports"
    )
    mode = models.CharField(_("mode"), max_length=8, choices=RosterImportMode.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    upload = models.FileField(_("uploaded file"), upload_to="roster_imports/uploads/", blank=True)
    report = models.FileField(_("report"), upload_to="roster_imports/reports/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_imports",
    )
    job = models.OneToOneField(
        "jobs.Job",
        verbose_name=_("background job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_import",
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # Rows that passed every check: imported, or (checking only) ready to be.
    ready_count = models.PositiveIntegerField(_("rows without problems"), default=0)
    imported_count = models.PositiveIntegerField(_("imported"), default=0)
    skipped_count = models.PositiveIntegerField(_("already members"), default=0)
    rejected_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    elsewhere_count = models.PositiveIntegerField(_("active in another union"), default=0)
    transfers_requested_at = models.DateTimeField(_("transfers requested at"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "-created_at"], name="roster_import_org_idx")]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("console:members:roster_import_report", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class RosterImportProblem(models.Model):
    """One problem in one row (and usually one cell) of a roster. `member` is the active
    membership elsewhere of a person the roster names (for a transfer request), `transfer` the
    request made for them from the report."""

    roster_import = models.ForeignKey(
        RosterImport, verbose_name=_("roster import"), on_delete=models.CASCADE, related_name="problems"
    )
    row = models.PositiveIntegerField(_("row"))  # as the spreadsheet numbers it, header included
    column = models.CharField(_("column"), max_length=60, blank=True)  # the header; blank: whole row
    column_letter = models.CharField(_("column letter"), max_length=3, blank=True)
    level = models.CharField(
        _("level"), max_length=8, choices=RosterProblemLevel.choices, default=RosterProblemLevel.ERROR
    )
    code = models.CharField(_("reason code"), max_length=40)
    message = models.CharField(_("problem"), max_length=500)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("workplace"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("roster import problem")
        verbose_name_plural = _("roster import problems")
        ordering = ["row", "id"]
        indexes = [
            models.Index(fields=["roster_import", "row", "id"], name="roster_problem_row_idx"),
            models.Index(fields=["roster_import", "code"], name="roster_problem_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"


class RosterExport(models.Model):
    """A roster export that runs as a background job (gonghui.members.services.exports): the
    search it was started with, and then the file. The file is personal data: it sits in the
    default file storage under a random name, is served only to the officer who started the
    export, and is deleted once `expires_at` has passed (see docs/members-roster-export.md)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="roster_exports",
    )
    job = models.OneToOneField(
        "jobs.Job",
        verbose_name=_("background job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_export",
    )
    file_format = models.CharField(_("file type"), max_length=8)
    full_numbers = models.BooleanField(_("full numbers"), default=False)
    # The search, as MemberFilter holds it. The text searched may be an ID or mobile number, so
    # it is encrypted like them, and blanked once the file is written.
    # CASCADE: with its union gone, the export must not widen to the officer's whole scope.
    org = models.ForeignKey(
        Org, verbose_name=_("union"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, blank=True)
    search = EncryptedTextField(_("search"), blank=True)
    whole_name = models.BooleanField(_("whole name"), default=False)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True)
    file = models.FileField(_("file"), upload_to="roster_exports/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted after"), db_index=True)

    class Meta:
        verbose_name = _("roster export")
        verbose_name_plural = _("roster exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name or f"export {self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("console:members:roster_export", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None
