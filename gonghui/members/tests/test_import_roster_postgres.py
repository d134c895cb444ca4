"""Roster import on PostgreSQL, with real commits: while an all-or-nothing import writes its rows
in one long transaction, the progress bar still moves (the task reports through a connection of
its own), and a person who joins another union meanwhile — committed by another connection —
makes the whole import write nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from gonghui.jobs.models import Job
from gonghui.members.models import Member, RosterImport
from gonghui.members.services import imports
from gonghui.members.tasks import run_roster_import_task
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import HEADER, csv_file, person_id
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs commits seen by other connections"),
    pytest.mark.django_db(transaction=True),
]


def in_another_connection(call: Any) -> Any:
    """Run `call` in a thread, hence on its own database connection (committed on its own)."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(call())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0] if result else None


def start_import(numbers: list[str], mode: str = "all") -> RosterImport:
    tree = make_tree()
    officer = officer_at(tree.east, "east.admin")
    content = csv_file([HEADER, *(("王小明", number, "") for number in numbers)])
    client_for(officer).post(
        "/console/members/imports/",
        {"org": tree.acme.code, "mode": mode, "file": SimpleUploadedFile("r.csv", content)},
    )
    return RosterImport.objects.select_related("job").get()


def test_progress_moves_while_an_all_or_nothing_import_writes(monkeypatch):
    # Given a clean roster of four, written one row at a time in one transaction
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    roster_import = start_import([person_id() for _ in range(4)])
    assert roster_import.job is not None
    job_id = roster_import.job.pk
    seen: list[tuple[int, str]] = []
    insert = imports.insert_members

    def insert_and_look(rows, **kwargs):
        # What someone watching the progress bar sees, from outside the import's transaction
        seen.append(
            in_another_connection(lambda: Job.objects.values_list("progress_done", "message").get(pk=job_id))
        )
        return insert(rows, **kwargs)

    monkeypatch.setattr(imports, "insert_members", insert_and_look)

    run_roster_import_task.call(job_id, roster_import.pk)

    # Then, before the transaction committed, the watcher saw rows being written
    assert (1, "已导入 1 行……") in seen
    assert Member.objects.count() == 4


def test_a_person_who_joins_elsewhere_during_the_write_makes_it_write_nothing(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    numbers = [person_id() for _ in range(3)]
    roster_import = start_import(numbers)
    beta = Org.objects.get(code="E-B")
    insert = imports.insert_members
    calls: list[int] = []

    def insert_while_someone_joins(rows, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second row is being written: the third person joins beta now
            in_another_connection(lambda: member_row(beta, id_number=numbers[2]).save())
        return insert(rows, **kwargs)

    monkeypatch.setattr(imports, "insert_members", insert_while_someone_joins)

    assert roster_import.job is not None
    run_roster_import_task.call(roster_import.job.pk, roster_import.pk)

    roster_import.refresh_from_db()
    assert Member.objects.filter(org=roster_import.org).count() == 0
    assert roster_import.imported_count == 0
    assert list(roster_import.problems.values_list("row", "code")) == [(4, "active_elsewhere")]
    assert roster_import.problems.get().member_id == Member.objects.get(org=beta).pk
