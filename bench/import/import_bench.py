"""Benchmark of the roster import on PostgreSQL: a 100,000-row workbook with the faults real
rosters have, imported with full validation (`import_roster_file`, mode "valid"), against two
baselines on the same file in the same run, and the peak memory of checking a 1,000,000-row CSV.

    createdb -h 127.0.0.1 -U postgres gh_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_bench
    .venv/bin/uv sync --frozen --inexact --group bench     # django-import-export, for baseline (a)
    .venv/bin/python bench/import/import_bench.py          # about 6 minutes; --help for options

The database is migrated and, if it has no demo city, the `small` one is loaded. The roster goes
to the member-holding union that covers the most workplaces; everything an import writes is
deleted again after it, so every run (and every import in it) starts from the same database.

What is timed, from the file on disk to the rows committed:

* gonghui: `import_roster_file(mode="valid")` — streaming, every cell normalised and validated,
  duplicates, people active here or elsewhere, workplaces, encryption and blind indexes, COPY of
  the members (their events by one INSERT … SELECT), the problems stored and the report written.
* (a) django-import-export: its XLSX format (openpyxl) reads the file into a tablib Dataset, and
  a `ModelResource` with `use_bulk` writes it. To compare the frameworks and not the checks, its
  `before_import_row` runs the same row check as gonghui (`check_row`), the same duplicate and
  workplace rules, and a lookup of active members prepared per 2,000 rows in `before_import`
  (cheaper than the usual per-row query); `bulk_create` also writes the event of each member.
* (b) calamine + bare COPY: the rows as python-calamine reads them, each cell turned into COPY
  text and copied into a table of 12 text columns without indexes: no checks at all.

Memory: a 1,000,000-row CSV (same generator) is checked (mode "check": every row read,
validated and looked up, nothing written) in a child process, which prints its peak RSS.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
# Measured as production runs: with DEBUG on, Django keeps the text of the last 9,000 SQL
# statements, each lookup of 2,000 blind indexes among them (150 KB apiece).
os.environ.setdefault("DEBUG", "0")

GOAL_ROWS_PER_SECOND = 20_000
GOAL_VS_IMPORT_EXPORT = 6.0
GOAL_VS_COPY = 0.3
GOAL_MEMORY_MB = 500


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the workbook")
    parser.add_argument("--csv-rows", type=int, default=1_000_000, help="rows of the CSV (0: no memory test)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=1, help="imports of the workbook by gonghui")
    parser.add_argument("--no-import-export", action="store_true", help="leave out baseline (a)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile gonghui's import into FILE")
    parser.add_argument("--memory-child", nargs=2, metavar=("CSV", "ORG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    django.setup()
    if args.memory_child:
        memory_child(args.memory_child[0], int(args.memory_child[1]))
        return

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database: this benchmark measures COPY.")
    call_command("migrate", verbosity=0)
    from gonghui.orgs.demo.loader import demo_root

    if demo_root() is None:
        print("Loading the small demo city…")
        call_command("seed_demo", scale="small", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"PostgreSQL {server} · Python {platform.python_version()} · load {os.getloadavg()[0]:.1f}"
    )
    union, workplaces, existing = target()
    print(
        f"Union: {union.name} (id {union.pk}), {len(workplaces)} workplaces, "
        f"{len(existing.here)} members; {len(existing.elsewhere):,} active members elsewhere to repeat"
    )

    from roster_file import people, write_csv, write_xlsx

    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = os.path.join(folder, "roster.xlsx")
        started = time.perf_counter()
        rows, faults = people(args.rows, seed=args.seed, workplaces=workplaces, existing=existing)
        count = write_xlsx(path, rows)
        print(
            f"Workbook: {count:,} rows, {os.path.getsize(path) / 2**20:.1f} MB, written in "
            f"{time.perf_counter() - started:.1f} s; faults: {describe(faults)}"
        )
        results: dict[str, float] = {}
        results["copy"] = calamine_copy(path, count)
        ours = []
        for _ in range(args.repeat):
            ours.append(gonghui_import(path, union, count, args.profile))
        results["gonghui"] = max(ours)
        if not args.no_import_export:
            baseline = import_export_import(path, union, count)
            if baseline is not None:
                results["import_export"] = baseline
        summarise(results)
        if args.csv_rows:
            csv_path = os.path.join(folder, "roster.csv")
            started = time.perf_counter()
            rows, faults = people(args.csv_rows, seed=args.seed + 1, workplaces=workplaces, existing=existing)
            csv_count = write_csv(csv_path, rows)
            print(
                f"CSV: {csv_count:,} rows, {os.path.getsize(csv_path) / 2**20:.1f} MB, written in "
                f"{time.perf_counter() - started:.1f} s"
            )
            memory(csv_path, union.pk, csv_count)


def describe(faults: Counter[str]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in sorted(faults.items()))


# --------------------------------------------------------------------------------------------
# The target union and the people the roster repeats
# --------------------------------------------------------------------------------------------


def target() -> tuple[Any, list[Any], Any]:
    from django.db.models import Count
    from roster_file import Existing, Workplace

    from gonghui.members.models import Member, MemberStatus
    from gonghui.members.services.registry import MEMBER_HOLDING_KINDS
    from gonghui.orgs.models import Org, OrgStatus
    from gonghui.orgs.models import Workplace as WorkplaceModel

    union = (
        Org.objects.filter(kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE)
        .annotate(covered=Count("workplaces"))
        .order_by("-covered", "pk")
        .first()
    )
    assert union is not None
    workplaces = [
        Workplace(name, code)
        for name, code in WorkplaceModel.objects.filter(union=union)
        .order_by("pk")
        .values_list("name", "credit_code")
    ]
    existing = Existing()
    for id_number, org_id, status in Member.objects.values_list("id_number", "org_id", "status").iterator(
        5000
    ):
        existing.taken.add(id_number)
        if status == MemberStatus.ACTIVE:
            (existing.here if org_id == union.pk else existing.elsewhere).append(id_number)
    return union, workplaces, existing


class Written:
    """Deletes what an import wrote (members, their events, the import and its problems) so
    that the next import starts from the same database."""

    def __enter__(self) -> Written:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM members_member")
            self.member = cursor.fetchone()[0]
            cursor.execute("SELECT coalesce(max(id), 0) FROM members_memberevent")
            self.event = cursor.fetchone()[0]
            cursor.execute("SELECT coalesce(max(id), 0) FROM members_rosterimport")
            self.roster_import = cursor.fetchone()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        from django.db import connection

        from gonghui.members.models import Member, MemberEvent, RosterImport, RosterImportProblem

        with connection.cursor() as cursor:
            for model, above in (
                (RosterImportProblem, None),
                (MemberEvent, self.event),
                (Member, self.member),
                (RosterImport, self.roster_import),
            ):
                table = model._meta.db_table
                if model is RosterImportProblem:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE roster_import_id > %s",  # noqa: S608 (our table names)
                        [self.roster_import],
                    )
                else:
                    cursor.execute(f"DELETE FROM {table} WHERE id > %s", [above])  # noqa: S608
            # Dead rows and index entries of the deleted members would slow the next import.
            cursor.execute("VACUUM ANALYZE members_member, members_memberevent, members_rosterimportproblem")


# --------------------------------------------------------------------------------------------
# The three imports
# --------------------------------------------------------------------------------------------


class DatabaseCpu:
    """CPU time the PostgreSQL backends of this database spend meanwhile (the server runs on
    this machine): /proc is read five times a second, so that the backend of a connection that
    closes before the end (the import's writer thread) is counted up to its last reading."""

    def __init__(self) -> None:
        from django.db import connection

        self.marker = f" {connection.settings_dict['NAME']} "
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.ticks = os.sysconf("SC_CLK_TCK")

    def _read(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as file:
                    command = file.read().decode(errors="replace")
                if not command.startswith("postgres: ") or self.marker not in command:
                    continue
                with open(f"/proc/{entry.name}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            seconds = (int(fields[11]) + int(fields[12])) / self.ticks  # utime + stime
            self.first.setdefault(int(entry.name), seconds)
            self.last[int(entry.name)] = seconds

    def _poll(self) -> None:
        while not self.stop.wait(0.2):
            self._read()

    def __enter__(self) -> DatabaseCpu:
        self._read()
        # A backend that appears later started from nothing.
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._read()
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def rate(
    label: str,
    rows: int,
    seconds: float,
    detail: str = "",
    cpu: float | None = None,
    database: DatabaseCpu | None = None,
) -> float:
    """Print and return rows per second; `cpu` is this process's CPU time for the same work and
    `database` the server's, which a busy machine disturbs less than the wall-clock time."""
    per_second = rows / seconds
    spent = f", CPU: Python {cpu:.1f} s" if cpu is not None else ""
    if database is not None:
        spent += f" + PostgreSQL {database.seconds:.1f} s"
    print(
        f"  {label:<42} {rows:>9,} rows in {seconds:7.2f} s = {per_second:>7,.0f} rows/s"
        f" (load {os.getloadavg()[0]:.1f}{spent})  {detail}"
    )
    return per_second


def gonghui_import(path: str, union: Any, rows: int, profile: str | None) -> float:
    from django.core.cache import cache

    from gonghui.accounts.models import User
    from gonghui.members.services.imports import import_roster_file

    actor = User.objects.filter(is_superuser=True).order_by("pk").first()
    # The first use of the cache imports the Redis client (about a second): a worker pays that
    # once when it starts, not per import.
    cache.get("bench-import")
    with Written(), DatabaseCpu() as database:
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            outcome = profiler.runcall(
                import_roster_file, path, org=union, mode="valid", actor=actor, file_name="roster.xlsx"
            )
            profiler.dump_stats(profile)
        else:
            outcome = import_roster_file(path, org=union, mode="valid", actor=actor, file_name="roster.xlsx")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return rate(
        "gonghui import_roster_file (valid)",
        rows,
        seconds,
        f"imported {outcome.imported_count:,}, skipped {outcome.skipped_count:,}, "
        f"rejected {outcome.rejected_count:,} ({outcome.elsewhere_count:,} active elsewhere)",
        cpu,
        database,
    )


def calamine_copy(path: str, rows: int) -> float:
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    from gonghui.orgs.demo.bulk import copy_line

    columns = ", ".join(f"c{index} text" for index in range(12))
    started, cpu = time.perf_counter(), time.process_time()
    copied = 0
    with DatabaseCpu() as database, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_roster_copy ({columns})")
        with CalamineWorkbook.from_path(path) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            lines = iter(sheet.iter_rows())
            next(lines)  # the header
            with cursor.cursor.copy("COPY bench_roster_copy FROM STDIN") as copy:
                batch: list[str] = []
                for cells in lines:
                    batch.append(copy_line(tuple(cells)))
                    if len(batch) == 2000:
                        copy.write("".join(batch))
                        copied += len(batch)
                        batch = []
                copy.write("".join(batch))
                copied += len(batch)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        cursor.execute("DROP TABLE bench_roster_copy")
    assert copied == rows
    return rate("(b) calamine + bare COPY", rows, seconds, cpu=cpu, database=database)


def import_export_import(path: str, union: Any, rows: int) -> float | None:
    try:
        # Through importlib: the package is optional (the bench group) and has no type hints.
        XLSX = importlib.import_module("import_export.formats.base_formats").XLSX
    except ImportError:
        print(
            "  (a) left out: django-import-export is not installed "
            "(.venv/bin/uv sync --frozen --inexact --group bench)"
        )
        return None

    database = DatabaseCpu().__enter__()
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as file:
        dataset = XLSX().create_dataset(file.read())
    read = time.perf_counter() - started
    resource_class = import_export_resource()
    with Written():
        resource = resource_class(union)
        begun = time.perf_counter()
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=False)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        imported = time.perf_counter() - begun
        database.__exit__()
    if result.has_errors():
        print("  (a) failed:", result.base_errors[:1] or result.row_errors()[:1])
    rate(
        "(a) django-import-export, import only",
        rows,
        imported,
        f"new {result.totals['new']:,}, invalid {result.totals['invalid']:,}; "
        f"reading the file with openpyxl took {read:.1f} s more",
    )
    return rate("(a) django-import-export, file to database", rows, seconds, cpu=cpu, database=database)


def import_export_resource() -> Any:
    """A ModelResource doing what import_roster_file does, the way import-export is used."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    fields = importlib.import_module("import_export.fields")
    resources = importlib.import_module("import_export.resources")

    from gonghui.core.crypto import blind_index
    from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
    from gonghui.core.spreadsheets import StreamedTable
    from gonghui.members.models import Member, MemberEvent, MemberEventKind, MemberStatus
    from gonghui.members.services import imports as roster
    from gonghui.members.services.registry import NewMember, member_values
    from gonghui.orgs.models import Workplace

    attributes = [
        model_field.attname for model_field in Member._meta.concrete_fields if model_field.name != "id"
    ]
    context = Member._meta.get_field("id_number").context

    model_resource: Any = resources.ModelResource

    class RosterResource(model_resource):  # type: ignore[misc]
        locals().update({name: fields.Field(attribute=name, column_name=name) for name in attributes})

        class Meta:
            model = Member
            fields = tuple(attributes)
            use_bulk = True
            batch_size = 2000
            force_init_instance = True  # new members only: no lookup of an existing row per row
            skip_diff = True
            clean_model_instances = False  # the row check below validates; full_clean would query per FK

        def __init__(self, union: Any) -> None:
            super().__init__()
            self.union = union
            self.today = timezone.localdate()
            self.seen: set[str] = set()
            self.by_name = {
                roster._workplace_key(name): pk
                for pk, name in Workplace.objects.filter(union=union).values_list("pk", "name")
            }
            self.by_code = dict(Workplace.objects.filter(union=union).values_list("credit_code", "pk"))
            self.active: dict[str, int] = {}

        def before_import(self, dataset: Any, **kwargs: Any) -> None:
            self.table = StreamedTable(
                spec=roster.roster_spec(),
                format="xlsx",
                encoding="",
                header_row=1,
                columns={column.key: index for index, column in enumerate(roster.ROSTER_COLUMNS)},
                headers={column.key: column.header for column in roster.ROSTER_COLUMNS},
                header_cells=list(dataset.headers),
                row_bound=len(dataset),
                rows=iter(()),
            )
            indexes = []
            for cells in dataset:
                try:
                    indexes.append(blind_index(parse_id_number(str(cells[1])).value, context=context))
                except InvalidIdNumber:
                    continue
            for start in range(0, len(indexes), 2000):
                self.active.update(
                    Member.objects.filter(
                        status=MemberStatus.ACTIVE, id_number_index__in=indexes[start : start + 2000]
                    ).values_list("id_number_index", "org_id")
                )

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            cells = list(row.values())
            good, problems, _id = roster.check_row(self.table, kwargs["row_number"] + 1, cells, self.today)
            if good is None:
                raise ValidationError("; ".join(problem.message for problem in problems))
            if good.id_number.value in self.seen:
                raise ValidationError("duplicate")
            self.seen.add(good.id_number.value)
            workplace = None
            if good.workplace_ref is not None:
                kind, key, _written = good.workplace_ref
                workplace = (self.by_code if kind == "code" else self.by_name).get(key)
                if workplace is None:
                    raise ValidationError("workplace")
            values = member_values(
                NewMember(
                    name=good.name,
                    id_number=good.id_number,
                    org=self.union,
                    mobile=good.mobile,
                    workplace=Workplace(pk=workplace) if workplace else None,
                    categories=good.categories,
                    joined_on=good.joined_on,
                )
            )
            if values["id_number_index"] in self.active:
                raise ValidationError("active")
            for key in ("org", "workplace", "user"):
                related = values.pop(key)
                values[f"{key}_id"] = related.pk if related is not None else None
            row.update(values)

        def bulk_create(
            self,
            using_transactions: bool,
            dry_run: bool,
            raise_errors: bool,
            batch_size: Any = None,
            result: Any = None,
        ) -> None:
            members = list(self.create_instances)
            super().bulk_create(
                using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result
            )
            MemberEvent.objects.bulk_create(
                [
                    MemberEvent(
                        member_id=member.pk,
                        id_number_index=member.id_number_index,
                        org_id=member.org_id,
                        kind=MemberEventKind.IMPORTED,
                        note="import-export",
                    )
                    for member in members
                    if member.pk is not None
                ],
                batch_size=2000,
            )

    return RosterResource


# --------------------------------------------------------------------------------------------
# Summary and memory
# --------------------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def summarise(results: dict[str, float]) -> None:
    ours = results["gonghui"]
    print(
        f"gonghui {ours:,.0f} rows/s (goal ≥ {GOAL_ROWS_PER_SECOND:,}): "
        f"{verdict(ours >= GOAL_ROWS_PER_SECOND)}"
    )
    if "import_export" in results:
        ratio = ours / results["import_export"]
        print(
            f"  vs (a) django-import-export: {ratio:.1f}× (goal ≥ {GOAL_VS_IMPORT_EXPORT}×): "
            f"{verdict(ratio >= GOAL_VS_IMPORT_EXPORT)}"
        )
    ratio = ours / results["copy"]
    print(
        f"  vs (b) calamine + bare COPY: {ratio:.2f}× (goal ≥ {GOAL_VS_COPY}×): "
        f"{verdict(ratio >= GOAL_VS_COPY)}"
    )


def peak_rss_mb() -> float:
    """The process's peak resident set size (VmHWM). Not getrusage's ru_maxrss: Linux carries
    that over from the parent through fork and exec, so a child would report the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("No VmHWM in /proc/self/status: this measures memory on Linux only.")


def memory(csv_path: str, org_id: int, rows: int) -> None:
    completed = subprocess.run(  # noqa: S603 (this script, with our own arguments)
        [sys.executable, __file__, "--memory-child", csv_path, str(org_id)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        print(completed.stderr[-3000:])
        sys.exit("The memory test failed.")
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    rate("gonghui check of the CSV (check)", rows, outcome["seconds"], outcome["detail"], outcome["cpu"])
    print(
        f"  peak RSS {outcome['peak_mb']:.0f} MB (after start-up {outcome['start_mb']:.0f} MB) "
        f"(goal < {GOAL_MEMORY_MB} MB): {verdict(outcome['peak_mb'] < GOAL_MEMORY_MB)}"
    )


def memory_child(csv_path: str, org_id: int) -> None:
    from gonghui.members.services.imports import import_roster_file
    from gonghui.orgs.models import Org

    union = Org.objects.get(pk=org_id)
    start = peak_rss_mb()
    with Written():
        started, cpu = time.perf_counter(), time.process_time()
        outcome = import_roster_file(csv_path, org=union, mode="check", file_name="roster.csv")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    detail = (
        f"ready {outcome.ready_count:,}, skipped {outcome.skipped_count:,}, "
        f"rejected {outcome.rejected_count:,}"
    )
    print(
        json.dumps(
            {"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb(), "start_mb": start, "detail": detail}
        )
    )


if __name__ == "__main__":
    main()
