"""Roster import: the files officers really upload (GBK CSV, UTF-8 with a byte order mark,
workbooks whose ID column Excel turned into numbers, OpenDocument), and the hostile ones (not a
spreadsheet, a zip bomb, 50 MB in one cell, a file over the size limit), which are refused with a
clear message before anything is written."""

from __future__ import annotations

import pytest

from gonghui.core.idnumbers import id_check_character
from gonghui.core.spreadsheets import FileRefused
from gonghui.members.models import Member, RosterImport
from gonghui.members.tests.import_files import (
    HEADER,
    csv_file,
    ods_file,
    person_id,
    problems_of,
    run_import,
    xls_file,
    xlsx_file,
    zip_bomb_xlsx,
)

pytestmark = pytest.mark.django_db


def names_in(org) -> list[str]:
    return sorted(Member.objects.filter(org=org).values_list("name", flat=True))


def test_a_gbk_csv_from_chinese_windows_is_read_without_garbling_the_names(tree, tmp_path):
    # Given a CSV file saved by Excel on Chinese Windows (GBK), with a rare character in a name
    content = csv_file(
        [HEADER, ("欧阳娜娜", person_id(), "13800138000"), ("王喆", person_id(), "")], encoding="gbk"
    )

    # When it is imported
    roster_import = run_import(tmp_path, content, "花名册.csv", org=tree.acme)

    # Then both people are members with their names intact
    assert roster_import.imported_count == 2
    assert names_in(tree.acme) == sorted(["欧阳娜娜", "王喆"])


def test_a_utf8_csv_with_a_byte_order_mark_finds_its_first_header(tree, tmp_path):
    # Given "CSV UTF-8" from Excel: a byte order mark glued to the first header, 姓名
    content = csv_file([HEADER, ("李雷", person_id(), "")], bom=True)

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert roster_import.imported_count == 1
    assert names_in(tree.acme) == ["李雷"]


def test_an_id_number_that_excel_stored_as_a_number_is_refused_as_digits_lost(tree, tmp_path):
    # Given a workbook whose ID column was typed as numbers (Excel shows 3.30203E+17, the last
    # three digits are gone) and whose mobile numbers are numbers too (those survive)
    good = person_id()
    content = xlsx_file(
        [HEADER, ("张三", float(person_id()[:17] + "0"), 13800138000.0), ("李四", good, 13900139000.0)]
    )

    roster_import = run_import(tmp_path, content, "花名册.xlsx", org=tree.acme)

    # Then the mangled one is refused with the reason, the other imported with its mobile number
    assert problems_of(roster_import) == [(2, "B", "id_number.scientific_notation")]
    message = roster_import.problems.get().message
    assert "最后几位" in message or "丢失" in message, message
    member = Member.objects.get(org=tree.acme)
    assert (member.name, member.mobile) == ("李四", "13900139000")


def test_an_old_15_digit_id_typed_as_a_number_is_upgraded(tree, tmp_path):
    # 15 digits fit in a float exactly: such a cell is read and upgraded to 18 characters
    content = xlsx_file([HEADER, ("赵六", 330203800101001.0, "")])

    roster_import = run_import(tmp_path, content, "roster.xlsx", org=tree.acme)

    assert roster_import.imported_count == 1
    assert Member.objects.get(org=tree.acme).id_number == "33020319800101001" + id_check_character(
        "33020319800101001"
    )


def test_a_legacy_xls_workbook_is_imported_and_its_numeric_ids_refused_alike(tree, tmp_path):
    # Given an Excel 97–2003 workbook: one ID as text, one typed as a number, a mobile as a number
    good = person_id()
    content = xls_file([HEADER, ("王小明", good, 13800138000.0), ("李雷", float(person_id()[:17] + "0"), "")])

    roster_import = run_import(tmp_path, content, "花名册.xls", org=tree.acme)

    assert problems_of(roster_import) == [(3, "B", "id_number.scientific_notation")]
    member = Member.objects.get(org=tree.acme)
    assert (member.name, member.id_number, member.mobile) == ("王小明", good, "13800138000")


