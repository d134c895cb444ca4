"""Writing a generated demo city to the database, and removing it again.

Rows get explicit primary keys above every existing one (COPY cannot return generated keys),
so that foreign keys are known before anything is inserted; the id sequences are moved past
them at the end. Members are the bulk of the work (ID numbers and mobiles are encrypted and
blind-indexed one by one): on PostgreSQL, worker processes generate and encrypt them lane by
lane while this process streams their rows into one COPY, with the member table's indexes
dropped for the load and built once at the end.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q

from gonghui.accounts.models import User
from gonghui.assistance.demo import reset_demo_assistance, seed_demo_assistance
from gonghui.benefits.demo import reset_demo_benefits, seed_demo_benefits
from gonghui.contracts.demo import reset_demo_contracts, seed_demo_contracts
from gonghui.core.audit import record_audit
from gonghui.courses.demo import reset_demo_courses, seed_demo_courses
from gonghui.events.demo import reset_demo_events, seed_demo_events
from gonghui.legal.demo import reset_demo_legal, seed_demo_legal
from gonghui.members.models import JoinApplication, JoinRoute, Member, MemberEvent, MemberEventKind
from gonghui.mutualaid.demo import reset_demo_mutualaid, seed_demo_mutualaid
from gonghui.orgs.demo import names
from gonghui.orgs.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES, create_demo_accounts, scope_codes
from gonghui.orgs.demo.bulk import (
    Method,
    bulk_insert,
    copy_text,
    indexes_rebuilt_after,
    insert_fields,
    next_id,
    reset_sequences,
    resolve_method,
)
from gonghui.orgs.demo.generator import LANES, DemoCity, lane_members
from gonghui.orgs.demo.joining import seed_demo_join_routes
from gonghui.orgs.demo.members import KeyBases, MemberCopyLines, member_instance
from gonghui.orgs.demo.officers import load_officer_terms
from gonghui.orgs.demo.progress import Progress, TableStats
from gonghui.orgs.demo.worker import WorkerFailed, produce_copy_chunks
from gonghui.orgs.models import FederationLevel, Org, OrgKind, Workplace
from gonghui.ratings.demo import seed_demo_ratings
from gonghui.rights.demo import reset_demo_rights, seed_demo_rights
from gonghui.services.demo import reset_demo_services, seed_demo_services
from gonghui.supervision.demo import reset_demo_supervision, seed_demo_supervision

T = TypeVar("T")
CHUNK_ROWS = 2000
# Seconds without a chunk from any worker before checking that the workers are still alive.
_WORKER_POLL_SECONDS = 5.0


def key_bases_after_existing_rows() -> KeyBases:
    return KeyBases(org=next_id(Org), workplace=next_id(Workplace), member=next_id(Member))


@dataclass(frozen=True)
class CopyChunk:
    rows: int
    text: str


def demo_root() -> Org | None:
    city = Org.objects.filter(code=names.CITY_REGION, kind=OrgKind.FEDERATION, level=FederationLevel.CITY)
    root: Org | None = city.first()
    return root


def next_root_step() -> int:
    """treebeard numbers root nodes 1, 2, ...: the demo root goes after the existing ones."""
    last = Org.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    return Org._str2int(last) + 1 if last else 1


def load_demo(city: DemoCity, *, progress: Progress, method: Method = "auto", workers: int = 0) -> None:
    """Insert the whole city and its demo accounts in one transaction: all of it or nothing."""
    with transaction.atomic():
        load_city(city, progress=progress, method=method, workers=workers)
        create_demo_accounts(city)
        seed_demo_ratings(city)
        root = demo_root()
        if root is not None:
            seed_demo_join_routes(root)
            codes = scope_codes(city)
            district = Org.objects.get(code=codes["district"])
            members = city.member_count
            seed_demo_benefits(
                root, district=district, members=members, seed=city.seed, password=DEMO_PASSWORD
            )
            seed_demo_services(root, members=members, seed=city.seed)
            seed_demo_events(root, district=district, seed=city.seed)
            seed_demo_courses(root)
            seed_demo_assistance(root, district=district, members=members, seed=city.seed)
            unions = Org.objects.filter(code__in=[codes["union"], codes["gig_union"]]).order_by("path")
            seed_demo_mutualaid(root, unions=list(unions), seed=city.seed)
            seed_demo_rights(root, district=district, seed=city.seed)
            seed_demo_legal(root, district=district, seed=city.seed)
            seed_demo_supervision(root, district=district, seed=city.seed)
            seed_demo_contracts(root, district=district, seed=city.seed)
        record_audit(
            actor=None,
            action="orgs.seed_demo",
            obj=demo_root(),
            note=f"scale={city.scale.name} seed={city.seed} members={city.member_count}",
        )


def load_city(city: DemoCity, *, progress: Progress, method: Method = "auto", workers: int = 0) -> None:
    """`workers` processes prepare the members for COPY; with 0 this process does.
    bulk_create (SQLite) always runs in this process."""
    chosen = resolve_method(method)
    bases = key_bases_after_existing_rows()
    with progress.table("orgs", len(city.orgs)) as stats:
        bulk_insert(Org, progress.count(stats, [org_instances(city, bases)]), method=chosen)
    with progress.table("workplaces", len(city.workplaces)) as stats:
        bulk_insert(Workplace, progress.count(stats, [workplace_instances(city, bases)]), method=chosen)
    load_officer_terms(city, bases, progress=progress, method=chosen)
    with progress.table("members", city.member_count) as stats:
        if chosen == "copy":
            chunks = _counted(progress, stats, member_copy_chunks(city, bases, workers))
            with indexes_rebuilt_after(Member):
                copy_text(Member, insert_fields(Member), chunks)
        else:
            members = (
                member_instance(spec, bases) for lane in range(LANES) for spec in lane_members(city, lane)
            )
            bulk_insert(Member, progress.count(stats, _chunks(members, CHUNK_ROWS)), method=chosen)
    reset_sequences([Org, Workplace, Member])
    with progress.table("membership events", city.member_count) as stats:
        progress.advance(stats, record_joined_events(first_member_id=bases.member))


def record_joined_events(*, first_member_id: int) -> int:
    """Each loaded member's history starts with "joined" on the join date: one INSERT ... SELECT
    in the database, since every event is the same apart from its member's own columns."""
    connection = connections[DEFAULT_DB_ALIAS]
    joined_at = "joined_on::timestamptz" if connection.vendor == "postgresql" else "joined_on || ' 00:00:00'"
    columns = "member_id, id_number_index, org_id, kind, changes, note, created_at"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MemberEvent._meta.db_table} ({columns}) "  # noqa: S608 - no user input
            f"SELECT id, id_number_index, org_id, %s, %s, %s, {joined_at} "
            f"FROM {Member._meta.db_table} WHERE id >= %s",
            [MemberEventKind.JOINED.value, "{}", "", first_member_id],
        )
        inserted: int = cursor.rowcount
        return inserted


