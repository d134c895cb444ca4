"""Benchmark of the demo city loader on PostgreSQL: rows per second per table, total time, and
COPY against bulk_create on the same sample.

    createdb -h 127.0.0.1 -U postgres gonghui_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench \\
        .venv/bin/python bench/seed_city.py --scale district

The database is migrated, any demo city in it is removed, and the chosen scale is loaded (and
committed: the database is left with the demo city in it). The comparison runs first, on the
`--sample` scale, inside transactions that are rolled back.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="district")
    parser.add_argument("--sample", default="district", help="scale of the COPY/bulk_create comparison")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--workers", type=int, default=None, help="member worker processes (default: CPUs - 1)"
    )
    args = parser.parse_args()
    django.setup()

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database: this benchmark measures COPY.")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    cpus = os.cpu_count() or 1
    workers = args.workers if args.workers is not None else max(1, cpus - 1)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {cpus} CPUs · PostgreSQL {server}"
    )

    from gonghui.orgs.demo.loader import demo_root, reset_demo

    if demo_root() is not None:
        reset_demo()
    compare(args.sample, args.seed)
    full_load(args.scale, args.seed, workers)


def compare(scale_name: str, seed: int) -> None:
    """Each table the way the loader writes it (COPY) against bulk_create, same rows, same run.

    Timed: building the rows from the generated specs (encryption included) and inserting them;
    generating the specs is done once beforehand and not timed.
    """
    from django.db import connection, transaction

    from gonghui.members.models import Member
    from gonghui.orgs.demo.bulk import bulk_insert, copy_text, insert_fields
    from gonghui.orgs.demo.generator import LANES, SCALES, generate_city, lane_members
    from gonghui.orgs.demo.loader import (
        key_bases_after_existing_rows,
        next_root_step,
        org_instances,
        workplace_instances,
    )
    from gonghui.orgs.demo.members import MemberCopyLines, member_instance
    from gonghui.orgs.models import Org, Workplace

    city = generate_city(SCALES[scale_name], seed, root_step=next_root_step())
    bases = key_bases_after_existing_rows()
    specs = [spec for lane in range(LANES) for spec in lane_members(city, lane)]

    def copy_members() -> None:
        lines = MemberCopyLines(bases, connection)
        copy_text(Member, insert_fields(Member), map(lines, specs))

    inserts: dict[str, dict[str, Callable[[], object]]] = {
        "orgs": {
            "copy": lambda: bulk_insert(Org, org_instances(city, bases), method="copy"),
            "bulk_create": lambda: bulk_insert(Org, org_instances(city, bases), method="bulk_create"),
        },
        "workplaces": {
            "copy": lambda: bulk_insert(Workplace, workplace_instances(city, bases), method="copy"),
            "bulk_create": lambda: bulk_insert(
                Workplace, workplace_instances(city, bases), method="bulk_create"
            ),
        },
        "members": {
            "copy": copy_members,
            "bulk_create": lambda: bulk_insert(
                Member, (member_instance(spec, bases) for spec in specs), method="bulk_create"
            ),
        },
    }
    rows = {"orgs": len(city.orgs), "workplaces": len(city.workplaces), "members": len(specs)}
    seconds: dict[tuple[str, str], float] = {}
    for method in ("copy", "bulk_create"):
        with transaction.atomic():
            for table, by_method in inserts.items():
                started = time.perf_counter()
                by_method[method]()
                seconds[table, method] = time.perf_counter() - started
            transaction.set_rollback(True)
    print(f"\nCOPY vs bulk_create, same {scale_name} sample, one process (rows built and inserted):")
    print(f"  {'table':<11} {'rows':>8} {'COPY rows/s':>12} {'bulk_create rows/s':>19} {'ratio':>6}")
    for table, count in rows.items():
        copy, bulk = count / seconds[table, "copy"], count / seconds[table, "bulk_create"]
        print(f"  {table:<11} {count:>8,} {copy:>12,.0f} {bulk:>19,.0f} {copy / bulk:>5.1f}x")


def full_load(scale_name: str, seed: int, workers: int) -> None:
    from gonghui.orgs.demo.generator import SCALES, generate_city
    from gonghui.orgs.demo.loader import load_demo, next_root_step
    from gonghui.orgs.demo.progress import Progress

    print(f"\nLoading the {scale_name} city with {workers} member worker process(es):")
    started = time.perf_counter()
    city = generate_city(SCALES[scale_name], seed, root_step=next_root_step())
    generated = time.perf_counter() - started
    print(f"  generated in {generated:.1f} s")
    progress = Progress(print, interval=15)
    load_demo(city, progress=progress, method="copy", workers=workers)
    total = time.perf_counter() - started
    print(f"\nSummary ({scale_name}):")
    for name, stats in progress.tables.items():
        rate = stats.rows_per_second
        print(f"  {name:<11} {stats.rows:>10,} rows {stats.seconds:>7.1f} s {rate:>9,.0f} rows/s")
    print(f"  total       {total:.1f} s (generation, load, demo accounts, commit)")


if __name__ == "__main__":
    main()
