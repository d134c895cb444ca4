"""The workers' school (职工学校): courses, their terms (one run of a course, with its sessions),
enrolments, attendance and certificates.

- A course belongs to the federation that runs the school; its officers see and change it.
- Places are per term and exact: `Term.taken` only goes up by a conditional UPDATE
  (`taken = taken + 1 WHERE taken < places`), with a CHECK constraint behind it.
- A person (their ID number's blind index) has at most one live enrolment per term: a partial
  unique index among enrolments that are not cancelled.
- The fee due is fixed when the person enrols: the member fee for an active member, the full
  fee for anyone else, so a later change of fee or membership does not rewrite what was agreed.
- A certificate is issued to an enrolment whose attendance reached the course's required share
  of the term's sessions; its number is unique and its public token is the only key of the
  verify page.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

MAX_PLACES = 10_000
DEFAULT_REQUIRED_ATTENDANCE = 80


class CourseCategory(models.TextChoices):
    SKILLS = "skills", _("Vocational skills")
    DIGITAL = "digital", _("Digital skills")
    LAW = "law", _("Labour law")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture and arts")
    OTHER = "other", _("Other course")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CourseAction(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    WITHDRAW = "withdraw", _("Withdraw")


COURSE_TRANSITIONS = TransitionTable(
    CourseStatus,
    [
        Transition(
            CourseAction.PUBLISH,
            frozenset({CourseStatus.DRAFT, CourseStatus.WITHDRAWN}),
            CourseStatus.PUBLISHED,
            Perm.COURSES_CHANGE,
            held_on="org",
        ),
        Transition(
            CourseAction.WITHDRAW,
            frozenset({CourseStatus.PUBLISHED}),
            CourseStatus.WITHDRAWN,
            Perm.COURSES_CHANGE,
            held_on="org",
        ),
    ],
)


class CourseQuerySet(ScopedQuerySet["Course"]):
    def listed(self) -> CourseQuerySet:
        return self.filter(status=CourseStatus.PUBLISHED)


class Course(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("school"), on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("title"), max_length=100)
    category = models.CharField(_("category"), max_length=10, choices=CourseCategory.choices)
    description = models.TextField(_("description"), blank=True)
    teachers = models.CharField(_("teachers"), max_length=200)
    fee = MoneyField(_("fee (yuan)"), default=0)
    member_fee = MoneyField(_("member fee (yuan)"), default=0)
    places = models.PositiveIntegerField(_("places per term"))
    required_attendance = models.PositiveSmallIntegerField(
        _("attendance required for a certificate (%)"), default=DEFAULT_REQUIRED_ATTENDANCE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(member_fee__gte=0) & Q(member_fee__lte=F("fee")),
                name="course_fees_valid",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="course_places_valid"),
            models.CheckConstraint(
                condition=Q(required_attendance__gte=1) & Q(required_attendance__lte=100),
                name="course_required_attendance_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CourseHistory(TransitionRecord):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from status"), max_length=32, choices=CourseStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, choices=CourseStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("course history")
        verbose_name_plural = _("course history")


class TermStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for enrolment")
    CLOSED = "closed", _("Enrolment closed")
    FINISHED = "finished", _("Finished")


class TermAction(models.TextChoices):
    OPEN = "open", _("Open enrolment")
    CLOSE = "close", _("Close enrolment")
    FINISH = "finish", _("Finish the term")


TERM_TRANSITIONS = TransitionTable(
    TermStatus,
    [
        Transition(
            TermAction.OPEN,
            frozenset({TermStatus.DRAFT, TermStatus.CLOSED}),
            TermStatus.OPEN,
            Perm.COURSES_CHANGE,
            held_on="org",
        ),
        Transition(
            TermAction.CLOSE,
            frozenset({TermStatus.OPEN}),
            TermStatus.CLOSED,
            Perm.COURSES_CHANGE,
            held_on="org",
        ),
        Transition(
            TermAction.FINISH,
            frozenset({TermStatus.OPEN, TermStatus.CLOSED}),
            TermStatus.FINISHED,
            Perm.COURSES_CHANGE,
            held_on="org",
        ),
    ],
)


class TermQuerySet(ScopedQuerySet["Term"]):
    scope_fields = ("course__org__path",)

    def listed(self) -> TermQuerySet:
        return self.filter(
            course__status=CourseStatus.PUBLISHED,
            status__in=(TermStatus.OPEN, TermStatus.CLOSED, TermStatus.FINISHED),
        )


class Term(TimeStampedModel):
    """One run of a course (一期): its dates, places and sessions."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="terms"
    )
    name = models.CharField(_("term"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    places = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(_("places taken"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=TermStatus.choices, default=TermStatus.DRAFT
    )

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="term_dates_valid"),
            models.CheckConstraint(
                condition=Q(places__gte=1) & Q(taken__lte=F("places")), name="term_places_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.name}"

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.taken)


class SessionQuerySet(ScopedQuerySet["Session"]):
    scope_fields = ("term__course__org__path",)


class Session(models.Model):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_times_valid"),
            models.UniqueConstraint(fields=["term", "date", "starts_at"], name="session_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.starts_at:%H:%M}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    CANCELLED = "cancelled", _("Enrolment cancelled")
    COMPLETED = "completed", _("Completed")


LIVE_ENROLMENTS = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


class CourseEnrolmentQuerySet(ScopedQuerySet["CourseEnrolment"]):
    # Seen by the school's officers and by the officers of the member's own union.
    scope_fields = ("term__course__org__path", "org__path")


class CourseEnrolment(models.Model):
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    # The member's union when they enrolled (members move; reports must not).
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    person_index = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    fee_due = MoneyField(_("fee due (yuan)"))
    member_price = models.BooleanField(_("member price"), default=False)
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = CourseEnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "person_index"],
                condition=Q(status__in=LIVE_ENROLMENTS),
                name="enrolment_one_live_per_person",
            ),
            models.CheckConstraint(condition=Q(fee_due__gte=0), name="enrolment_fee_valid"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="enrolment_user_status_idx")]

    def __str__(self) -> str:
        return f"{self.term_id}/{self.pk}"

    def audit_value(self, field: str) -> str | int | Decimal | None:
        if field == "person_index":
            return "***"
        value: str | int | Decimal | None = getattr(self, field)
        return value


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="attendance")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id}"


class CertificateQuerySet(ScopedQuerySet["Certificate"]):
    scope_fields = ("enrolment__term__course__org__path", "enrolment__org__path")


class Certificate(models.Model):
    enrolment = models.OneToOneField(CourseEnrolment, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    # The key of the public verify page: random, so that certificates cannot be enumerated.
    token = models.CharField(max_length=32, unique=True, editable=False)
    attended = models.PositiveSmallIntegerField(_("sessions attended"))
    sessions = models.PositiveSmallIntegerField(_("sessions"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
