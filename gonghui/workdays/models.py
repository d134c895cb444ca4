"""Data of working days and deadlines.

The calendar and the rules are the city's, not an org's: one calendar for every union, changed only
by a holder of `calendar.change` on the root federation. So neither model is scoped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    # A holiday turns a weekday into a rest day; a make-up working day (调休上班) turns a weekend day
    # into a working day. Ordinary weekdays and weekends need no row.
    HOLIDAY = "holiday", _("Public holiday (rest day)")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=40, help_text=_("The holiday it belongs to, e.g. 春节."))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]), name="workdays_calendarday_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.get_kind_display()} {self.name}"


class DeadlineUnit(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


class DeadlineRule(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    # Signed: a negative count is a date before the start (a reminder 90 days before an expiry).
    days = models.IntegerField(_("days"))
    unit = models.CharField(_("unit"), max_length=8, choices=DeadlineUnit.choices)
    roll_to_working_day = models.BooleanField(
        _("move to the next working day when the last day is a rest day"), default=False
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__in=["calendar", "working"]), name="workdays_deadlinerule_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
