"""Roster import modes: check only writes nothing; all-or-nothing writes nothing when any row is
bad, also when a person becomes a member elsewhere while the rows are written; the third mode
imports the good rows. Every imported member has an 'imported' event, each import one audit
event; the progress reported moves forward."""

from __future__ import annotations

import pytest

from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, MemberEvent, MemberEventKind, RosterImport, RosterImportMode
from gonghui.members.services import imports
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import HEADER, csv_file, person_id, problems_of, run_import

pytestmark = pytest.mark.django_db


def a_roster(good: int, *, bad: int = 0) -> bytes:
    rows = [("王小明", person_id(), "") for _ in range(good)]
    rows += [("", person_id(), "") for _ in range(bad)]  # the name is missing
    return csv_file([HEADER, *rows])


def import_audits() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="members.import_roster"))


def test_check_only_writes_nothing_but_says_what_would_happen(tree, tmp_path, east_admin):
    roster_import = run_import(
        tmp_path, a_roster(3, bad=1), "r.csv", org=tree.acme, mode="check", actor=east_admin
    )

    assert (roster_import.rows_total, roster_import.ready_count, roster_import.rejected_count) == (4, 3, 1)
    assert roster_import.imported_count == 0
    assert not Member.objects.exists()
    assert not MemberEvent.objects.exists()
    assert import_audits() == []
    assert "未写入任何数据" in imports.summary(roster_import)


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(tree, tmp_path, east_admin):
    roster_import = run_import(
        tmp_path, a_roster(3, bad=1), "r.csv", org=tree.acme, mode="all", actor=east_admin
    )

    assert roster_import.imported_count == 0
    assert roster_import.rejected_count == 1
    assert not Member.objects.exists()
    assert not MemberEvent.objects.exists()
    assert imports.summary(roster_import).startswith("未写入任何数据：4 行中有 1 行有问题")


def test_all_or_nothing_writes_every_row_of_a_clean_roster_with_one_event_each_and_one_audit(
    tree, tmp_path, east_admin
):
    roster_import = run_import(tmp_path, a_roster(5), "r.csv", org=tree.acme, mode="all", actor=east_admin)

    assert roster_import.imported_count == 5
    members = list(Member.objects.filter(org=tree.acme))
    assert len(members) == 5
    events = MemberEvent.objects.filter(kind=MemberEventKind.IMPORTED)
    assert sorted(events.values_list("member_id", flat=True)) == sorted(member.pk for member in members)
    assert {event.actor_id for event in events} == {east_admin.pk}
    assert {event.id_number_index for event in events} == {member.id_number_index for member in members}
    (audit,) = import_audits()
    assert (audit.actor_id, audit.object_id, audit.changes) == (
        east_admin.pk,
        str(roster_import.pk),
        {"imported": [0, 5]},
    )


def test_import_the_valid_rows_writes_the_good_ones_and_reports_the_others(tree, tmp_path, east_admin):
    roster_import = run_import(
        tmp_path, a_roster(3, bad=2), "r.csv", org=tree.acme, mode="valid", actor=east_admin
    )

    assert (roster_import.imported_count, roster_import.rejected_count) == (3, 2)
    assert Member.objects.filter(org=tree.acme).count() == 3
    assert MemberEvent.objects.filter(kind=MemberEventKind.IMPORTED).count() == 3
    assert len(import_audits()) == 1
    assert imports.summary(roster_import) == "已从 5 行中导入 3 名会员；0 行已是会员，2 行有问题。"


def test_all_or_nothing_writes_nothing_when_a_person_joins_elsewhere_while_rows_are_written(
    tree, tmp_path, east_admin, monkeypatch
):
    # Given a clean roster of three, written one row per chunk
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    numbers = [person_id() for _ in range(3)]
    content = csv_file([HEADER, *(("王小明", number, "") for number in numbers)])
    writing: list[int] = []

    def progress(done: int, total: int, message: str) -> None:
        # Once the first row has been written, the third person joins the beta union
        if writing and len(writing) == 1:
            member_row(tree.beta, id_number=numbers[2]).save()
        if writing or (done == 0 and "写入" in message):
            writing.append(done)

    # When the roster is imported all or nothing
    roster_import = run_import(
        tmp_path, content, "r.csv", org=tree.acme, mode="all", actor=east_admin, progress=progress
    )

    # Then nothing was kept in the acme union, and the late conflict is reported
    assert Member.objects.filter(org=tree.acme).count() == 0
    assert not MemberEvent.objects.exists()
    assert roster_import.imported_count == 0
    assert problems_of(roster_import) == [(4, "B", "active_elsewhere")]
    assert roster_import.rejected_count == 1
    assert imports.summary(roster_import).startswith("未写入任何数据")


def test_a_person_who_joins_elsewhere_between_the_check_and_the_insert_becomes_a_problem(
    tree, tmp_path, east_admin, monkeypatch
):
    # Given a race: the person joins beta after their row was looked up, before it is inserted
    numbers = [person_id() for _ in range(3)]
    content = csv_file([HEADER, *(("王小明", number, "") for number in numbers)])
    looked_up = imports._Run._drop_members
    raced: list[bool] = []

    def drop_members_then_race(run, goods, problems):
        kept = looked_up(run, goods, problems)
        if not raced:
            raced.append(True)
            member_row(tree.beta, id_number=numbers[1]).save()
        return kept

    monkeypatch.setattr(imports._Run, "_drop_members", drop_members_then_race)

    # When the valid rows are imported
    roster_import = run_import(tmp_path, content, "r.csv", org=tree.acme, mode="valid", actor=east_admin)

    # Then the unique index caught it: the others are written, that row is reported, no error page
    assert roster_import.imported_count == 2
    assert problems_of(roster_import) == [(3, "B", "active_elsewhere")]
    assert Member.objects.filter(org=tree.acme).count() == 2
    assert MemberEvent.objects.count() == 2


def test_progress_moves_forward_to_the_end(tree, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    seen: list[tuple[int, int]] = []

    run_import(
        tmp_path,
        a_roster(7),
        "r.csv",
        org=tree.acme,
        mode="valid",
        progress=lambda done, total, message: seen.append((done, total)),
    )

    assert [done for done, _total in seen] == [2, 4, 6, 7]
    assert all(done <= total for done, total in seen)
    assert seen[-1][0] == seen[-1][1]


def test_a_stored_import_is_not_run_twice(tree, tmp_path, east_admin):
    roster_import = run_import(tmp_path, a_roster(2), "r.csv", org=tree.acme, mode="valid", actor=east_admin)

    again = imports.run_roster_import(roster_import.pk)

    assert again.imported_count == 2
    assert Member.objects.count() == 2
    assert RosterImport.objects.get().mode == RosterImportMode.VALID
