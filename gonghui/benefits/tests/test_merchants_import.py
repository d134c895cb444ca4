"""Importing merchant lists: good files, bad rows, updates, hostile files, and the console pages."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.benefits.models import Merchant
from gonghui.benefits.services.merchant_import import (
    CHECK_ONLY,
    import_merchants,
    keep_outcome,
    kept_outcome,
    report_for,
    template_for,
)
from gonghui.benefits.tests.factories import make_merchant
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import ImportMode
from gonghui.orgs.tests.factories import Tree, client_for, csv_bytes, officer_at, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["名称", "类别", "会员优惠", "地址", "区县", "纬度", "经度", "营业时间", "电话", "简介"]
ROWS: list[list[Any]] = [
    ["甬城影院（天一店）", "影院文娱", "凭会员卡观影 8 折", "海曙区中山东路 1 号", "海曙区",
     29.870512, 121.550375, "10:00-22:00", "0574-87654321", "IMAX 厅"],
    ["阿娘面馆", "餐饮", "9 折", "鄞州区百丈路 8 号", "鄞州区", "29.86", "121.57", "", 87001234.0, ""],
    ["三江超市", "supermarket", "周三 95 折", "江北区人民路 3 号", "", None, None, "", "", ""],
]  # fmt: skip


def run(
    actor: User, org: Any, rows: list[list[Any]], *, mode: str = ImportMode.GOOD_ROWS, name: str = "m.xlsx"
):
    content = xlsx([HEADER, *rows]) if name.endswith(".xlsx") else csv_bytes([HEADER, *rows], "utf-8")
    return import_merchants(actor=actor, org=org, mode=mode, file_name=name, content=content)


def test_a_good_list_is_imported(tree: Tree, east_admin: User) -> None:
    outcome = run(east_admin, tree.east, ROWS)
    assert (outcome.rows_total, outcome.created, outcome.updated, outcome.problems) == (3, 3, 0, [])
    cinema = Merchant.objects.get(name="甬城影院（天一店）")
    assert cinema.org == tree.east
    assert cinema.category == "culture"
    assert (cinema.latitude, cinema.longitude) == (Decimal("29.870512"), Decimal("121.550375"))
    assert Merchant.objects.get(name="阿娘面馆").phone == "87001234"  # not "87001234.0"
    assert Merchant.objects.get(name="三江超市").latitude is None
    assert AuditEvent.objects.filter(action="benefits.create_merchant").count() == 3
    assert AuditEvent.objects.filter(action="benefits.import_merchants").count() == 1


def test_a_csv_list_in_gbk_is_imported(tree: Tree, east_admin: User) -> None:
    content = csv_bytes([HEADER, [*ROWS[1][:8], "87001234", ""], ROWS[2]], "gbk")
    outcome = import_merchants(
        actor=east_admin, org=tree.east, mode=ImportMode.ALL_OR_NOTHING, file_name="m.csv", content=content
    )
    assert outcome.created == 2


def test_checking_writes_nothing(tree: Tree, east_admin: User) -> None:
    outcome = run(east_admin, tree.east, ROWS, mode=CHECK_ONLY)
    assert outcome.rows_total == 3
    assert not outcome.problems
    assert "3" in outcome.summary()
    assert not Merchant.objects.exists()


BAD: list[list[Any]] = [
    ROWS[0],
    ["赌场", "棋牌", "9 折", "某路 1 号", "", "", "", "", "", ""],  # row 3: unknown category
    [
        "缺优惠",
        "餐饮美食",
        "",
        "某路 2 号",
        "",
        "95",
        "121",
        "",
        "",
        "",
    ],  # row 4: no terms, latitude out of range
    ROWS[0],  # row 5: the same merchant again
    ["半个坐标", "其他", "9 折", "某路 3 号", "", "29.8", "", "", "", ""],  # row 6
]


def test_bad_rows_are_reported_by_row_and_column(tree: Tree, east_admin: User) -> None:
    outcome = run(east_admin, tree.east, BAD, mode=CHECK_ONLY)
    found = {(problem.row, problem.letter, problem.column) for problem in outcome.problems}
    assert (3, "B", "类别") in found
    assert (4, "C", "会员优惠") in found
    assert (4, "F", "纬度") in found
    assert (5, "", "") in found
    assert (6, "G", "经度") in found
    assert outcome.rows_with_problems == 4
    messages = " ".join(problem.message for problem in outcome.problems)
    assert "棋牌" in messages


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(tree: Tree, east_admin: User) -> None:
    outcome = run(east_admin, tree.east, BAD, mode=ImportMode.ALL_OR_NOTHING)
    assert outcome.created == 0
    assert outcome.problems
    assert not Merchant.objects.exists()
    assert "Nothing" in outcome.summary() or "没有" in outcome.summary() or outcome.summary()


def test_good_rows_mode_writes_the_good_rows(tree: Tree, east_admin: User) -> None:
    outcome = run(east_admin, tree.east, BAD, mode=ImportMode.GOOD_ROWS)
    assert outcome.created == 1
    assert list(Merchant.objects.values_list("name", flat=True)) == ["甬城影院（天一店）"]
    assert outcome.skipped == 4


def test_a_row_of_a_known_merchant_updates_it_and_empty_cells_leave_values(
    tree: Tree, east_admin: User
) -> None:
    merchant = make_merchant(
        tree.east, "阿娘面馆", address="鄞州区百丈路8号", category="catering", opening_hours="10:00-20:00"
    )
    row = ["阿娘面馆", "", "85 折", "鄞州区百丈路 8 号", "", "", "", "", "", ""]
    outcome = run(east_admin, tree.east, [row])
    assert (outcome.created, outcome.updated) == (0, 1)
    merchant.refresh_from_db()
    assert merchant.discount_terms == "85 折"
    assert merchant.opening_hours == "10:00-20:00"
    again = run(east_admin, tree.east, [row])
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_list_without_a_required_column_says_so(tree: Tree, east_admin: User) -> None:
    content = xlsx([["名称", "类别", "地址"], ["甬城书店", "影院文娱", "某路 1 号"]])
    outcome = import_merchants(
        actor=east_admin, org=tree.east, mode=CHECK_ONLY, file_name="m.xlsx", content=content
    )
    assert any("会员优惠" in problem.message for problem in outcome.problems)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4 not a workbook", "list.xlsx"),
        (b"hello", "list.txt"),
        (b"", "list.csv"),
        (b"PK\x03\x04garbage", "list.xlsx"),
        ("名称,地址\r\n".encode(), "list.csv"),
    ],
)
def test_a_file_that_is_not_a_list_is_refused(
    tree: Tree, east_admin: User, content: bytes, name: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_merchants(actor=east_admin, org=tree.east, mode=CHECK_ONLY, file_name=name, content=content)
    assert caught.value.message
    assert not Merchant.objects.exists()


def test_importing_for_a_union_out_of_reach_is_refused(tree: Tree, east_admin: User) -> None:
    with pytest.raises(NotFound):
        run(east_admin, tree.west, ROWS)
    assert not Merchant.objects.exists()


def _cells(workbook: bytes) -> list[Any]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    return [cell for row in book.get_sheet_by_index(0).to_python() for cell in row]


def test_a_hostile_list_is_neutralised_in_the_report(tree: Tree, east_admin: User) -> None:
    hostile = [
        ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil")', "+1", "@SUM(A1)", "", "", "", "", "", ""],
        ["正常", "-2+3", "9 折", "某路 1 号", "", "", "", "", "", ""],
    ]
    outcome = run(east_admin, tree.east, hostile, mode=CHECK_ONLY, name="=evil.xlsx")
    assert outcome.problems
    report = report_for(outcome)
    texts = [cell for cell in _cells(report) if isinstance(cell, str) and cell]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]
    assert any("cmd|" in text or "HYPERLINK" in text for text in texts)
    assert not Merchant.objects.exists()


def test_the_template_lists_the_columns_and_the_categories(tree: Tree) -> None:
    cells = _cells(template_for())
    assert [cell.lstrip("*") for cell in cells[: len(HEADER)]] == HEADER
    book = CalamineWorkbook.from_filelike(io.BytesIO(template_for()))
    options = [cell for row in book.get_sheet_by_index(2).to_python() for cell in row]
    assert "餐饮美食" in options


def test_a_kept_outcome_is_only_for_the_officer_who_imported(tree: Tree, east_admin: User) -> None:
    outcome = run(east_admin, tree.east, BAD, mode=CHECK_ONLY)
    token = keep_outcome(outcome, actor=east_admin)
    assert kept_outcome(token, actor=east_admin) == outcome
    assert kept_outcome(token, actor=officer_at(tree.east, "east.other")) is None
    assert kept_outcome("../../etc", actor=east_admin) is None


# --- the console pages -----------------------------------------------------------------------------


def _upload(client: Client, org_code: str, rows: list[list[Any]], mode: str) -> Any:
    file = SimpleUploadedFile("商户.xlsx", xlsx([HEADER, *rows]))
    return client.post("/console/benefits/merchants/import/", {"org": org_code, "mode": mode, "file": file})


def test_the_console_import_checks_then_imports(tree: Tree, east_admin: User, east_client: Client) -> None:
    page = east_client.get("/console/benefits/merchants/import/")
    assert page.status_code == 200
    assert 'value="E"' in page.content.decode()  # the officer's union is the default

    response = _upload(east_client, tree.east.code, BAD, CHECK_ONLY)
    assert response.status_code == 302
    report = east_client.get(response["Location"])
    assert report.status_code == 200
    body = report.content.decode()
    assert "类别" in body
    assert "棋牌" in body
    xlsx_report = east_client.get(response["Location"] + "report.xlsx")
    assert xlsx_report.status_code == 200
    assert xlsx_report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not Merchant.objects.exists()

    # Another officer cannot open the report.
    other = client_for(officer_at(tree.east, "east.other"))
    assert other.get(response["Location"]).status_code == 404
    assert other.get(response["Location"] + "report.xlsx").status_code == 404

    response = _upload(east_client, tree.east.code, ROWS, ImportMode.ALL_OR_NOTHING)
    assert response.status_code == 302
    assert Merchant.objects.count() == 3


def test_the_console_import_refuses_a_bad_file_with_a_message(east_client: Client, tree: Tree) -> None:
    file = SimpleUploadedFile("商户.xlsx", b"not a workbook")
    response = east_client.post(
        "/console/benefits/merchants/import/", {"org": tree.east.code, "mode": CHECK_ONLY, "file": file}
    )
    assert response.status_code == 422
    assert "form-errors" in response.content.decode()


def test_the_template_downloads(east_client: Client) -> None:
    response = east_client.get("/console/benefits/merchants/import/template/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