def _counted(progress: Progress, stats: TableStats, chunks: Iterable[CopyChunk]) -> Iterator[str]:
    for chunk in chunks:
        yield chunk.text
        progress.advance(stats, chunk.rows)


def org_instances(city: DemoCity, bases: KeyBases) -> list[Org]:
    return [
        Org(
            pk=bases.org + spec.index,
            path=spec.path,
            depth=spec.depth,
            numchild=spec.numchild,
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            level=spec.level,
            area=spec.area,
            district=spec.district,
            address=spec.address,
            contact_name=spec.contact_name,
            contact_phone=spec.contact_phone,
            founded_on=spec.founded_on,
        )
        for spec in city.orgs
    ]


def workplace_instances(city: DemoCity, bases: KeyBases) -> list[Workplace]:
    return [
        Workplace(
            pk=bases.workplace + spec.index,
            credit_code=spec.credit_code,
            name=spec.name,
            industry=spec.industry,
            ownership=spec.ownership,
            employee_count=spec.employee_count,
            address=spec.address,
            district=spec.district,
            union_id=None if spec.union_index is None else bases.org + spec.union_index,
            is_unionised=spec.union_index is not None,
            jurisdiction_id=None if spec.jurisdiction_index is None else bases.org + spec.jurisdiction_index,
        )
        for spec in city.workplaces
    ]


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def lane_copy_chunks(city: DemoCity, bases: KeyBases, lanes: Sequence[int]) -> Iterator[CopyChunk]:
    lines = MemberCopyLines(bases, connections[DEFAULT_DB_ALIAS])
    for lane in lanes:
        for specs in _chunks(lane_members(city, lane), CHUNK_ROWS):
            yield CopyChunk(rows=len(specs), text="".join(map(lines, specs)))


