"""`gonghui purge-roster-exports`: delete the files (personal data) and records of roster exports
older than their retention (24 hours). Starting an export deletes expired ones too, but run this
daily from cron or a systemd timer so that a file never outlives its day by much when nobody
exports for a while. Prints how many were deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.members.services.exports import purge_expired_exports


class Command(BaseCommand):
    help = "Delete roster exports (files and records) past their retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired_exports()
        with translation.override("zh-hans"):
            self.stdout.write(_("Expired roster exports deleted: %(count)s") % {"count": deleted})
