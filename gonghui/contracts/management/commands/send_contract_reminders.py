"""`gonghui send-contract-reminders`: text the unions whose collective contracts reach their
expiry reminder day (rule contracts.expiry_reminder), once per contract, and set the contracts
whose term has ended to expired. Run it daily from cron or a systemd timer (docs/contracts.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.contracts.services.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the expiry reminders of collective contracts and expire the ended ones."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            result = send_due_reminders()
            self.stdout.write(
                _("Contract reminders: %(reminded)s due, %(texted)s texted; contracts expired: %(expired)s")
                % {"reminded": result.reminded, "texted": result.texted, "expired": result.expired}
            )