def member_copy_chunks(city: DemoCity, bases: KeyBases, workers: int) -> Iterator[CopyChunk]:
    """Member rows as COPY text, in chunks, from `workers` processes (or this one if 0).

    Processes are spawned rather than forked: a forked child would share this process's open
    database connection, and one stray close in the child would end the load's transaction.
    """
    if workers <= 0:
        yield from lane_copy_chunks(city, bases, range(LANES))
        return
    context = multiprocessing.get_context("spawn")
    chunks = context.Queue(maxsize=4 * workers)
    processes = [
        context.Process(
            target=produce_copy_chunks,
            args=(pickle.dumps((city.scale, city.seed, bases, list(range(w, LANES, workers)))), chunks),
            daemon=True,
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        running = len(processes)
        while running:
            try:
                item = chunks.get(timeout=_WORKER_POLL_SECONDS)
            except queue.Empty:
                if not any(process.is_alive() for process in processes):
                    raise RuntimeError("The member workers stopped without finishing.") from None
                continue
            if item is None:
                running -= 1
            elif isinstance(item, WorkerFailed):
                raise RuntimeError(f"A member worker failed:\n{item.details}")
            else:
                yield item
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def reset_demo() -> None:
    """Remove the demo city: its members, workplaces, organisations and demo accounts.

    Workplaces belong to the demo tree by their union or their area; those of a city loaded
    before workplaces had an area are found by the demo districts' names. Anything other apps
    attached to demo rows with PROTECT stops the reset with an error rather than being removed
    silently.
    """
    with transaction.atomic():
        root = demo_root()
        district_names = [district.name for district in names.DISTRICTS]
        if root is not None:
            demo_workplaces = Workplace.objects.filter(
                Q(jurisdiction__path__startswith=root.path)
                | Q(union__isnull=True, jurisdiction__isnull=True, district__in=district_names)
            )
            # Applications and routes hold their org and workplace with PROTECT; they go first.
            JoinApplication.objects.filter(
                Q(org__path__startswith=root.path) | Q(workplace__in=demo_workplaces)
            ).delete()
            JoinRoute.objects.filter(org__path__startswith=root.path).delete()
            reset_demo_benefits(root)
            reset_demo_services(root)
            reset_demo_events(root)
            reset_demo_courses(root)
            reset_demo_assistance(root)
            reset_demo_mutualaid(root)
            reset_demo_rights(root)
            reset_demo_legal(root)
            reset_demo_supervision(root)
            reset_demo_contracts(root)
            Member.objects.filter(org__path__startswith=root.path).delete()
            Member.objects.filter(workplace__in=demo_workplaces).delete()
            Workplace.objects.filter(union__path__startswith=root.path).delete()
            demo_workplaces.delete()
            Org.objects.filter(path__startswith=root.path).delete()
        User.objects.filter(username__in=DEMO_USERNAMES).delete()
