"""Reading uploaded lists: workbooks and CSV in the encodings offices use, the header found by its
names, spreadsheet floats told apart, and clear refusals of files that cannot be lists."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from gonghui.core.spreadsheets import (
    CellProblem,
    Column,
    FileRefused,
    ListSpec,
    cell_code,
    cell_date,
    cell_int,
    cell_text,
    column_letter,
    read_table,
    report_workbook,
    template_workbook,
)

SPEC = ListSpec(
    columns=(
        Column("name", "单位名称", ("企业名称",), required=True),
        Column("code", "统一社会信用代码", required=True, is_code=True, options=""),
        Column("employees", "职工人数", required=True),
        Column("union", "所属工会(代码)", is_code=True),
        Column("kind", "类型", options="类型"),
    ),
    identity="code",
    max_rows=5,
    max_bytes=2**20,
)


def xlsx(*sheets: tuple[str, Sequence[Sequence[object]]], hidden: str = "") -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    for name, rows in sheets:
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if name == hidden:
            sheet.hide()
    workbook.close()
    return output.getvalue()


def refusal(content: bytes, file_name: str) -> str:
    with pytest.raises(FileRefused) as refused:
        read_table(content, file_name, SPEC)
    assert set(refused.value.fields) == {"file"}
    return refused.value.message


# --- workbooks ----------------------------------------------------------------------------------


def test_the_header_is_found_by_its_names_below_a_title_in_any_order_and_width():
    content = xlsx(
        (
            "名单",
            [
                ["东区单位名单（2026年）"],
                [],
                ["序号", "职工人数", "* 单位名称", "所属工会（代码）", "统一社会信用代码 必填"],
                [1, 25.0, "甲公司", "E-T-A", "91330203MA2GC5LU4X"],
                [],
                [2, 3, "乙公司", None, "91330203MA2GC6PXXX"],
            ],
        )
    )

    table = read_table(content, "名单.xlsx", SPEC)

    assert table.header_row == 3
    assert table.columns == {"employees": 1, "name": 2, "union": 3, "code": 4}
    assert table.headers["name"] == "* 单位名称"
    assert [number for number, _cells in table.rows] == [4, 6]
    first = table.rows[0][1]
    assert (table.cell(first, "name"), table.cell(first, "employees"), table.cell(first, "kind")) == (
        "甲公司",
        25.0,
        None,
    )
    assert table.where("union") == ("所属工会（代码）", "D")
    assert table.where("kind") == ("", "")


def test_hidden_sheets_and_sheets_without_the_header_are_passed_over():
    content = xlsx(
        ("说明", [["请在第二个工作表填写"]]),
        ("隐藏", [["单位名称", "统一社会信用代码"], ["不该读到", "X"]]),
        ("单位", [["单位名称", "统一社会信用代码"], ["甲公司", "91330203MA2GC5LU4X"]]),
        hidden="隐藏",
    )

    table = read_table(content, "list.XLSX", SPEC)

    assert [table.cell(cells, "name") for _n, cells in table.rows] == ["甲公司"]


def test_a_header_without_the_identity_column_says_which_column_is_missing():
    content = xlsx(("单位", [["单位名称", "职工人数"], ["甲公司", 3]]))

    assert refusal(content, "a.xlsx") == "表头（第 1 行）缺少“统一社会信用代码”列，无法确定每行对应的记录。"


def test_a_file_without_any_known_column_names_is_refused_with_the_expected_names():
    content = xlsx(("Sheet1", [["a", "b"], [1, 2]]))

    message = refusal(content, "a.xlsx")

    assert message.startswith("找不到表头：前 20 行中没有模板的列名（单位名称、统一社会信用代码、职工人数）")


def test_a_column_given_twice_is_refused_with_both_letters():
    content = xlsx(("单位", [["单位名称", "统一社会信用代码", "企业名称"], ["甲", "X", "乙"]]))

    assert refusal(content, "a.xlsx") == "“单位名称”列出现了两次（第 A 列和第 C 列）。"


def test_more_rows_than_allowed_are_refused_with_the_count():
    rows = [["单位名称", "统一社会信用代码"]] + [[f"单位{i}", f"C{i}"] for i in range(6)]

    assert refusal(xlsx(("单位", rows)), "a.xlsx") == "名单有 6 行，每次最多导入 5 行，请拆分后再导入。"


def test_a_header_without_rows_and_an_empty_workbook_are_refused():
    assert (
        refusal(xlsx(("单位", [["单位名称", "统一社会信用代码"]])), "a.xlsx")
        == "名单只有表头，下面没有数据。"
    )
    assert refusal(xlsx(("单位", [])), "a.xlsx") == "文件是空的。"


# --- CSV ----------------------------------------------------------------------------------------

CSV_TEXT = (
    "单位名称,统一社会信用代码,职工人数\r\n"
    "东湖精工,91330203MA2GC5LU4X,25\r\n"
    ",,\r\n"
    "西湖商贸,91330203MA2GC6PXXX,3\r\n"
)


@pytest.mark.parametrize(
    "encoded",
    [CSV_TEXT.encode("utf-8"), b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), CSV_TEXT.encode("gbk")],
    ids=["utf-8", "utf-8 with BOM", "gbk"],
)
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_reads_the_same(encoded):
    table = read_table(encoded, "名单.csv", SPEC)

    assert table.header_row == 1
    assert [(n, table.cell(cells, "name"), table.cell(cells, "employees")) for n, cells in table.rows] == [
        (2, "东湖精工", "25"),
        (4, "西湖商贸", "3"),
    ]


def test_tab_separated_text_and_utf16_from_excels_unicode_text_are_read():
    text = "单位名称\t统一社会信用代码\r\n东湖精工\t91330203MA2GC5LU4X\r\n"

    table = read_table(text.encode("utf-16"), "名单.csv", SPEC)

    assert table.cell(table.rows[0][1], "code") == "91330203MA2GC5LU4X"


def test_a_binary_file_named_csv_is_refused():
    assert refusal(b"\x00\x01\x02\xff\xfe\x00garbage", "a.csv").startswith("无法识别该 CSV 文件的文字编码")


# --- wrong files ---------------------------------------------------------------------------------


def test_other_file_types_are_refused_with_what_to_do():
    assert refusal(b"%PDF-1.7", "名单.pdf") == (
        "只能导入 .xlsx、.xls 或 .csv 文件。请在 Excel 或 WPS 中“另存为”，选择 Excel 工作簿（.xlsx）。"
    )


def test_a_web_page_saved_under_an_excel_name_is_refused():
    assert refusal(b"<html><table><tr><td>1</td></tr></table></html>", "export.xls").startswith(
        "该文件扩展名是 Excel，但内容不是 Excel 工作簿"
    )


def test_a_damaged_workbook_is_refused():
    content = xlsx(("单位", [["单位名称", "统一社会信用代码"], ["甲", "X"]]))

    assert refusal(content[: len(content) // 2], "a.xlsx").startswith("无法读取该工作簿")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    assert refusal(b"x" * (2**20 + 1), "a.csv") == "文件超过 1 MB，请拆分名单。"


# --- cells --------------------------------------------------------------------------------------


def test_an_18_digit_code_typed_as_a_number_has_lost_digits_and_is_refused():
    with pytest.raises(CellProblem, match="末几位已经丢失"):
        cell_code(3.302031984122088e17)


def test_numbers_from_a_workbook_come_back_as_text_without_the_float_tail():
    assert cell_code(15462819482.0) == "15462819482"
    assert cell_code(" 9133 0203MA2G ") == "91330203MA2G"
    assert cell_text(330203.0) == "330203"
    assert cell_text(2.5) == "2.5"
    assert cell_text(datetime(2020, 5, 1)) == "2020-05-01"
    assert cell_text("　东湖　精工 ") == "东湖 精工"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (25.0, 25),
        (25, 25),
        ("25", 25),
        ("1,200", 1200),
        ("２５人", 25),
        ("30.0", 30),
        ("", None),
        (None, None),
    ],
)
def test_whole_numbers_are_read_from_floats_and_from_text(value, expected):
    assert cell_int(value) == expected


@pytest.mark.parametrize("value", [25.5, "二十五", "25.5", True])
def test_other_numbers_are_refused(value):
    with pytest.raises(CellProblem):
        cell_int(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2020, 5, 1), date(2020, 5, 1)),
        (datetime(2020, 5, 1, 0, 0), date(2020, 5, 1)),
        ("2020-05-01", date(2020, 5, 1)),
        ("2020/5/1", date(2020, 5, 1)),
        ("2020年5月1日", date(2020, 5, 1)),
        ("20200501", date(2020, 5, 1)),
        (43952.0, date(2020, 5, 1)),  # a date cell that lost its format: Excel's day number
        ("", None),
    ],
)
def test_dates_are_read_from_date_cells_text_and_excel_day_numbers(value, expected):
    assert cell_date(value) == expected


@pytest.mark.parametrize("value", ["2020-02-30", "五月一日", -3.0])
def test_impossible_dates_are_refused(value):
    with pytest.raises(CellProblem, match="2026-11-25"):
        cell_date(value)


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# --- writing --------------------------------------------------------------------------------------


def test_the_template_reads_back_as_an_empty_list_with_instructions_and_options():
    content = template_workbook(
        SPEC, sheet_name="单位", instructions=["每个单位一行"], options={"类型": ["甲", "乙"]}
    )

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names == ["单位", "填写说明", "选项"]
    header = workbook.get_sheet_by_index(0).to_python()[0]
    assert header == ["*单位名称", "*统一社会信用代码", "*职工人数", "所属工会(代码)", "类型"]
    help_rows = workbook.get_sheet_by_index(1).to_python()
    assert help_rows[0][0] == "每个单位一行"
    assert help_rows[3][:2] == ["单位名称", "是"]
    assert workbook.get_sheet_by_index(2).to_python() == [["类型"], ["甲"], ["乙"]]
    with pytest.raises(FileRefused, match="只有表头"):
        read_table(content, "模板.xlsx", SPEC)


def test_a_report_writes_text_that_looks_like_a_formula_as_text():
    content = report_workbook(
        sheet_name="报告",
        summary=[("文件", '=HYPERLINK("http://x")')],
        headers=["行号", "问题"],
        rows=[(2, "=1+1")],
    )

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["文件", '=HYPERLINK("http://x")']
    assert rows[3] == [2.0, "=1+1"]


def test_a_list_of_the_identity_column_alone_is_read():
    spec = ListSpec(
        columns=(Column("code", "统一社会信用代码", required=True, is_code=True, options=""),),
        identity="code",
        max_rows=5,
        max_bytes=2**20,
    )
    table = read_table(xlsx(("单位", [["统一社会信用代码"], ["91330200X"], ["91330201Y"]])), "a.xlsx", spec)

    assert [table.cell(cells, "code") for _number, cells in table.rows] == ["91330200X", "91330201Y"]
