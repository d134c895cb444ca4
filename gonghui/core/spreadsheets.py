"""Lists that officers upload as spreadsheets (.xlsx, .xls) or CSV files, and templates for them.

What arrives is whatever Excel, WPS or another system wrote, so reading is forgiving where it
can be and refuses clearly where it cannot:

- CSV text in UTF-8 (with or without a byte order mark), UTF-16 (Excel's "Unicode text") or
  GBK/GB 18030 (Excel and WPS on Chinese Windows); comma, tab or semicolon separated.
- The header row is found by its column names (in the first `HEADER_SEARCH_ROWS` rows, in any
  order, full-width or half-width, with or without "*" or brackets), not by its position, so a
  title above it or an extra column does no harm.
- Numbers from a workbook arrive as floats (python-calamine): 25.0 employees is 25, and an
  11-digit phone number survives, but an 18-digit code typed into a number cell has already lost
  its last digits in Excel (it holds 15 significant digits): that cell is refused, not guessed.
- Row numbers are the spreadsheet's own, header included, so a report points at the right row.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from gonghui.core.errors import ValidationFailed
from gonghui.core.text import normalize_text

# The header may sit below a title or a few lines of notes.
HEADER_SEARCH_ROWS = 20
# Excel's own limit; a text file with more lines than this is not a list.
MAX_FILE_LINES = 1_048_576
SUPPORTED_SUFFIXES = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv"}
_ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls
# From here on a float has lost digits (2**53 is about 9.007e15).
_EXACT_FLOAT_LIMIT = 10**15
# Day 0 of Excel's date serial numbers (1900 date system, including its phantom 29 February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_LAST_DAY = 2_958_465  # 9999-12-31


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read as a list; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"file": [message]})


def unsupported_file_message() -> str:
    return _(
        "Only .xlsx, .xls and .csv files can be imported. In Excel or WPS, use “Save as” and choose "
        "Excel workbook (.xlsx)."
    )


def file_suffix_format(file_name: str) -> str | None:
    """The format a file name promises ("xlsx", "xls", "csv"), or None for any other file."""
    suffix = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    return SUPPORTED_SUFFIXES.get(suffix)


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def header_key(text: Any) -> str:
    """A header as compared with the known column names: widths, spaces, brackets, the "*" of
    required columns and a trailing "必填" do not matter ("所属工会（代码）*" is "所属工会代码")."""
    if not isinstance(text, str):
        return ""
    key = re.sub(r"[\s*＊()（）\[\]【】:：]", "", normalize_text(text))
    return re.sub(r"(必填|选填|可选)$", "", key)


# --------------------------------------------------------------------------------------------
# What a list looks like
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template
    aliases: tuple[str, ...] = ()
    required: bool = False  # for a new row
    note: str | Promise = ""  # for the template's instructions
    example: str = ""
    is_code: bool = False  # digits that must stay text in Excel: the template formats it so
    options: str = ""  # name of the list on the template's options sheet, offered as a drop-down
    width: int = 16

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(name) for name in (self.header, *self.aliases))


@dataclass(frozen=True)
class ListSpec:
    columns: tuple[Column, ...]
    identity: str  # the column that says which row is about what: it must be in the header
    max_rows: int
    max_bytes: int

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


@dataclass
class Table:
    """The rows of a list below its header, numbered as the spreadsheet numbers them."""

    spec: ListSpec
    header_row: int
    columns: dict[str, int]  # column key → 0-based index in the file
    headers: dict[str, str]  # column key → the header as written in the file
    rows: list[tuple[int, list[Any]]]

    def cell(self, cells: list[Any], key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def where(self, key: str) -> tuple[str, str]:
        """(header, column letter) of a column of this file; ("", "") for the whole row."""
        if key not in self.columns:
            return "", ""
        return self.headers[key], column_letter(self.columns[key])


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def too_many_rows_message(limit: int, rows: int | None = None) -> str:
    if rows is None:
        return _(
            "The list has more than %(limit)s rows; at most %(limit)s can be imported at once. Split it."
        ) % {"limit": f"{limit:,}"}
    return _("The list has %(rows)s rows; at most %(limit)s can be imported at once. Split it.") % {
        "rows": f"{rows:,}",
        "limit": f"{limit:,}",
    }


def _limited(rows: Iterable[list[Any]], max_rows: int) -> list[list[Any]]:
    """All rows, refusing a file with more non-empty rows than may be imported (the count is
    checked exactly once the header is known; this stops a huge file early)."""
    kept: list[list[Any]] = []
    non_empty = 0
    empty: list[Any] = []
    for row in rows:
        if all(is_empty(cell) for cell in row):
            kept.append(empty)  # one shared list: blank lines cost nothing
        else:
            non_empty += 1
            kept.append(row)
        if non_empty > max_rows + HEADER_SEARCH_ROWS or len(kept) > MAX_FILE_LINES:
            raise FileRefused(too_many_rows_message(max_rows))
    return kept


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        encodings: Sequence[str] = ("utf-8-sig",)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    else:
        # GB 18030 is a superset of GBK and GB 2312: what Excel and WPS write on Chinese Windows.
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # a binary file with a .csv name
        return text
    raise FileRefused(
        _("The text of this CSV file cannot be read. Save it as “CSV UTF-8” or as an Excel workbook (.xlsx).")
    )


def _csv_rows(content: bytes, max_rows: int) -> list[list[Any]]:
    text = _decode(content)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return _limited(csv.reader(io.StringIO(text, newline=""), dialect), max_rows)
    except csv.Error as exc:
        raise FileRefused(_("The CSV file is damaged. Open it in Excel or WPS and save it again.")) from exc


def _workbook_sheets(content: bytes, max_rows: int) -> list[list[list[Any]]]:
    """The rows of each visible worksheet, in workbook order."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except PasswordError as exc:
        raise FileRefused(
            _("The workbook is protected by a password. Remove the password and upload it again.")
        ) from exc
    except Exception as exc:  # calamine reports a broken file with several exception types
        raise FileRefused(
            _("The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save it again.")
        ) from exc
    sheets = []
    with workbook:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheets.append(_limited(workbook.get_sheet_by_index(index).iter_rows(), max_rows))
    return sheets


