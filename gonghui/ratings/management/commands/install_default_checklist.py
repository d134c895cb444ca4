"""`manage.py install_default_checklist [--year N]`: the default six-haves checklist, published,
for every root federation that has no checklist for the year yet (idempotent)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.ratings.services import install_default_checklists


class Command(BaseCommand):
    help = (
        "Publish the default six-haves rating checklist for each root federation that has none for the year."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="The year (default: this year).")

    def handle(self, *args: Any, year: int | None, **options: Any) -> None:
        year = year or timezone.localdate().year
        try:
            created = install_default_checklists(year=year)
        except DomainError as error:
            raise CommandError(error.message) from error
        for checklist in created:
            self.stdout.write(f"Published “{checklist.title}” for {checklist.issued_by.name}.")
        if not created:
            self.stdout.write(f"Every root federation already has a checklist for {year}.")
