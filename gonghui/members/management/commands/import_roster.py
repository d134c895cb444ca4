"""`gonghui import-roster FILE --union CODE --mode check|all|valid [--report OUT.xlsx]`: a roster
imported from the command line, as the console does it but without a background job (for
migrations from an old system, or a scheduled import). The summary is printed in Chinese; the
exit status says how it went, so that a script can stop on a bad file:

    0  every row was imported (or, checking only, could be); members already in the union count as fine
    1  some rows were rejected: see the printed problems or the report
    2  nothing was read: the file, the union or an argument was refused
"""

from __future__ import annotations

import os
import shutil
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.members.models import RosterImport, RosterImportMode, RosterProblemLevel
from gonghui.members.services.imports import import_roster_file, summary
from gonghui.orgs.models import Org

EXIT_REJECTED = 1
EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import a roster of members (.xlsx, .xls, .ods or .csv) into a union. Exit status: 0 when every "
        "row was fine, 1 when some rows were rejected, 2 when the file, union or arguments were refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The roster file")
        parser.add_argument("--union", required=True, help="The code of the union the members join")
        parser.add_argument(
            "--mode",
            choices=RosterImportMode.values,
            default=RosterImportMode.CHECK,
            help="check: write nothing; all: write nothing if any row is bad; valid: import the good rows",
        )
        parser.add_argument("--report", help="Write the report workbook (.xlsx) to this path")
        parser.add_argument(
            "--actor",
            help="Username of the officer the import is done for (checked and audited); default: the system",
        )
        parser.add_argument(
            "--problems", type=int, default=20, help="How many problems to print (default 20)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        org = Org.objects.filter(code=options["union"]).first()
        if org is None:
            raise CommandError(
                _("There is no union with the code %(code)s.") % {"code": options["union"]},
                returncode=EXIT_REFUSED,
            )
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("There is no account with the username %(name)s.") % {"name": options["actor"]},
                    returncode=EXIT_REFUSED,
                )
        if not os.path.isfile(options["file"]):
            raise CommandError(
                _("There is no file %(path)s.") % {"path": options["file"]}, returncode=EXIT_REFUSED
            )
        try:
            roster_import = import_roster_file(
                options["file"], org=org, mode=options["mode"], actor=actor, progress=self._progress(options)
            )
        except DomainError as error:
            raise CommandError(error.message, returncode=EXIT_REFUSED) from None
        self.stdout.write(summary(roster_import))
        self._print_problems(roster_import, options["problems"])
        if options["report"]:
            self._write_report(roster_import, options["report"])
        if roster_import.rejected_count:
            # Django's CommandError prints its message and exits with the code given.
            raise CommandError(
                _("%(count)s rows were rejected.") % {"count": roster_import.rejected_count},
                returncode=EXIT_REJECTED,
            )

    def _progress(self, options: dict[str, Any]) -> Any:
        verbose = options["verbosity"] >= 2

        def progress(done: int, total: int, message: str) -> None:
            if verbose:
                self.stderr.write(message)

        return progress

    def _print_problems(self, roster_import: RosterImport, limit: int) -> None:
        problems = roster_import.problems.exclude(level=RosterProblemLevel.NOTE).order_by("row", "pk")
        for problem in problems[: max(limit, 0)]:
            if problem.column_letter:
                where = _("Row %(row)s, column %(letter)s (%(column)s)") % {
                    "row": problem.row,
                    "letter": problem.column_letter,
                    "column": problem.column,
                }
            else:
                where = _("Row %(row)s") % {"row": problem.row}
            self.stdout.write(_("%(where)s: %(problem)s") % {"where": where, "problem": problem.message})
        left = problems.count() - max(limit, 0)
        if left > 0:
            self.stdout.write(_("… and %(count)s more problems: see the report.") % {"count": left})

    def _write_report(self, roster_import: RosterImport, path: str) -> None:
        if not roster_import.report:
            return
        try:
            with roster_import.report.open("rb") as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)
        except OSError as exc:
            raise CommandError(
                _("The report cannot be written to %(path)s: %(why)s") % {"path": path, "why": exc.strerror},
                returncode=EXIT_REFUSED,
            ) from None
        self.stdout.write(_("The report is in %(path)s.") % {"path": path})
