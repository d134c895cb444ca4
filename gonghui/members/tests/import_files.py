"""Roster files for the import tests, written the way Excel, WPS and LibreOffice write them (and
the way hostile files are built), plus a few helpers to run an import on them."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import RosterImport
from gonghui.members.services.imports import import_roster_file
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import xlsx

HEADER = ("姓名", "身份证号", "手机号")
_birth_serial = iter(range(1, 10**6))


def person_id(sex: str = "male") -> str:
    """A valid 18-character ID number, different on every call (born 1985 + n days)."""
    from datetime import date, timedelta

    n = next(_birth_serial)
    birth = date(1985, 1, 1) + timedelta(days=n // 400)
    sequence = (n % 400) * 2 + (1 if sex == "male" else 2)
    return make_id_number("330203", birth, sequence, sex)  # type: ignore[arg-type]


def csv_file(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    lines = [",".join("" if value is None else str(value) for value in row) for row in rows]
    content = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + content) if bom else content


def xlsx_file(rows: Sequence[Sequence[Any]]) -> bytes:
    """Numbers as numbers (an ID typed into Excel without the text format arrives as a float)."""
    return xlsx(rows)


def ods_file(rows: Sequence[Sequence[Any]]) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice stores one: the media type first and
    uncompressed, then content.xml with one table."""
    cells_xml = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
            else:
                text = escape("" if value is None else str(value))
                cells.append(
                    f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
                )
        cells_xml.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="花名册">'
        + "".join(cells_xml)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return output.getvalue()


def xls_file(rows: Sequence[Sequence[Any]], *, sheet: str = "花名册") -> bytes:
    """A legacy Excel 97–2003 workbook (BIFF8 in an OLE compound file), written by hand: no
    library here writes .xls. Text cells are LABEL records, numbers NUMBER records (an ID typed
    as a number is a float, as Excel stores it)."""
    body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows)), 0))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                body += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
            else:
                text = str(value)
                body += _record(
                    0x0204, struct.pack("<HHHHB", r, c, 0, len(text), 1) + text.encode("utf-16-le")
                )
    body += _record(0x000A)

    def workbook_globals(sheet_offset: int) -> bytes:
        bound_sheet = struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet), 1) + sheet.encode("utf-16-le")
        codepage = _record(0x0042, struct.pack("<H", 1200))  # UTF-16
        return _bof(0x0005) + codepage + _record(0x0085, bound_sheet) + _record(0x000A)

    return _compound_file(workbook_globals(len(workbook_globals(0))) + body)


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def _compound_file(stream: bytes) -> bytes:
    """One stream named "Workbook" in a version 3 compound file: the header, one FAT sector, one
    directory sector, then the stream (padded to 4096 bytes, so that it needs no mini stream)."""
    sector = 512
    stream = stream.ljust(max(4096, -(-len(stream) // sector) * sector), b"\x00")
    sectors = len(stream) // sector
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end, *range(3, 2 + sectors), end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += bytes(6) + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        links = struct.pack("<III", free, free, child)
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + links
            + bytes(36)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
    directory += entry("", 0, free, 0, 0) * 2
    return header + struct.pack("<128I", *fat) + directory + stream


def zip_bomb_xlsx(inflated_bytes: int, *, lie_about_size: bool = False) -> bytes:
    """A real workbook whose sheet XML is replaced by `inflated_bytes` of padding, deflated to a
    few kilobytes. With `lie_about_size`, the zip's headers claim the part is 1 KB."""
    good = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, ("王小明", person_id(), "")])))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, good.read(info.filename))
                continue
            with archive.open(info.filename, "w", force_zip64=True) as part:
                part.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>')
                chunk = b" " * (1 << 20)
                left = inflated_bytes
                while left > 0:
                    part.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
                part.write(b"</sheetData></worksheet>")
    content = bytearray(output.getvalue())
    if lie_about_size:
        _claim_size(content, "xl/worksheets/sheet1.xml", 1024)
    return bytes(content)


def _claim_size(content: bytearray, name: str, size: int) -> None:
    """Overwrite the uncompressed size of part `name` in its local and central headers."""
    encoded = name.encode()
    local = content.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", content, local + 26)[0]
        if content[local + 30 : local + 30 + name_length] == encoded:
            _set_size(
                content,
                local + 22,
                local + 30 + name_length,
                struct.unpack_from("<H", content, local + 28)[0],
                size,
            )
            break
        local = content.find(b"PK\x03\x04", local + 4)
    central = content.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", content, central + 28)[0]
        if content[central + 46 : central + 46 + name_length] == encoded:
            _set_size(
                content,
                central + 24,
                central + 46 + name_length,
                struct.unpack_from("<H", content, central + 30)[0],
                size,
            )
            break
        central = content.find(b"PK\x01\x02", central + 4)


def _set_size(content: bytearray, offset: int, extra_start: int, extra_length: int, size: int) -> None:
    if struct.unpack_from("<I", content, offset)[0] == 0xFFFFFFFF:
        # zip64: the real size sits in the extra field (tag 1: uncompressed, then compressed)
        position = extra_start
        while position < extra_start + extra_length:
            tag, length = struct.unpack_from("<HH", content, position)
            if tag == 1:
                struct.pack_into("<Q", content, position + 4, size)
                return
            position += 4 + length
    struct.pack_into("<I", content, offset, size)


def run_import(
    tmp_path: Path,
    content: bytes,
    name: str,
    *,
    org: Org,
    mode: str = "valid",
    actor: User | None = None,
    **kwargs: Any,
) -> RosterImport:
    path = tmp_path / name
    path.write_bytes(content)
    return import_roster_file(str(path), org=org, mode=mode, actor=actor, **kwargs)


def problems_of(roster_import: RosterImport) -> list[tuple[int, str, str]]:
    """(row, column letter, reason code) of every problem, in row order."""
    return list(roster_import.problems.order_by("row", "pk").values_list("row", "column_letter", "code"))


def report_sheets(roster_import: RosterImport) -> dict[str, list[list[Any]]]:
    with roster_import.report.open("rb") as file:
        content = file.read()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def report_comments(roster_import: RosterImport) -> str:
    """The text of the comments on the report's marked cells (the XML of the comment parts)."""
    with roster_import.report.open("rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    return "".join(
        archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/comments")
    )


def report_fills(roster_import: RosterImport) -> str:
    with roster_import.report.open("rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    return archive.read("xl/styles.xml").decode()
