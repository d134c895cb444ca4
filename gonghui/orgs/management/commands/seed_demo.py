"""`gonghui seed-demo`: load the demo city, its members and one account per role."""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gonghui.benefits.demo import TILL_USERNAME
from gonghui.legal.demo import LAWYER_USERNAME
from gonghui.orgs.demo.accounts import DEMO_PASSWORD, MEMBERS, OFFICERS
from gonghui.orgs.demo.bulk import resolve_method
from gonghui.orgs.demo.generator import SCALES, generate_city
from gonghui.orgs.demo.loader import demo_root, load_demo, next_root_step, reset_demo
from gonghui.orgs.demo.progress import Progress
from gonghui.orgs.services.coverage import refresh_coverage
from gonghui.rights.demo import MEDIATOR_USERNAME

# Below this many members the worker processes cost more to start than they save.
PARALLEL_MIN_MEMBERS = 100_000


class Command(BaseCommand):
    help = "Load a generated demo city (organisations, workplaces, members) and the demo accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale", choices=list(SCALES), default="small", help="Size of the city (default: small)."
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed: the same seed gives the same city."
        )
        parser.add_argument("--reset", action="store_true", help="Remove an existing demo city first.")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes preparing members for COPY on PostgreSQL; 0 means none, only this one "
            "(default: one per CPU but one for large scales, else 0).",
        )

    def handle(
        self, *args: Any, scale: str, seed: int, reset: bool, workers: int | None, **options: Any
    ) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed-demo writes invented people into the database; it refuses to run in production."
            )
        started = time.perf_counter()
        with transaction.atomic():
            if demo_root() is not None:
                if not reset:
                    self.stdout.write("The demo city is already loaded; use --reset to load it again.")
                    self.write_accounts()
                    return
                reset_demo()
                self.stdout.write("Removed the existing demo city.")
            city = generate_city(SCALES[scale], seed, root_step=next_root_step())
            self.stdout.write(
                f"Generated the {scale} city (seed {seed}) in {time.perf_counter() - started:.1f} s: "
                f"{len(city.orgs):,} organisations, {len(city.workplaces):,} workplaces, "
                f"{city.member_count:,} members."
            )
            load_demo(
                city, progress=Progress(self.stdout.write), workers=self.workers(workers, city.member_count)
            )
        self.stdout.write(f"Coverage figures computed in {refresh_coverage().seconds:.1f} s.")
        self.stdout.write(self.style.SUCCESS(f"Demo city loaded in {time.perf_counter() - started:.1f} s."))
        self.write_accounts()

    def workers(self, requested: int | None, members: int) -> int:
        if requested is not None:
            return requested
        if resolve_method("auto") != "copy" or members < PARALLEL_MIN_MEMBERS:
            return 0
        # One CPU is left to this process, which streams the rows, and to PostgreSQL.
        return max(1, (os.cpu_count() or 1) - 1)

    def write_accounts(self) -> None:
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in OFFICERS + MEMBERS:
            self.stdout.write(f"  {account.username:<18} {account.description}")
        self.stdout.write(f"  {TILL_USERNAME:<18} merchant till of a demo cinema (redeems vouchers only)")
        self.stdout.write(f"  {MEDIATOR_USERNAME:<18} mediator of a district's mediation centre")
        self.stdout.write(f"  {LAWYER_USERNAME:<18} volunteer lawyer (their assigned cases only)")
        self.stdout.write(
            "Federation-level officers (city.admin, district.officer, rights.handler, finance.officer,"
            " auditor) also need a one-time code: .venv/bin/gonghui demo-otp-code <username>"
        )