def _find_header(rows: list[list[Any]], spec: ListSpec) -> tuple[int, dict[str, int], dict[str, str]] | str:
    """(row index, column key → index, column key → header) of the header row, or why there is none."""
    by_key = {key: column for column in spec.columns for key in column.keys}
    best: tuple[int, dict[str, int], dict[str, str]] | None = None
    for row_index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        headers: dict[str, str] = {}
        for index, cell in enumerate(row):
            column = by_key.get(header_key(cell))
            if column is None:
                continue
            if column.key in found:
                return _("The column “%(header)s” appears twice, in columns %(first)s and %(second)s.") % {
                    "header": column.header,
                    "first": column_letter(found[column.key]),
                    "second": column_letter(index),
                }
            found[column.key] = index
            headers[column.key] = normalize_text(str(cell))
        if spec.identity in found and len(found) >= 2:
            return row_index, found, headers
        if found and (best is None or len(found) > len(best[1])):
            best = (row_index, found, headers)
    if best is None:
        names = "、".join(column.header for column in spec.columns if column.required)
        return _(
            "No header row found: none of the first %(rows)s rows has the column names of the template "
            "(%(names)s). Download the template and copy the list into it."
        ) % {"rows": HEADER_SEARCH_ROWS, "names": names}
    if spec.identity in best[1]:  # a list of the identity column alone (say, only ID numbers)
        return best
    return _("The header (row %(row)s) has no column “%(header)s”, which says which row is about what.") % {
        "row": best[0] + 1,
        "header": spec.column(spec.identity).header,
    }


