"""Reminders the day before an event: one SMS to each person holding a place, once.

`send_due_reminders` is run every hour (docs/events.md): it finds the confirmed sign-ups of
published events starting within the next 24 hours that were not reminded yet. Each sign-up is
claimed by `UPDATE … SET reminded_at = now WHERE reminded_at IS NULL` before its text is sent,
so two runs at the same moment, or a run repeated after a crash, never text a person twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.core.sms import send_sms
from gonghui.events.models import EventStatus, SignUp, SignUpStatus

REMIND_HOURS_BEFORE = 24
BATCH = 500


def send_due_reminders(now: datetime | None = None) -> int:
    """Text every confirmed person whose event starts within the next day; how many were sent."""
    now = now or timezone.now()
    due = (
        SignUp.objects.filter(
            status=SignUpStatus.CONFIRMED,
            reminded_at__isnull=True,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + timedelta(hours=REMIND_HOURS_BEFORE),
        )
        .select_related("event", "member")
        .order_by("id")
    )
    sent = 0
    last_id = 0
    while True:
        batch = list(due.filter(id__gt=last_id)[:BATCH])
        if not batch:
            return sent
        for signup in batch:
            last_id = signup.pk
            if not SignUp.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another run has it
            mobile = signup.member.mobile
            if not mobile:
                continue
            event = signup.event
            text = _(
                "[%(site)s] Reminder: “%(title)s” starts at %(time)s, %(address)s. Bring your member "
                "card for check-in. If you cannot come, please cancel in the member portal."
            ) % {
                "site": settings.GONGHUI_SITE_NAME,
                "title": event.title,
                "time": date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT"),
                "address": event.address,
            }
            send_sms(mobile, text)
            sent += 1
