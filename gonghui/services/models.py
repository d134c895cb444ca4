"""Service points (会站家): outdoor workers' stations (户外劳动者服务站 / 爱心驿站), nursing rooms
(妈咪暖心小屋), workers' reading rooms (职工书屋), member homes (职工之家) — places a worker can go.

A `ServicePoint` belongs to the union that runs it (`org`). Its printed QR code carries the
point's `checkin_code`, so a `Visit` records someone who stood in front of the poster, not
someone who opened the page at home; a new code (a reprint) retires the old posters. A visitor
checks in at most once a day per point (unique (point, user, day)) and may rate that visit once
(`Rating`, 1–5 with an optional comment). The yearly "best station" ranking is computed from the
visits and ratings of the year (gonghui.services.selectors.ranking).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.orgs.models import Org
from gonghui.orgs.scoping import ScopedQuerySet

MAX_NAME = 120
MAX_COMMENT = 300


class PointKind(models.TextChoices):
    OUTDOOR_WORKER_STATION = "outdoor_worker_station", _("Outdoor workers' station")
    NURSING_ROOM = "nursing_room", _("Nursing room for mothers")
    READING_ROOM = "reading_room", _("Workers' reading room")
    MEMBER_HOME = "member_home", _("Member home")
    OTHER = "other", _("Other service point")


class Facility(models.TextChoices):
    WATER = "water", _("Drinking water")
    MICROWAVE = "microwave", _("Microwave")
    CHARGING = "charging", _("Phone and e-bike charging")
    TOILET = "toilet", _("Toilet")
    REST_AREA = "rest_area", _("Rest area")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning or heating")
    FIRST_AID = "first_aid", _("First-aid kit")
    WIFI = "wifi", _("Wi-Fi")
    REPAIR_TOOLS = "repair_tools", _("Repair tools")
    BOOKS = "books", _("Books and newspapers")
    NURSING = "nursing", _("Nursing and baby changing")


class PointStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Temporarily closed")
    CLOSED = "closed", _("Closed for good")


class ServicePointQuerySet(ScopedQuerySet["ServicePoint"]):
    def listed(self) -> ServicePointQuerySet:
        """What the portal shows: open points and those closed for a while (said on the page)."""
        return self.filter(status__in=[PointStatus.OPEN, PointStatus.PAUSED])


class ServicePoint(TimeStampedModel):
    org = models.ForeignKey(Org, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=PointKind.choices)
    name = models.CharField(_("name"), max_length=MAX_NAME)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    address = models.CharField(_("address"), max_length=200)
    district = models.CharField(_("district"), max_length=40, blank=True)
    # WGS-84 degrees, as the browser's geolocation gives them; six places are about 0.1 m.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100)
    facilities = models.JSONField(_("facilities"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=PointStatus.choices, default=PointStatus.OPEN
    )
    checkin_code = models.CharField(_("check-in code"), max_length=32, unique=True, editable=False)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "kind"], name="services_point_status_kind_idx"),
            models.Index(fields=["latitude", "longitude"], name="services_point_position_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="services_point_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServicePointPhotoQuerySet(ScopedQuerySet["ServicePointPhoto"]):
    scope_fields = ("point__org__path",)


class ServicePointPhoto(models.Model):
    point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="photos")
    # Public (gonghui.core.media serves /media/services/): a photo of a place, never of a person's papers.
    image = models.ImageField(_("photo"), upload_to="services/points/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ServicePointPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("service point photo")
        verbose_name_plural = _("service point photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class VisitQuerySet(ScopedQuerySet["Visit"]):
    scope_fields = ("point__org__path",)


class Visit(models.Model):
    point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visited_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("checked in at"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["point", "visited_on"], name="services_visit_point_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["point", "user", "visited_on"], name="services_visit_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.visited_on}"


class RatingQuerySet(ScopedQuerySet["Rating"]):
    scope_fields = ("visit__point__org__path",)


class Rating(models.Model):
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=MAX_COMMENT, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="services_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.score}"