def read_table(content: bytes, file_name: str, spec: ListSpec) -> Table:
    """The list in the file, or FileRefused saying what is wrong with the file."""
    if len(content) > spec.max_bytes:
        raise FileRefused(
            _("The file is larger than %(limit)s MB. Split the list.") % {"limit": spec.max_bytes // 2**20}
        )
    expected = file_suffix_format(file_name)
    if expected is None:
        raise FileRefused(unsupported_file_message())
    if content.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        sheets = _workbook_sheets(content, spec.max_rows)
    elif expected == "csv":
        sheets = [_csv_rows(content, spec.max_rows)]
    else:
        raise FileRefused(
            _(
                "This file is not an Excel workbook, although its name says so (some systems export web "
                "pages or text under an Excel name). Open it in Excel or WPS and save it as .xlsx."
            )
        )
    problem: str | None = None
    for rows in sheets:
        found = _find_header(rows, spec)
        if isinstance(found, str):
            if problem is None and any(rows):
                problem = found  # the first sheet with content says what is wrong
            continue
        header_index, columns, headers = found
        data = [
            (number, row)
            for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2)
            if not all(is_empty(cell) for cell in row)
        ]
        if not data:
            raise FileRefused(_("The list has a header but no rows below it."))
        if len(data) > spec.max_rows:
            raise FileRefused(too_many_rows_message(spec.max_rows, len(data)))
        return Table(spec=spec, header_row=header_index + 1, columns=columns, headers=headers, rows=data)
    raise FileRefused(problem or _("The file is empty."))


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


class CellProblem(Exception):
    """A cell that cannot be read as what its column holds; `message` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as 2026-11-25."""
    if is_empty(value):
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return normalize_text(str(value))


def cell_code(value: Any) -> str:
    """A code or phone number as text without spaces. A float that has lost digits is refused."""
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= _EXACT_FLOAT_LIMIT:
            raise CellProblem(
                _(
                    "Excel stored this code as a number and has dropped its last digits. Format the "
                    "column as text, type the code again and upload the list again."
                )
            )
        return str(int(value))
    return cell_text(value).replace(" ", "")


def cell_int(value: Any) -> int | None:
    """A whole number (25, 25.0, "25", "1,200", "25人"); None for an empty cell."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellProblem(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CellProblem(_("Enter a whole number, not %(value)s.") % {"value": value})
        return int(value)
    text = re.sub(r"[,，\s]", "", cell_text(value)).removesuffix("人")
    if re.fullmatch(r"-?[0-9]{1,12}(\.0+)?", text):
        return int(text.split(".")[0])
    raise CellProblem(_("Enter a whole number."))


_DATE_PATTERNS = (
    re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)


def cell_date(value: Any) -> date | None:
    """A date from a date cell, text such as 2020-05-01, 2020/5/1 or 2020年5月1日, or an Excel day
    number (a date cell whose format was lost); None for an empty cell."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= _EXCEL_LAST_DAY:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellProblem(_("Enter a date such as 2026-11-25."))
    text = cell_text(value).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise CellProblem(_("Enter a date such as 2026-11-25."))


# --------------------------------------------------------------------------------------------
# Writing: templates and reports
# --------------------------------------------------------------------------------------------


