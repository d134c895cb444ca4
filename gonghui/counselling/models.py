"""Psychological counselling (心理咨询): counsellors, their bookable hours (slots), members'
bookings and the counsellors' session notes.

Privacy is the point of this app (see selectors.py, the one place that rule lives): what a
booking is about — the topic, the member's message, the counsellor's notes and cancellation
reason — is seen by the member and the counsellor only. Officers who manage the service see
counts, never a booking. The message, notes and reason are encrypted at rest.

A slot is booked once, by the database: booking is `UPDATE slot SET status = 'booked' WHERE
status = 'open'`, and at most one live booking per slot is a partial unique index behind it.
A member's cancellation opens the slot again, so a slot may carry several cancelled bookings
and one live one; hence a foreign key with that index rather than a one-to-one field.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.orgs.models import Org
from gonghui.orgs.scoping import ScopedQuerySet


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class CounsellorQuerySet(ScopedQuerySet["Counsellor"]):
    def active(self) -> CounsellorQuerySet:
        return self.filter(is_active=True, user__is_active=True)


class Counsellor(models.Model):
    """A counsellor's sign-in (an officer-kind `User` holding no role anywhere) and what members
    see of them. `org` is the union that offers the service: its officers manage the counsellor,
    and its whole subtree's members may book."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counsellor")
    org = models.ForeignKey(
        Org, verbose_name=_("offering union"), on_delete=models.PROTECT, related_name="counsellors"
    )
    display_name = models.CharField(_("name shown to members"), max_length=60)
    qualifications = models.CharField(_("qualifications"), max_length=300)
    offers_online = models.BooleanField(_("offers online sessions"), default=True)
    offers_in_person = models.BooleanField(_("offers in-person sessions"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CounsellorQuerySet.as_manager()

    class Meta:
        verbose_name = _("counsellor")
        verbose_name_plural = _("counsellors")
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(offers_online=True) | Q(offers_in_person=True), name="counsellor_has_a_mode"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def offers(self, mode: str) -> bool:
        return self.offers_online if mode == Mode.ONLINE else self.offers_in_person


class SlotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Withdrawn")


class SlotQuerySet(ScopedQuerySet["Slot"]):
    scope_fields = ("counsellor__org__path",)

    def bookable(self) -> SlotQuerySet:
        return self.filter(
            status=SlotStatus.OPEN,
            starts_at__gt=timezone.now(),
            counsellor__is_active=True,
            counsellor__user__is_active=True,
        )


class Slot(models.Model):
    counsellor = models.ForeignKey(Counsellor, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("counselling slot")
        verbose_name_plural = _("counselling slots")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["counsellor", "starts_at"], name="slot_one_per_start"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=240),
                name="slot_duration_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode="online") | ~Q(location=""), name="slot_in_person_has_location"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="slot_status_start_idx")]

    def __str__(self) -> str:
        return f"{self.counsellor_id}/{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def place(self) -> str:
        """Where the session happens, as members read it."""
        return str(_("Online")) if self.mode == Mode.ONLINE else self.location


class Topic(models.TextChoices):
    WORK_STRESS = "work_stress", _("Work pressure")
    RELATIONSHIPS = "relationships", _("Family and relationships")
    EMOTIONS = "emotions", _("Mood and emotions")
    CAREER = "career", _("Career and development")
    CHILDREN = "children", _("Children and parenting")
    OTHER = "other", _("Other")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Session held")
    NO_SHOW = "no_show", _("Did not come")


LIVE_STATUSES = (BookingStatus.BOOKED, BookingStatus.DONE, BookingStatus.NO_SHOW)


class CancelledBy(models.TextChoices):
    MEMBER = "member", _("The member")
    COUNSELLOR = "counsellor", _("The counsellor")


class BookingQuerySet(ScopedQuerySet["Booking"]):
    # Only ever aggregated for officers (selectors.booking_counts): never listed to them.
    scope_fields = ("slot__counsellor__org__path",)


class Booking(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_index = models.CharField(max_length=64, editable=False)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    message = EncryptedTextField(_("message to the counsellor"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    cancelled_by = models.CharField(_("cancelled by"), max_length=10, choices=CancelledBy.choices, blank=True)
    cancel_reason = EncryptedTextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    ended_at = models.DateTimeField(_("cancelled or closed at"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("counselling booking")
        verbose_name_plural = _("counselling bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=LIVE_STATUSES), name="booking_one_live_per_slot"
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="booking_user_status_idx")]

    def __str__(self) -> str:
        # Audit rows keep this: an id, nothing about the person or the content.
        return f"#{self.pk}"


class SessionNote(models.Model):
    """The counsellor's own notes on one booking, for them alone (the member does not see them)."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="note")
    text = EncryptedTextField(_("notes"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")

    def __str__(self) -> str:
        return f"#{self.booking_id}"
