"""Spreadsheets and CSV files for the import tests, written the way Excel and WPS write them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter

WORKPLACE_HEADER = (
    "单位名称",
    "统一社会信用代码",
    "行业",
    "经济类型",
    "职工人数",
    "地址",
    "所属区县",
    "所属工会(代码)",
    "属地工会(代码)",
)
ORG_HEADER = (
    "工会代码",
    "工会名称",
    "简称",
    "类型",
    "层级",
    "联合工会类别",
    "上级工会代码",
    "地址",
    "区县",
    "联系人",
    "联系电话",
    "成立日期",
)


def xlsx(rows: Sequence[Sequence[Any]], *, title: str | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (a title line above them if given). Numbers are
    written as numbers, so they come back as floats, as from a real office workbook."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("名单")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    offset = 0
    if title:
        sheet.write_string(0, 0, title)
        offset = 1
    for r, row in enumerate(rows, start=offset):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date | datetime):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    workbook.close()
    return output.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "gbk") -> bytes:
    lines = [",".join("" if value is None else str(value) for value in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def workplace_row(
    name: str,
    code: str | float,
    *,
    industry: Any = "C 制造业",
    ownership: Any = "私营",
    employees: Any = 30.0,
    address: str = "东区湖滨路8号",
    district: str = "东区",
    union: str = "",
    area: str = "E-T",
) -> tuple[Any, ...]:
    return (name, code, industry, ownership, employees, address, district, union, area)
