"""Background work of the members app (Django Tasks). See docs/tasks.md."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.jobs.services import job_step, report_progress
from gonghui.members.services.exports import run_roster_export
from gonghui.members.services.imports import run_roster_import, summary

# Inside the one transaction of an all-or-nothing import, progress goes through a connection of
# its own (a thread's), at most this often: written in the import's transaction it would show
# only at the end.
SIDE_PROGRESS_SECONDS = 1.0


def _reporter(job_id: int) -> Callable[[int, int, str], None]:
    last = [0.0]
    # Transactions open when the task starts (none under a worker; the test's own in a test)
    # are not the import's: only one the import opened hides the progress it writes.
    outer = len(connection.atomic_blocks)

    def report(done: int, total: int, message: str) -> None:
        if len(connection.atomic_blocks) <= outer:
            report_progress(job_id, done, total, message)
            return
        # SQLite has one writer, which is the import itself: the bar waits for the commit.
        if connection.vendor != "postgresql" or time.monotonic() - last[0] < SIDE_PROGRESS_SECONDS:
            return
        last[0] = time.monotonic()

        def side() -> None:
            try:
                report_progress(job_id, done, total, message)
            finally:
                connections.close_all()

        thread = threading.Thread(target=side, name="roster-import-progress")
        thread.start()
        thread.join()

    return report


@task(queue_name="imports")
def run_roster_import_task(job_id: int, roster_import_id: int) -> None:
    """Import an uploaded roster of members (see services.imports)."""
    with job_step(job_id) as step:
        roster_import = run_roster_import(roster_import_id, progress=_reporter(job_id))
        step.message = summary(roster_import)
        step.result = {
            "roster_import": roster_import.pk,
            "rows": roster_import.rows_total,
            "imported": roster_import.imported_count,
            "skipped": roster_import.skipped_count,
            "rejected": roster_import.rejected_count,
            "problems": roster_import.problem_count,
        }


@task(queue_name="reports")
def run_roster_export_task(job_id: int, roster_export_id: int) -> None:
    """Write a roster export into the file storage (see services.exports). It only reads, outside
    any long transaction, so each batch's progress shows at once."""
    with job_step(job_id) as step:
        export = run_roster_export(
            roster_export_id, progress=lambda done, total: report_progress(job_id, done, total)
        )
        step.message = _("%(rows)s members exported.") % {"rows": export.rows}
        step.result = {"roster_export": export.pk, "rows": export.rows}
