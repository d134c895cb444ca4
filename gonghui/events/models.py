"""Events with limited places (活动报名): recuperation trips, health checks, screenings, summer
childcare, mixers, culture and sports. A member signs up; the places are held exactly by the
database, not by Python:

- `Event.taken` only goes up by a conditional UPDATE (`taken = taken + 1 WHERE taken < places`),
  with a CHECK constraint `0 <= taken <= places` behind it; whoever the UPDATE does not let in
  joins the waiting list;
- a person has at most one live sign-up per event: a partial unique index on (event, person)
  among sign-ups that are not cancelled or removed, so a double tap or a second phone cannot
  sign up twice;
- "one recuperation trip a year": a sign-up holding a place on a recuperation trip carries the
  trip's year in `quota_year`, and (person, quota_year) is unique, so two trips of one year can
  never both hold a place of the same person, whatever runs at the same time;
- the waiting list is ordered by `queue_number`, handed out by an UPDATE of the event's
  `waiting_seq` counter in the sign-up's own transaction, so a rolled-back sign-up leaves no gap.

A person is their ID number's blind index (`person_index`), as in benefits claims.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.members.models import Sex
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet


class EventKind(models.TextChoices):
    RECUPERATION_TRIP = "recuperation_trip", _("Recuperation trip")
    HEALTH_CHECK = "health_check", _("Health check")
    CANCER_SCREENING = "cancer_screening", _("Cervical and breast cancer screening")
    SUMMER_CHILDCARE = "summer_childcare", _("Summer childcare class")
    SOCIAL_MIXER = "social_mixer", _("Singles mixer")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    OTHER = "other", _("Other event")


class Allocation(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Lottery after sign-up closes")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Ended")
    CANCELLED = "cancelled", _("Called off")


class EventAction(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel the event")


EVENT_TRANSITIONS = TransitionTable(
    EventStatus,
    [
        Transition(
            EventAction.PUBLISH,
            frozenset({EventStatus.DRAFT}),
            EventStatus.PUBLISHED,
            Perm.EVENTS_CHANGE,
            held_on="organiser",
        ),
        Transition(
            EventAction.CLOSE,
            frozenset({EventStatus.PUBLISHED}),
            EventStatus.CLOSED,
            Perm.EVENTS_CHANGE,
            held_on="organiser",
        ),
        Transition(
            EventAction.CANCEL,
            frozenset({EventStatus.DRAFT, EventStatus.PUBLISHED}),
            EventStatus.CANCELLED,
            Perm.EVENTS_CHANGE,
            held_on="organiser",
        ),
    ],
)

MAX_PLACES = 100_000


class EventQuerySet(ScopedQuerySet["Event"]):
    def listed(self) -> EventQuerySet:
        """What members and visitors may see: published and closed events."""
        return self.filter(status__in=(EventStatus.PUBLISHED, EventStatus.CLOSED))


class Event(TimeStampedModel):
    org = models.ForeignKey(
        Org, verbose_name=_("organising union"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200)
    # WGS-84 degrees, as the browser's geolocation gives them.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    signup_opens_at = models.DateTimeField(_("sign-up opens at"))
    signup_closes_at = models.DateTimeField(_("sign-up closes at"))
    places = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(_("places taken"), default=0)
    waiting_seq = models.PositiveIntegerField(default=0, editable=False)
    fee = MoneyField(_("fee (yuan)"), default=0)
    allocation = models.CharField(_("allocation"), max_length=12, choices=Allocation.choices)
    # Eligibility: an active member of the eligible subtree, always.
    eligible_org = models.ForeignKey(
        Org, verbose_name=_("for members of"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(_("only for"), default=list, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    # Lottery: the seed is made at publishing and shown from then on (benefits/services/lottery.py).
    seed = models.CharField(_("lottery seed"), max_length=64, blank=True)
    entries_digest = models.CharField(_("entries digest"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="event_status_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_dates_valid"),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at"))
                & Q(signup_closes_at__lte=F("starts_at")),
                name="event_signup_window_valid",
            ),
            models.CheckConstraint(
                condition=Q(places__gte=1) & Q(taken__lte=F("places")), name="event_places_valid"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="event_fee_valid"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="event_age_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_lottery(self) -> bool:
        return self.allocation == Allocation.LOTTERY

    @property
    def is_free(self) -> bool:
        return bool(self.fee == 0)

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.taken)

    @property
    def event_date(self) -> date:
        """The local date the event starts on: ages and the yearly quota count from it."""
        return timezone.localdate(self.starts_at)

    def signup_state(self, now: datetime | None = None) -> str:
        """ "upcoming", "open" or "ended", from the clock alone."""
        now = now or timezone.now()
        if now < self.signup_opens_at:
            return "upcoming"
        if now >= self.signup_closes_at:
            return "ended"
        return "open"


class EventHistory(TransitionRecord):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from status"), max_length=32, choices=EventStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, choices=EventStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("event history")
        verbose_name_plural = _("event history")


class SignUpStatus(models.TextChoices):
    ENTERED = "entered", _("In the draw")
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITING = "waiting", _("On the waiting list")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Sign-up cancelled")
    REMOVED = "removed", _("Removed by the organiser")


# Sign-ups that still count: one of these per person and event (the partial unique index).
LIVE_STATUSES = (
    SignUpStatus.ENTERED,
    SignUpStatus.CONFIRMED,
    SignUpStatus.WAITING,
    SignUpStatus.ATTENDED,
    SignUpStatus.NO_SHOW,
)
# Sign-ups that hold one of the event's places.
PLACE_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED, SignUpStatus.NO_SHOW)


class SignUpQuerySet(ScopedQuerySet["SignUp"]):
    # Seen by the event's organisers and by the officers of the member's own union.
    scope_fields = ("event__org__path", "org__path")

    def live(self) -> SignUpQuerySet:
        return self.filter(status__in=LIVE_STATUSES)


class SignUp(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="signups")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    # The member's union when they signed up, for reports by org (members move; reports must not).
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    person_index = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SignUpStatus.choices)
    queue_number = models.PositiveIntegerField(_("waiting list number"), null=True, blank=True)
    # Lottery only: the public entry code the draw ranks.
    code = models.CharField(_("entry code"), max_length=16, blank=True)
    quota_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("place confirmed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("cancelled or removed at"), null=True, blank=True)
    attended_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person_index"],
                condition=Q(status__in=LIVE_STATUSES),
                name="signup_one_live_per_person",
            ),
            models.UniqueConstraint(
                fields=["person_index", "quota_year"],
                condition=Q(quota_year__isnull=False),
                name="signup_one_trip_per_year",
            ),
            models.UniqueConstraint(
                fields=["event", "queue_number"],
                condition=Q(queue_number__isnull=False),
                name="signup_queue_number_unique",
            ),
            models.UniqueConstraint(
                fields=["event", "code"], condition=~Q(code=""), name="signup_entry_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "queue_number"], name="signup_event_status_idx"),
            models.Index(fields=["user", "status"], name="signup_user_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.pk}"

    def audit_value(self, field: str) -> str | int | None:
        if field == "person_index":
            return "***"
        value: str | int | None = getattr(self, field)
        return value


class Feedback(models.Model):
    """What an attended member thought of the event: 1–5 stars and an optional comment, once."""

    signup = models.OneToOneField(SignUp, on_delete=models.PROTECT, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signup_id}: {self.rating}"


class CalendarFeed(models.Model):
    """A member's personal calendar address (.ics): the token is the only key, so it is long and
    random; making a new one revokes the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}"