def test_an_opendocument_spreadsheet_is_imported(tree, tmp_path):
    content = ods_file([HEADER, ("周七", person_id(), 13700137000.0)])

    roster_import = run_import(tmp_path, content, "花名册.ods", org=tree.acme)

    assert roster_import.imported_count == 1
    assert Member.objects.get(org=tree.acme).mobile == "13700137000"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "花名册.xlsx", "不是电子表格"),
        (b"<html><body>not a workbook</body></html>", "花名册.xls", "不是电子表格"),
        (b"\x00\x01\x02binary" * 100, "花名册.csv", "无法识别"),
        (b"PK\x03\x04 truncated zip", "花名册.xlsx", "损坏"),
        (b"", "花名册.csv", "空"),
        (b"name,id\n", "花名册.pdf", ".xlsx"),
    ],
    ids=["picture", "web page as xls", "binary csv", "broken zip", "empty", "wrong suffix"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_and_nothing_is_written(
    tree, tmp_path, content, name, expected
):
    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, name, org=tree.acme)

    assert expected in refused.value.message, refused.value.message
    assert refused.value.fields == {"file": [refused.value.message]}
    assert not Member.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tree, tmp_path, settings):
    # Given an .xlsx of a few kilobytes whose sheet would unpack to 64 MB, over a 32 MB limit
    settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES = 32 * 2**20
    content = zip_bomb_xlsx(64 * 2**20)
    assert len(content) < 200_000

    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, "bomb.xlsx", org=tree.acme)

    assert "解压" in refused.value.message, refused.value.message
    assert not Member.objects.exists()


def test_a_zip_bomb_that_lies_about_its_size_is_caught_by_inflating_it(tree, tmp_path, settings):
    # Given the same bomb, but its zip headers claim the sheet is 1 KB (calamine would trust that)
    settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES = 32 * 2**20
    content = zip_bomb_xlsx(64 * 2**20, lie_about_size=True)

    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, "bomb.xlsx", org=tree.acme)

    assert "解压" in refused.value.message, refused.value.message


def test_fifty_megabytes_in_one_csv_cell_is_refused_at_once(tree, tmp_path):
    content = csv_file([HEADER, ("王" * (25 * 2**20), person_id(), "")])
    assert len(content) > 50 * 2**20

    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, "big.csv", org=tree.acme)

    assert "100,000" in refused.value.message, refused.value.message
    assert not Member.objects.exists()


def test_an_overlong_workbook_cell_refuses_that_row_only(tree, tmp_path):
    # A workbook cell holds at most 32,767 characters: such a name is refused, the row reported
    content = xlsx_file([HEADER, ("王" * 32_000, person_id(), ""), ("李雷", person_id(), "")])

    roster_import = run_import(tmp_path, content, "roster.xlsx", org=tree.acme)

    assert problems_of(roster_import) == [(2, "A", "cell.too_long")]
    assert "32,000" in roster_import.problems.get().message
    assert names_in(tree.acme) == ["李雷"]


def test_a_file_over_the_size_limit_is_refused_with_the_limit(tree, tmp_path, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 2**20
    content = csv_file([HEADER, *((f"王{i}", person_id(), "") for i in range(40_000))])
    assert len(content) > 2**20

    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, "big.csv", org=tree.acme)

    assert refused.value.message == "文件超过 1 MB，请拆分名单。"


def test_a_header_without_a_required_column_refuses_the_file(tree, tmp_path):
    # Given a list with ID numbers but no column of names
    content = csv_file([("身份证号", "手机号"), (person_id(), "13800138000")])

    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert "姓名" in refused.value.message, refused.value.message
    # The refused import is on record (the command line shows it), finished, with nothing written
    assert RosterImport.objects.get().imported_count == 0
    assert not Member.objects.exists()


def test_a_list_without_an_id_column_is_refused_with_the_column_it_needs(tree, tmp_path):
    content = csv_file([("姓名", "手机号"), ("王小明", "13800138000")])

    with pytest.raises(FileRefused) as refused:
        run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert "身份证号" in refused.value.message, refused.value.message