def template_workbook(
    spec: ListSpec,
    *,
    sheet_name: str,
    instructions: Sequence[str],
    options: Mapping[str, Sequence[str]],
    example: bool = False,
) -> bytes:
    """An empty list to fill in: the header (required columns marked "*"), code columns formatted
    as text so Excel keeps every digit, drop-downs from `options`, and a sheet of instructions;
    with `example`, the columns' examples as a first row."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    text = workbook.add_format({"num_format": "@"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    sheet = workbook.add_worksheet(sheet_name)
    help_sheet = workbook.add_worksheet(_("Instructions"))
    options_sheet = workbook.add_worksheet(_("Options"))
    ranges: dict[str, str] = {}
    for index, (name, values) in enumerate(options.items()):
        options_sheet.write(0, index, name, bold)
        options_sheet.write_column(1, index, list(values))
        options_sheet.set_column(index, index, 28)
        letter = column_letter(index)
        ranges[name] = f"='{options_sheet.name}'!${letter}$2:${letter}${len(values) + 1}"

    for index, column in enumerate(spec.columns):
        header = f"*{column.header}" if column.required else column.header
        sheet.write_string(0, index, header, required if column.required else bold)
        sheet.set_column(index, index, column.width, text if column.is_code else None)
        if column.options in ranges:
            sheet.data_validation(
                1, index, spec.max_rows, index, {"validate": "list", "source": ranges[column.options]}
            )
        if example and column.example:
            sheet.write_string(1, index, column.example, text if column.is_code else None)
    sheet.freeze_panes(1, 0)

    help_sheet.set_column(0, 0, 20)
    help_sheet.set_column(1, 1, 8)
    help_sheet.set_column(2, 2, 70, wrap)
    help_sheet.set_column(3, 3, 26)
    row = 0
    for line in instructions:
        help_sheet.write_string(row, 0, line)
        row += 1
    row += 1
    help_sheet.write_row(row, 0, [_("Column"), _("Required"), _("How to fill it in"), _("Example")], bold)
    for column in spec.columns:
        row += 1
        help_sheet.write_string(row, 0, column.header)
        help_sheet.write_string(row, 1, _("Yes") if column.required else "")
        help_sheet.write_string(row, 2, str(column.note))
        help_sheet.write_string(row, 3, column.example)
    workbook.close()
    return output.getvalue()


def report_workbook(
    *,
    sheet_name: str,
    summary: Sequence[tuple[str, Any]],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> bytes:
    """A workbook with a few summary lines and a table below them, e.g. an import's problems."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "constant_memory": True})
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet = workbook.add_worksheet(sheet_name)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(headers) - 1, 16)
    sheet.set_column(len(headers) - 1, len(headers) - 1, 80)
    row = 0
    for label, value in summary:
        sheet.write_string(row, 0, label, bold)
        if isinstance(value, str):
            sheet.write_string(row, 1, value)
        else:
            sheet.write(row, 1, value)
        row += 1
    row += 1
    sheet.write_row(row, 0, list(headers), head)
    for values in rows:
        row += 1
        for index, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(row, index, value)  # never read as a formula or number
            else:
                sheet.write(row, index, value)
    workbook.close()
    return output.getvalue()


# --------------------------------------------------------------------------------------------
# Streaming: big lists read from a file on disk, row by row (member rosters)
# --------------------------------------------------------------------------------------------
#
# `read_table` above holds the whole list in memory, which suits lists of a few thousand rows.
# A roster can have a million: `open_table` reads a file on disk and yields its rows one at a
# time. A CSV file is decoded and parsed as it is read, so memory does not grow with its length.
# A workbook is read by python-calamine, which loads each worksheet whole (in Rust) before the
# first row can be seen: its size is bounded by `StreamLimits.max_workbook_rows` and, before
# calamine opens it, by the uncompressed size of the file's parts (a zip bomb never reaches it).

STREAM_SUFFIXES = {".xlsx": "xlsx", ".xls": "xls", ".ods": "ods", ".csv": "csv"}
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# What Office writes into the container of a workbook saved with a password (an encrypted
# .xlsx is an OLE compound file holding these streams), as UTF-16 directory entry names.
_ENCRYPTED_OOXML = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_READ_CHUNK = 1 << 20
# A deflate stream expands at most about 1032 times (RFC 1951's longest match per bit or so).
_MAX_DEFLATE_RATIO = 1032
_ZIP_LOCAL_HEADER = struct.Struct("<4s22sHH")


@dataclass(frozen=True)
class StreamLimits:
    """What a streamed list may be; each limit turns a hostile or broken file into a clear refusal."""

    max_bytes: int
    max_rows: int  # rows below the header (a CSV file)
    max_workbook_rows: int  # rows below the header in a workbook: calamine holds the sheet in memory
    max_columns: int = 100
    max_uncompressed_bytes: int = 400 * 2**20  # all the parts of an .xlsx or .ods together
    max_line_chars: int = 100_000  # one line of a CSV file


def stream_unsupported_message() -> str:
    return _(
        "Only .xlsx, .xls, .ods and .csv files can be imported. In Excel or WPS, use “Save as” and "
        "choose Excel workbook (.xlsx) or CSV UTF-8."
    )


def _not_a_workbook_message() -> str:
    return _(
        "This file is not a spreadsheet, although its name says so (it may be a picture, a web page or "
        "text renamed). Open the list in Excel or WPS and save it as .xlsx."
    )


def _password_message() -> str:
    return _("The workbook is protected by a password. Remove the password and upload it again.")


