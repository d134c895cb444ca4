"""`gonghui send_event_reminders`: text the people holding a place at an event that starts
within the next 24 hours, once each. Run it every hour from cron or a systemd timer; with
`--enqueue` it only puts the task on the queue for a task worker (docs/events.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.events.services.reminders import send_due_reminders
from gonghui.events.tasks import send_event_reminders_task


class Command(BaseCommand):
    help = "Send the day-before reminders of events (once per sign-up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the task for a worker instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            if options["enqueue"]:
                send_event_reminders_task.enqueue()
                self.stdout.write(_("Event reminders queued."))
                return
            sent = send_due_reminders()
            self.stdout.write(_("Event reminders sent: %(count)s") % {"count": sent})
