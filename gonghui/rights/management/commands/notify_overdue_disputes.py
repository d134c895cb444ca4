"""`gonghui notify-overdue-disputes`: tell the workers of open disputes whose mediation time
limit has passed that they may apply for arbitration (SMS and a message on their case page),
once per dispute. Run it daily from cron or a systemd timer (docs/rights.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.rights.services.overdue import notify_overdue_disputes


class Command(BaseCommand):
    help = "Tell workers whose dispute passed the mediation time limit that they may go to arbitration."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            told = notify_overdue_disputes()
            self.stdout.write(_("Workers told of a passed time limit: %(count)s") % {"count": told})