def _bomb_message(limit: int) -> str:
    return _(
        "Unpacked, this workbook would be larger than %(limit)s MB, far more than a list of this size "
        "holds; it is refused. Save the list again in Excel or WPS, or as a CSV file."
    ) % {"limit": limit // 2**20}


def _too_many_columns_message(limit: int) -> str:
    return _("The list has more than %(limit)s columns. Keep only the columns of the template.") % {
        "limit": limit
    }


def sniff_format(head: bytes, file_name: str) -> str:
    """The format ("xlsx", "xls", "ods" or "csv") of a file, from its first bytes checked against
    its name, or FileRefused saying what the file is not."""
    if not head:
        raise FileRefused(_("The file is empty."))
    suffix = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    expected = STREAM_SUFFIXES.get(suffix)
    if expected is None:
        raise FileRefused(stream_unsupported_message())
    if head.startswith(_ZIP_MAGIC):
        if expected == "csv":
            raise FileRefused(_not_a_workbook_message())
        # An OpenDocument file stores its media type first, uncompressed, right after the header.
        return "ods" if _ODS_MIMETYPE in head[:200] else "xlsx"
    if head.startswith(_OLE_MAGIC):
        if expected == "csv":
            raise FileRefused(_not_a_workbook_message())
        return "xls"
    if expected != "csv":
        raise FileRefused(_not_a_workbook_message())
    return "csv"


def check_zip_container(path: str, max_uncompressed: int) -> None:
    """Refuse a zip (.xlsx, .ods) whose parts would unpack to more than `max_uncompressed` bytes.

    The sizes written in the zip directory are only claims: each part that could exceed the limit
    is inflated here, in chunks and without keeping the output, and counted, so a file that lies
    about its sizes is caught before calamine (which trusts them) inflates it in memory.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(
            _("The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save it again.")
        ) from exc
    with archive, open(path, "rb") as raw:
        infos = archive.infolist()
        if len(infos) > 10_000:
            raise FileRefused(_bomb_message(max_uncompressed))
        if sum(info.file_size for info in infos) > max_uncompressed:
            raise FileRefused(_bomb_message(max_uncompressed))
        left = max_uncompressed
        for info in infos:
            if info.flag_bits & 0x1:
                raise FileRefused(_password_message())
            if info.compress_type == zipfile.ZIP_STORED:
                left -= info.compress_size
            elif info.compress_type != zipfile.ZIP_DEFLATED:
                raise FileRefused(
                    _(
                        "The workbook is packed in a way spreadsheets do not use. Open it in Excel or "
                        "WPS and save it again."
                    )
                )
            elif info.compress_size * _MAX_DEFLATE_RATIO <= left:
                left -= info.file_size  # cannot exceed what is left, whatever it claims
            else:
                left -= _inflated_size(raw, info, left)
            if left < 0:
                raise FileRefused(_bomb_message(max_uncompressed))


def _inflated_size(raw: Any, info: zipfile.ZipInfo, cap: int) -> int:
    """The bytes a deflated part really inflates to, counting no further than just past `cap`."""
    raw.seek(info.header_offset)
    signature, _fields, name_length, extra_length = _ZIP_LOCAL_HEADER.unpack(raw.read(_ZIP_LOCAL_HEADER.size))
    if signature != _ZIP_MAGIC:
        raise FileRefused(
            _("The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save it again.")
        )
    raw.seek(name_length + extra_length, io.SEEK_CUR)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    left = info.compress_size
    while left > 0 and not inflater.eof:
        data = raw.read(min(_READ_CHUNK, left))
        if not data:
            break
        left -= len(data)
        while data:
            try:
                size += len(inflater.decompress(data, _READ_CHUNK))
            except zlib.error as exc:
                raise FileRefused(
                    _(
                        "The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save "
                        "it again."
                    )
                ) from exc
            if size > cap:
                return size
            data = inflater.unconsumed_tail
    return size


def is_encrypted_office_file(head: bytes) -> bool:
    """Whether an OLE compound file holds a password-encrypted Office Open XML package."""
    return head.startswith(_OLE_MAGIC) and any(name in head for name in _ENCRYPTED_OOXML)


def detect_encoding(path: str, *, max_line_chars: int) -> tuple[str, int]:
    """(encoding, number of lines) of a CSV file: UTF-8 (with or without BOM), UTF-16, or
    GB 18030 (a superset of GBK) when the bytes are not UTF-8. The whole file is read once, in
    chunks, so that a file that is UTF-8 for a megabyte and GBK after it is not garbled. A NUL byte
    (a binary file) and a line longer than `max_line_chars` are refused."""
    with open(path, "rb") as file:
        head = file.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", _count_lines(path, "utf-16", max_line_chars)
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := file.read(_READ_CHUNK):
                if b"\x00" in chunk:
                    raise FileRefused(_undecodable_message())
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if encoding == "utf-8-sig":
                raise FileRefused(_undecodable_message()) from None
            encoding = "gb18030"
    return encoding, _count_lines(path, encoding, max_line_chars)


def _undecodable_message() -> str:
    return _(
        "The text of this CSV file cannot be read. Save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
    )


def _count_lines(path: str, encoding: str, max_line_chars: int) -> int:
    lines = 0
    with open(path, encoding=encoding, newline="") as text:
        try:
            while chunk := text.read(_READ_CHUNK):
                lines += chunk.count("\n")
                if "\x00" in chunk:
                    raise FileRefused(_undecodable_message())
                # The longest run without a line break, looked at only when the chunk could hold one.
                if len(chunk) > max_line_chars and max(map(len, chunk.split("\n"))) > max_line_chars:
                    raise FileRefused(
                        _(
                            "A line of the file is longer than %(limit)s characters, which no row of a "
                            "list needs. Check the file; save it again from Excel or WPS."
                        )
                        % {"limit": f"{max_line_chars:,}"}
                    )
        except UnicodeDecodeError as exc:
            raise FileRefused(_undecodable_message()) from exc
    return lines


@dataclass
class StreamedTable:
    """A list found in a file, with an iterator over its non-empty rows below the header
    (numbered as the spreadsheet numbers them). `row_bound` is at most the number of rows."""

    spec: ListSpec
    format: str
    encoding: str
    header_row: int
    columns: dict[str, int]
    headers: dict[str, str]
    header_cells: list[str]
    row_bound: int
    rows: Iterator[tuple[int, list[Any]]]

    def cell(self, cells: list[Any], key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def where(self, key: str) -> tuple[str, str]:
        if key not in self.columns:
            return "", ""
        return self.headers[key], column_letter(self.columns[key])


def _stream_rows(rows: Iterator[list[Any]], start: int) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(rows, start=start):
        if not all(is_empty(cell) for cell in row):
            yield number, row


def _limited_lines(text: Iterable[str], max_line_chars: int) -> Iterator[str]:
    for line in text:
        if len(line) > max_line_chars:
            raise FileRefused(
                _("A line of the file is longer than %(limit)s characters. Check the file.")
                % {"limit": f"{max_line_chars:,}"}
            )
        yield line


def _csv_stream(path: str, limits: StreamLimits) -> tuple[str, int, Iterator[list[Any]], Any]:
    encoding, lines = detect_encoding(path, max_line_chars=limits.max_line_chars)
    if lines > limits.max_rows + HEADER_SEARCH_ROWS:
        raise FileRefused(too_many_rows_message(limits.max_rows))
    text = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by open_table)
    sample = text.read(8192)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return encoding, lines, csv.reader(_limited_lines(text, limits.max_line_chars), dialect), text


@contextmanager
def open_table(path: str, file_name: str, spec: ListSpec, limits: StreamLimits) -> Iterator[StreamedTable]:
    """The list in the file at `path`, streamed; FileRefused saying what is wrong with the file.
    The header is searched for in the first rows of each visible worksheet, as `read_table` does."""
    size = os.path.getsize(path)
    if size > limits.max_bytes:
        raise FileRefused(
            _("The file is larger than %(limit)s MB. Split the list.") % {"limit": limits.max_bytes // 2**20}
        )
    with open(path, "rb") as file:
        head = file.read(64 * 1024)
    kind = sniff_format(head, file_name)
    if kind == "csv":
        encoding, lines, reader, text = _csv_stream(path, limits)
        with text:
            try:
                top = list(islice(reader, HEADER_SEARCH_ROWS))
                yield _streamed(spec, kind, encoding, top, reader, lines, limits)
            except csv.Error as exc:
                raise FileRefused(
                    _("The CSV file is damaged. Open it in Excel or WPS and save it again.")
                ) from exc
        return
    if kind == "xls" and is_encrypted_office_file(head):
        raise FileRefused(_password_message())
    if kind in {"xlsx", "ods"}:
        check_zip_container(path, limits.max_uncompressed_bytes)
    try:
        workbook = CalamineWorkbook.from_path(path)
    except PasswordError as exc:
        raise FileRefused(_password_message()) from exc
    except Exception as exc:  # calamine reports a broken file with several exception types
        raise FileRefused(
            _("The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save it again.")
        ) from exc
    with workbook:
        problem: str | None = None
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
            except Exception as exc:
                raise FileRefused(
                    _(
                        "The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save "
                        "it again."
                    )
                ) from exc
            if sheet.width > limits.max_columns:
                raise FileRefused(_too_many_columns_message(limits.max_columns))
            if sheet.height > limits.max_workbook_rows + HEADER_SEARCH_ROWS:
                raise FileRefused(
                    _(
                        "The worksheet has %(rows)s rows; at most %(limit)s can be imported from a "
                        "workbook at once. Split it, or save it as a CSV file (up to %(csv)s rows)."
                    )
                    % {
                        "rows": f"{sheet.height:,}",
                        "limit": f"{limits.max_workbook_rows:,}",
                        "csv": f"{limits.max_rows:,}",
                    }
                )
            start_row = sheet.start[0] if sheet.start else 0
            rows = iter(sheet.iter_rows())
            # Leading empty rows are not in calamine's range: number rows as the file does.
            top = [[] for _ in range(start_row)] + list(islice(rows, HEADER_SEARCH_ROWS))
            top = top[:HEADER_SEARCH_ROWS] if start_row < HEADER_SEARCH_ROWS else top
            found = _find_header(top, spec)
            if isinstance(found, str):
                if problem is None and any(top):
                    problem = found
                continue
            yield _streamed(spec, kind, "", top, rows, start_row + sheet.height, limits, found)
            return
        raise FileRefused(problem or _("The file is empty."))


def _streamed(
    spec: ListSpec,
    kind: str,
    encoding: str,
    top: list[list[Any]],
    rest: Iterator[list[Any]],
    row_bound: int,
    limits: StreamLimits,
    found: tuple[int, dict[str, int], dict[str, str]] | str | None = None,
) -> StreamedTable:
    if found is None:
        found = _find_header(top, spec)
    if isinstance(found, str):
        raise FileRefused(found if any(top) else _("The file is empty."))
    header_index, columns, headers = found
    header_cells = [cell_text(cell) for cell in top[header_index]]
    if len(header_cells) > limits.max_columns:
        raise FileRefused(_too_many_columns_message(limits.max_columns))
    below = top[header_index + 1 :]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield from _stream_rows(iter(below), header_index + 2)
        yield from _stream_rows(rest, len(top) + 1)

    return StreamedTable(
        spec=spec,
        format=kind,
        encoding=encoding,
        header_row=header_index + 1,
        columns=columns,
        headers=headers,
        header_cells=header_cells,
        row_bound=max(row_bound - header_index - 1, 0),
        rows=rows(),
    )


# --------------------------------------------------------------------------------------------
# Cells written for people to open: never a formula
# --------------------------------------------------------------------------------------------

# What makes Excel, WPS or LibreOffice read a cell as a formula (or a DDE command such as
# "=cmd|' /C calc'!A0") when it opens a CSV file, or when someone edits a text cell and presses
# Enter: "=", "+", "-" or "@" first, also behind a tab or carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """`text` as a cell that can never start a formula: a leading apostrophe (OWASP's advice for
    CSV injection) before a dangerous first character, everything else unchanged."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), also
# after leading tabs and line breaks, which some programs skip.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize_formula(text: str) -> str:
    """Text for a cell that no spreadsheet runs as a formula: one that would start like a formula
    gets a leading apostrophe, as Excel itself shows text typed that way."""
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text
