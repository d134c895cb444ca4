"""Roster import (花名册导入): a union's list of members from a workbook or CSV file.

`start_roster_import` runs in the request: it checks the officer, the union and the file (its
format, header and size, so that a file that cannot be a roster is refused at once and nothing
is stored), keeps the file in the default file storage and starts a background job, which runs
`run_roster_import`. The command line (`gonghui import-roster`) calls `import_roster_file`,
which does the same without a job.

How a roster is read and written:

1. Rows are streamed (gonghui.core.spreadsheets.open_table) and checked in chunks of
   `CHUNK_ROWS`: every cell is normalised (full-width forms, stray spaces, a lower-case x,
   15-digit ID numbers upgraded) and validated; each problem is noted with its row, its column
   and a reason for people. An ID number that the spreadsheet stored as a number has lost its
   last digits and is refused as such; the sex, when given, must agree with the ID number.
2. Against the rows above: the first row with an ID number is kept, a later one is refused and
   the first one gets a note naming it. Against the database, one query per chunk by blind
   index: a person active in this union is skipped ("already a member", not an error in any
   mode); a person active in another union is refused, and the report offers to ask for their
   transfer. Workplaces are found by credit code or name among the workplaces the union covers.
3. The good rows of a chunk become members (`registry.member_values`: encryption and blind
   indexes) with one `MemberEvent` (imported) each: on PostgreSQL the members by COPY and their
   events by one INSERT … SELECT from them, bulk_create elsewhere; one audit event sums the
   import up. The unique index on active memberships still guards against a person joining
   elsewhere meanwhile: such a row becomes a problem like any other (the chunk is written
   again without it), never an error page. On PostgreSQL outside a transaction a writer thread
   writes chunk n on its own connection while chunk n + 1 is checked (`_background_writer`;
   figures in bench/README.md); the checking thread also makes the chunk's COPY text, so that
   the writer only waits for the database.

Modes: *check* writes nothing. *valid* writes the good rows chunk by chunk, each chunk in its own
transaction, so the progress bar moves. *all* checks the whole file first (as *check*); only
when no row has a problem does it read the file again and write every row in one transaction,
which it rolls back if any row fails then: nothing is ever half-written.

The report workbook is written while the rows are checked: a sheet listing every problem, and a
sheet with the rows that have problems, the bad cells highlighted and commented. No cell of it
can start a formula (`neutralize_formula`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from itertools import islice
from typing import Any, Literal

import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.creditcode import InvalidCreditCode, parse_credit_code
from gonghui.core.crypto import encrypter
from gonghui.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from gonghui.core.fields import EncryptedTextField
from gonghui.core.idnumbers import IdNumber, InvalidIdNumber, parse_id_number
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.spreadsheets import (
    CellProblem,
    Column,
    FileRefused,
    ListSpec,
    StreamedTable,
    StreamLimits,
    cell_date,
    cell_text,
    is_empty,
    neutralize_formula,
    open_table,
    template_workbook,
)
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import (
    GigOccupation,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    RosterImport,
    RosterImportMode,
    RosterImportProblem,
    RosterProblemLevel,
)
from gonghui.members.services.registry import (
    Categories,
    NewMember,
    member_values,
    require_member_holding_union,
)
from gonghui.orgs.demo.bulk import copy_line, copy_text
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at
from gonghui.orgs.services.coverage import schedule_coverage_refresh

# Rows checked, looked up and written together: one lookup query and one COPY per chunk.
CHUNK_ROWS = 2000
# Problems kept (listed on screen and in the report) per import; beyond it they are counted only.
MAX_LISTED_PROBLEMS = 100_000
# Rows with problems copied into the report with their cells marked.
MAX_REPORT_ROWS = 100_000
# A cell longer than this holds no name, number or date of a roster.
MAX_CELL_CHARS = 500
FORMULA_START = ("=", "+", "-", "@")
# What people write in an optional cell that has nothing to say.
_NOTHING = frozenset({"-", "—", "/", "无", "没有", "暂无", "N/A", "n/a"})


def import_limits() -> StreamLimits:
    """The limits of one roster file, from settings (see docs/members-roster-import.md)."""
    return StreamLimits(
        max_bytes=settings.ROSTER_IMPORT_MAX_BYTES,
        max_rows=settings.ROSTER_IMPORT_MAX_ROWS,
        max_workbook_rows=settings.ROSTER_IMPORT_MAX_WORKBOOK_ROWS,
        max_columns=100,
        max_uncompressed_bytes=settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES,
    )


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------


ROSTER_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "姓名",
        ("职工姓名", "会员姓名", "名字", "员工姓名"),
        required=True,
        note=gettext_lazy("As on the ID card."),
        example="王小明",
    ),
    Column(
        "id_number",
        "身份证号",
        ("证件号码", "公民身份号码", "身份证号码", "身份证", "身份证件号码", "居民身份证号码", "证件号"),
        required=True,
        note=gettext_lazy(
            "18 characters (an old 15-digit number is upgraded). Keep the column formatted as text, "
            "or Excel drops the last digits."
        ),
        example="330203198001010036",  # a valid number (check digit 6), of a man as the example's sex
        is_code=True,
        width=22,
    ),
    Column(
        "mobile",
        "手机号",
        ("联系电话", "手机号码", "电话", "手机", "联系方式", "移动电话"),
        note=gettext_lazy("11 digits."),
        example="13800138000",
        is_code=True,
        width=14,
    ),
    Column(
        "sex",
        "性别",
        (),
        note=gettext_lazy("Optional: the sex is read from the ID number; if given, it must agree with it."),
        example="男",
        width=6,
    ),
    Column(
        "workplace",
        "工作单位",
        ("单位名称", "单位", "所在单位", "工作单位名称", "工作单位全称"),
        note=gettext_lazy(
            "The registered name of a workplace this union covers. May be left empty when the union "
            "covers a single workplace."
        ),
        example="示范市明州精工机械有限公司",
        width=30,
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("单位统一社会信用代码", "社会信用代码", "信用代码", "单位信用代码"),
        note=gettext_lazy("The workplace's credit code; it wins over the name when both are given."),
        example="",
        is_code=True,
        width=22,
    ),
    Column(
        "joined_on",
        "入会日期",
        ("入会时间",),
        note=gettext_lazy("A date such as 2020-05-01; empty: today."),
        example="2020-05-01",
        width=12,
    ),
    Column(
        "is_gig_worker",
        "是否新就业形态",
        ("新就业形态劳动者", "新就业形态", "是否新就业形态劳动者"),
        note=gettext_lazy("是 or 否 (also Y/N, 1/0)."),
        example="否",
        options="是否",
        width=10,
    ),
    Column(
        "gig_occupation",
        "新就业形态类别",
        ("职业类别", "从业类别", "新就业形态职业", "平台职业"),
        note=gettext_lazy("For new-form workers: one of the kinds on the “选项” sheet."),
        example="",
        options="新就业形态类别",
    ),
    Column(
        "gig_platform",
        "所属平台",
        ("平台", "平台名称", "所在平台"),
        note=gettext_lazy("For new-form workers: the platform they work through."),
        example="",
    ),
    Column(
        "is_migrant_worker",
        "是否农民工",
        ("农民工",),
        note=gettext_lazy("是 or 否."),
        example="否",
        options="是否",
        width=10,
    ),
    Column(
        "is_model_worker",
        "是否劳模",
        ("劳模", "劳动模范", "是否劳动模范"),
        note=gettext_lazy("是 or 否."),
        example="否",
        options="是否",
        width=10,
    ),
)


def roster_spec() -> ListSpec:
    limits = import_limits()
    return ListSpec(
        ROSTER_COLUMNS, identity="id_number", max_rows=limits.max_rows, max_bytes=limits.max_bytes
    )


_YES = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "✔", "对", "有"})
_NO = frozenset({"否", "n", "no", "0", "false", "×", "✗", "✘", "不是", "非"})


def cell_flag(value: Any) -> bool:
    """是/否, Y/N, 1/0, TRUE/FALSE (or a checkbox's bool); empty is 否."""
    if value in ("否", "是"):  # what nearly every row has, before the general path
        return bool(value == "是")
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
    else:
        text = normalize_text(str(value)).lower()
        if text in _YES:
            return True
        if text in _NO or text in _NOTHING:
            return False
    raise CellProblem(_("Write 是 or 否 (Y/N and 1/0 are understood too)."))


@cache
def _occupations() -> dict[str, str]:
    with translation.override("zh-hans"):
        names = {normalize_text(str(label)): str(value) for value, label in GigOccupation.choices}
    names |= {value: value for value in GigOccupation.values}
    names |= {
        "外卖骑手": GigOccupation.DELIVERY_RIDER,
        "外卖员": GigOccupation.DELIVERY_RIDER,
        "骑手": GigOccupation.DELIVERY_RIDER,
        "快递员": GigOccupation.COURIER,
        "快递小哥": GigOccupation.COURIER,
        "网约车司机": GigOccupation.RIDE_HAILING,
        "网约车驾驶员": GigOccupation.RIDE_HAILING,
        "货车司机": GigOccupation.TRUCK_DRIVER,
        "货车驾驶员": GigOccupation.TRUCK_DRIVER,
        "家政服务员": GigOccupation.DOMESTIC,
        "家政": GigOccupation.DOMESTIC,
        "网络主播": GigOccupation.ONLINE_CREATOR,
        "主播": GigOccupation.ONLINE_CREATOR,
        "其他": GigOccupation.OTHER,
    }
    return names


@lru_cache(maxsize=4096)
def _workplace_key(name: str) -> str:
    # Cached: a roster names the same few workplaces on thousands of rows.
    return re.sub(r"[\s()（）]", "", normalize_text(name))


@lru_cache(maxsize=4096)
def _credit_code(text: str) -> str:
    # Cached like the workplace names (an invalid code raises, and is not cached).
    return parse_credit_code(text).value


# --------------------------------------------------------------------------------------------
# Checking one row
# --------------------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str  # a column key, or "" for the whole row
    code: str
    message: str
    level: str = RosterProblemLevel.ERROR
    member_id: int | None = None
    workplace_id: int | None = None


@dataclass
class GoodRow:
    """A row without problems so far; `values` (member_values) once its workplace is known."""

    row: int
    name: str
    id_number: IdNumber
    mobile: str
    categories: Categories
    joined_on: date | None
    workplace_ref: tuple[str, str, str] | None  # ("code" | "name", key, as written) to be found
    workplace_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, message: str) -> None:
    return None


class _Row:
    """One row's cells read as typed values, with a problem noted (and None returned) for each
    bad cell."""

    __slots__ = ("cells", "number", "problems", "refused", "table")

    def __init__(self, table: StreamedTable, number: int, cells: list[Any]) -> None:
        self.table, self.number, self.cells = table, number, cells
        self.problems: list[Problem] = []
        # Columns whose cell was refused as too long: read as None, but not "missing".
        self.refused: set[str] = set()

    def raw(self, key: str) -> Any:
        index = self.table.columns.get(key)
        if index is None or index >= len(self.cells):
            return None
        value = self.cells[index]
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            self.refused.add(key)
            self.problem(
                key,
                "cell.too_long",
                _("The cell holds %(count)s characters, far more than this column needs; it is refused.")
                % {"count": f"{len(value):,}"},
            )
            return None
        return value

    def problem(self, key: str, code: str, message: str, **extra: Any) -> None:
        self.problems.append(Problem(self.number, key, code, message, **extra))

    def text(self, key: str) -> str:
        value = self.raw(key)
        if is_empty(value):
            return ""
        text = cell_text(value)
        if text in _NOTHING:
            return ""  # "-" or "无" says there is nothing: not a formula, not a value
        if text.startswith(FORMULA_START):
            self.problem(key, f"{key}.formula", _formula_message())
            return ""
        return text

    def optional_text(self, key: str, max_length: int) -> str:
        text = self.text(key)
        if text in _NOTHING:
            return ""
        if len(text) > max_length:
            self.problem(
                key,
                f"{key}.too_long",
                _("At most %(limit)s characters, not %(count)s.") % {"limit": max_length, "count": len(text)},
            )
            return ""
        return text

    def flag(self, key: str) -> bool:
        try:
            return cell_flag(self.raw(key))
        except CellProblem as exc:
            self.problem(key, f"{key}.invalid", exc.message)
            return False


def _formula_message() -> str:
    return _(
        "The cell starts with “=”, “+”, “-” or “@”, which a spreadsheet runs as a formula; it is "
        "refused. Remove that character if it does not belong there."
    )


_NAME_CHARACTERS = re.compile(r"[^\W\d_]+(?:[ ·'.\-][^\W\d_]+)*")


def _read_name(row: _Row) -> str:
    raw = row.raw("name")
    if "name" in row.refused:
        return ""
    if is_empty(raw):
        row.problem("name", "name.required", _("The name is missing."))
        return ""
    text = cell_text(raw)
    if text.startswith(FORMULA_START):
        row.problem("name", "name.formula", _formula_message())
        return ""
    name = normalize_name(text)
    # isalpha(): letters only, which the pattern accepts too, in one C call (nearly every name).
    if not (name.isalpha() or _NAME_CHARACTERS.fullmatch(name)):
        row.problem(
            "name",
            "name.characters",
            _("A name has only letters (Chinese or other), spaces and the separator “·”."),
        )
        return ""
    if len(name) > 60:
        row.problem("name", "name.too_long", _("A name has at most 60 characters."))
        return ""
    return name


def _read_id_number(row: _Row, today: date) -> IdNumber | None:
    raw = row.raw("id_number")
    if "id_number" in row.refused:
        return None
    if is_empty(raw):
        row.problem("id_number", "id_number.required", _("The ID number is missing."))
        return None
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        # A number cell: Excel keeps 15 significant digits, an ID number has 18 (a 15-digit old
        # number survives, but is never typed that way; refuse the lot with the same reason).
        if isinstance(raw, int) or (raw.is_integer() and abs(raw) < 10**15):
            text = str(int(raw))
        else:
            row.problem(
                "id_number", "id_number.scientific_notation", str(InvalidIdNumber("scientific_notation"))
            )
            return None
    else:
        text = str(raw)
    try:
        return parse_id_number(text, today=today)  # the run's day: date.today() costs per row
    except InvalidIdNumber as exc:
        row.problem("id_number", f"id_number.{exc.reason}", exc.message)
        return None


def _read_mobile(row: _Row) -> str:
    raw = row.raw("mobile")
    if is_empty(raw):
        return ""
    if isinstance(raw, float):
        if not raw.is_integer():
            row.problem("mobile", "mobile.characters", str(InvalidMobile("characters")))
            return ""
        raw = str(int(raw))
    try:
        return parse_mobile(str(raw))
    except InvalidMobile as exc:
        row.problem("mobile", f"mobile.{exc.reason}", exc.message)
        return ""


_SEXES = {"男": "male", "女": "female", "m": "male", "f": "female", "male": "male", "female": "female"}


def _check_sex(row: _Row, id_number: IdNumber | None) -> None:
    text = row.text("sex")
    if not text:
        return
    sex = _SEXES.get(text.lower().removesuffix("性"))
    if sex is None:
        row.problem(
            "sex", "sex.unknown", _("Write 男 or 女, or leave the cell empty: the ID number tells the sex.")
        )
    elif id_number is not None and sex != id_number.sex:
        said = "男" if id_number.sex == "male" else "女"
        row.problem(
            "sex",
            "sex.mismatch",
            _(
                "The sex “%(given)s” does not agree with the ID number, which says %(said)s. Check the ID "
                "number (or the sex)."
            )
            % {"given": text, "said": said},
        )


def _read_joined_on(row: _Row, id_number: IdNumber | None, today: date) -> date | None:
    raw = row.raw("joined_on")
    if is_empty(raw):
        return None
    try:
        joined = cell_date(raw)
    except CellProblem as exc:
        row.problem("joined_on", "joined_on.invalid", exc.message)
        return None
    if joined is None:
        return None
    if joined > today:
        row.problem("joined_on", "joined_on.future", _("The join date cannot be in the future."))
        return None
    if id_number is not None and joined < id_number.birth_date:
        row.problem(
            "joined_on",
            "joined_on.before_birth",
            _("The join date is before the birth date in the ID number."),
        )
        return None
    return joined


def _read_categories(row: _Row) -> Categories:
    gig = row.flag("is_gig_worker")
    occupation_text = row.optional_text("gig_occupation", 20)
    occupation = ""
    if occupation_text:
        occupation = _occupations().get(occupation_text, "")
        if not occupation:
            row.problem(
                "gig_occupation",
                "gig_occupation.unknown",
                _(
                    "Unknown kind of platform work “%(value)s”: use one of the kinds on the template's "
                    "“选项” sheet."
                )
                % {"value": occupation_text},
            )
    platform = row.optional_text("gig_platform", 40)
    if (occupation or platform) and not gig:
        if is_empty(row.raw("is_gig_worker")):
            gig = True  # a platform or a kind of platform work says so
        else:
            column = "gig_platform" if platform else "gig_occupation"
            row.problem(
                column,
                "gig_platform.not_gig",
                _("A platform or kind of platform work is given, but “是否新就业形态” says 否."),
            )
    return Categories(
        is_gig_worker=gig,
        gig_occupation=occupation,
        gig_platform=platform,
        is_migrant_worker=row.flag("is_migrant_worker"),
        is_model_worker=row.flag("is_model_worker"),
    )


def _workplace_ref(row: _Row) -> tuple[str, str, str] | None:
    name = row.optional_text("workplace", 120)
    code = cell_text(row.raw("credit_code"))
    if code and code not in _NOTHING:
        try:
            return ("code", _credit_code(code), name)
        except InvalidCreditCode as exc:
            row.problem("credit_code", f"credit_code.{exc.reason}", exc.message)
            return None
    return ("name", _workplace_key(name), name) if name else None


def check_row(
    table: StreamedTable, number: int, cells: list[Any], today: date
) -> tuple[GoodRow | None, list[Problem], IdNumber | None]:
    """The row as a person to add (workplace still to be found) or None, its problems, and its
    ID number when that could be read (duplicates are found among all rows, good or not)."""
    row = _Row(table, number, cells)
    width = len(table.header_cells)
    if len(cells) > width and any(not is_empty(cell) for cell in cells[width:]):
        row.problem(
            "",
            "row.extra_cells",
            _("The row has cells to the right of the last column of the header; they are not read."),
            level=RosterProblemLevel.NOTE,
        )
    name = _read_name(row)
    id_number = _read_id_number(row, today)
    mobile = _read_mobile(row)
    _check_sex(row, id_number)
    joined_on = _read_joined_on(row, id_number, today)
    categories = _read_categories(row)
    reference = _workplace_ref(row)
    if id_number is None or any(problem.level == RosterProblemLevel.ERROR for problem in row.problems):
        return None, row.problems, id_number
    return GoodRow(number, name, id_number, mobile, categories, joined_on, reference), row.problems, id_number


# --------------------------------------------------------------------------------------------
# Workplaces
# --------------------------------------------------------------------------------------------


class _Workplaces:
    """The workplaces the union covers, by credit code and by name (one query); what a row names
    that is not among them is looked up once, to say whose it is."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.by_code: dict[str, Workplace] = {}
        self.by_name: dict[str, list[Workplace]] = {}
        for workplace in Workplace.objects.filter(union=org).only("pk", "credit_code", "name"):
            self.by_code[workplace.credit_code] = workplace
            self.by_name.setdefault(_workplace_key(workplace.name), []).append(workplace)
        covered = list(self.by_code.values())
        # A union covering one workplace (most grassroots unions): an empty cell means that one.
        self.only: Workplace | None = covered[0] if len(covered) == 1 else None
        # (kind, key) of a workplace not among them → (reason code, message)
        self._elsewhere: dict[tuple[str, str], tuple[str, str]] = {}

    def resolve(self, goods: list[GoodRow]) -> list[Problem]:
        """Set each row's workplace; a problem for each row whose workplace cannot be used."""
        misses = [good.workplace_ref for good in goods if good.workplace_ref and self._find(good) is None]
        self._look_up_elsewhere([ref for ref in misses if ref is not None])
        problems: list[Problem] = []
        for good in goods:
            if good.workplace_ref is None:
                good.workplace_id = self.only.pk if self.only else None
                continue
            kind, key, written = good.workplace_ref
            found = self._find(good)
            column = "credit_code" if kind == "code" else "workplace"
            if isinstance(found, Workplace):
                if kind == "code" and written and _workplace_key(written) != _workplace_key(found.name):
                    problems.append(
                        Problem(
                            good.row,
                            "workplace",
                            "workplace.code_name_mismatch",
                            _(
                                "The workplace name does not agree with the credit code, which is registered "
                                "for “%(name)s”. Check both."
                            )
                            % {"name": found.name},
                        )
                    )
                    continue
                good.workplace_id = found.pk
            elif found == "ambiguous":
                problems.append(
                    Problem(
                        good.row,
                        column,
                        "workplace.ambiguous",
                        _(
                            "This union covers %(count)s workplaces named “%(name)s”: give the credit code "
                            "in the column “统一社会信用代码”."
                        )
                        % {"count": len(self.by_name[key]), "name": written},
                    )
                )
            else:
                code, message = self._elsewhere[(kind, key)]
                problems.append(Problem(good.row, column, code, message))
        return problems

    def _find(self, good: GoodRow) -> Workplace | str | None:
        assert good.workplace_ref is not None
        kind, key, _written = good.workplace_ref
        if kind == "code":
            return self.by_code.get(key)
        candidates = self.by_name.get(key, [])
        if len(candidates) > 1:
            return "ambiguous"
        return candidates[0] if candidates else None

    def _look_up_elsewhere(self, refs: list[tuple[str, str, str]]) -> None:
        new = {(kind, key): written for kind, key, written in refs if (kind, key) not in self._elsewhere}
        if not new:
            return
        codes = [key for kind, key in new if kind == "code"]
        names = {written: key for (kind, key), written in new.items() if kind == "name"}
        found: dict[tuple[str, str], tuple[str, str]] = {}
        if codes:
            for code, name, union in Workplace.objects.filter(credit_code__in=codes).values_list(
                "credit_code", "name", "union__name"
            ):
                found[("code", code)] = (name, union or "")
        if names:
            for name, union in Workplace.objects.filter(name__in=list(names)).values_list(
                "name", "union__name"
            ):
                found[("name", _workplace_key(name))] = (name, union or "")
        for (kind, key), written in new.items():
            code = "workplace.not_found"
            if (kind, key) in found:
                name, union = found[(kind, key)]
                code = "workplace.not_covered"
                if union:
                    message = _(
                        "The workplace “%(name)s” is not covered by this union but by %(union)s: its "
                        "people are imported there."
                    ) % {"name": name, "union": union}
                else:
                    message = _(
                        "The workplace “%(name)s” is not covered by this union (no union covers it yet). "
                        "Record it as covered first, under “Workplaces”."
                    ) % {"name": name}
            elif kind == "code":
                message = _(
                    "No workplace is registered with the credit code %(code)s. Register it under "
                    "“Workplaces” first, or check the code."
                ) % {"code": key}
            else:
                message = _(
                    "This union covers no workplace named “%(name)s”. Use the registered name, or give the "
                    "credit code."
                ) % {"name": written}
            self._elsewhere[(kind, key)] = (code, message)


# --------------------------------------------------------------------------------------------
# Writing members: COPY on PostgreSQL, bulk_create elsewhere
# --------------------------------------------------------------------------------------------


def _column(model: type[models.Model], name: str) -> str:
    """The quoted column of a model's field, for SQL written here."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return str(connection.ops.quote_name(model_field.column))


def _table(model: type[models.Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _events_from_members() -> str:
    """The INSERT … SELECT making the "imported" events of the members whose ids it is given."""
    columns = ", ".join(
        _column(MemberEvent, name)
        for name in ("member", "id_number_index", "org", "kind", "changes", "note", "actor", "created_at")
    )
    pk, index, org = (_column(Member, name) for name in ("id", "id_number_index", "org"))
    # ORDER BY: the events get their ids in the members' order, as when each had its own line.
    return f"""
        INSERT INTO {_table(MemberEvent)} ({columns})
        SELECT {pk}, {index}, {org}, %s, '{{}}'::jsonb, %s, %s, %s
        FROM {_table(Member)} WHERE {pk} = ANY(%s) ORDER BY {pk}
    """  # noqa: S608 - table and column names from the models, values as parameters


def _reserve_ids(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Member._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


# A function giving one column's COPY text from a row of `member_values` (with id and time
# stamps added): what Django's INSERT would store, formatted straight away. Building the text
# column by column (rather than values first, then `copy_line`) halves the cost per row, which
# with the two encryptions is most of the import's own time.
TextGetter = Callable[[dict[str, Any]], str]
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """COPY text of the types `member_values` holds (as `copy_line` writes them)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        # Letters and digits (names, blind indexes) need no escapes; translate() costs more.
        return value if not value or value.isalnum() else value.translate(_COPY_ESCAPES)
    if isinstance(value, int | date):  # a date's isoformat is what PostgreSQL reads
        return value.isoformat() if isinstance(value, date) else str(value)
    return copy_line((value,))[:-1]  # anything else as the shared helper writes (or refuses) it


def _value_text(name: str) -> TextGetter:
    def get(values: dict[str, Any]) -> str:
        return _copy_text(values[name])

    return get


def _pk_text(name: str) -> TextGetter:
    def get(values: dict[str, Any]) -> str:
        related = values[name]
        return "\\N" if related is None else str(related.pk)

    return get


def _encrypted_text(name: str, context: str) -> TextGetter:
    seal = encrypter(context=context)  # per chunk: the key is looked up once, not per value

    def get(values: dict[str, Any]) -> str:
        value = values[name]
        # As EncryptedTextField.get_prep_value: text encrypted, None stays NULL. Tokens are
        # ASCII without tabs or backslashes, so they need no escaping.
        return "\\N" if value is None else seal(str(value))

    return get


def _constant_text(text: str) -> TextGetter:
    def get(values: dict[str, Any]) -> str:
        return text

    return get


def _member_getters(now: datetime) -> list[TextGetter]:
    """One function per column of the member table, giving its COPY text; `now` is the time
    stamp of every row."""
    getters: list[TextGetter] = []
    stamp = _copy_text(now)  # formatted once: a time zone's isoformat is slow
    for model_field in Member._meta.concrete_fields:
        name = model_field.name
        if name in ("created_at", "updated_at"):
            getters.append(_constant_text(stamp))
        elif model_field.is_relation:
            getters.append(_pk_text(name))
        elif isinstance(model_field, EncryptedTextField):
            getters.append(_encrypted_text(name, model_field._required_context()))
        elif name in _SET_PER_ROW:
            getters.append(_value_text(name))
        else:  # not set by member_values (the end of a membership): the field's default
            getters.append(_constant_text(_copy_text(model_field.get_default())))
    return getters


_SET_PER_ROW = frozenset(
    {
        "id",
        "name",
        "id_number_index",
        "birth_date",
        "sex",
        "mobile_index",
        "joined_on",
        "status",
        "is_gig_worker",
        "gig_occupation",
        "gig_platform",
        "is_migrant_worker",
        "is_model_worker",
    }
)


@dataclass
class MemberCopy:
    """The COPY text of members (PostgreSQL), with the ids reserved for them and their time stamp."""

    ids: list[int]
    text: str
    now: datetime


def prepare_members(rows: list[dict[str, Any]]) -> MemberCopy:
    """The COPY text of new memberships (rows of `member_values`, given their ids here): made by
    the checking thread, so that the writer thread only waits for the database (two threads
    doing Python take turns, as they share one interpreter lock)."""
    now = timezone.now()
    ids = _reserve_ids(len(rows))
    getters = _member_getters(now)
    lines = []
    for pk, values in zip(ids, rows, strict=True):
        values["id"] = pk
        lines.append("\t".join([getter(values) for getter in getters]))
    return MemberCopy(ids, "\n".join(lines) + "\n", now)


def insert_members(
    rows: list[dict[str, Any]], *, actor: User | None, note: str, prepared: MemberCopy | None = None
) -> list[int]:
    """Insert new memberships (rows of `member_values`) with one IMPORTED event each, in the
    caller's transaction; returns their ids. IntegrityError when a person is active already.
    `prepared`: the rows' COPY text made beforehand by `prepare_members` (PostgreSQL only)."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    note = note[:500]
    if connection.vendor == "postgresql":
        # COPY runs on psycopg's own cursor: its errors are made Django's here, so that a person
        # who became active meanwhile is an IntegrityError as with bulk_create.
        with connection.wrap_database_errors:
            return _copy_members(prepared or prepare_members(rows), actor_id=actor_id, note=note)
    members = Member.objects.bulk_create([Member(**values) for values in rows], batch_size=500)
    MemberEvent.objects.bulk_create(
        [
            MemberEvent(
                member_id=member.pk,
                id_number_index=member.id_number_index,
                org_id=member.org_id,
                kind=MemberEventKind.IMPORTED,
                note=note,
                actor_id=actor_id,
            )
            for member in members
        ],
        batch_size=500,
    )
    return [member.pk for member in members]


def _copy_members(members: MemberCopy, *, actor_id: int | None, note: str) -> list[int]:
    # One write of the whole chunk: psycopg waits for the server on every write.
    copy_text(Member, Member._meta.concrete_fields, [members.text])
    # The "imported" events are made by PostgreSQL from the members just copied: only the ids
    # travel, and no event line is built in Python (the rest is the same for the whole chunk).
    with connection.cursor() as cursor:
        cursor.execute(
            _events_from_members(), [str(MemberEventKind.IMPORTED), note, actor_id, members.now, members.ids]
        )
    return members.ids


# --------------------------------------------------------------------------------------------
# The report workbook
# --------------------------------------------------------------------------------------------


def _report_value(value: Any) -> Any:
    """A cell as it was, for the report: numbers stay numbers (Excel shows a mangled ID number
    as it showed it before), text can never start a formula."""
    if is_empty(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return cell_text(value)
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[:50] + "…"
    return neutralize_formula(text)


class _Report:
    """Written while the rows are checked (constant memory: row by row, in order): a sheet of
    the rows with problems, bad cells highlighted and commented; and, at the end, a sheet
    listing every problem below a summary (first in the workbook)."""

    def __init__(self, path: str, table: StreamedTable) -> None:
        self.path = path
        self.table = table
        self.workbook = xlsxwriter.Workbook(
            path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.head = self.workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.bold = self.workbook.add_format({"bold": True})
        self.bad = self.workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.problems_sheet = self.workbook.add_worksheet(_("Problems"))
        self.rows_sheet = self.workbook.add_worksheet(_("Rows with problems"))
        self.rows_written = 0
        self.rows_left_out = 0
        headers = [_("Row"), *(neutralize_formula(text) for text in table.header_cells), _("Problems")]
        self.rows_sheet.write_row(0, 0, headers, self.head)
        self.rows_sheet.set_column(1, len(headers) - 2, 16)
        self.rows_sheet.set_column(len(headers) - 1, len(headers) - 1, 60)
        self.rows_sheet.freeze_panes(1, 1)

    def add_rows(self, rows: list[tuple[int, list[Any]]], problems: list[Problem]) -> None:
        by_row: dict[int, list[Problem]] = {}
        for problem in problems:
            by_row.setdefault(problem.row, []).append(problem)
        for number, cells in rows:
            found = by_row.get(number)
            if not found:
                continue
            if self.rows_written >= MAX_REPORT_ROWS:
                self.rows_left_out += 1
                continue
            self.rows_written += 1
            line = self.rows_written
            self.rows_sheet.write_number(line, 0, number)
            marked: dict[int, list[str]] = {}
            for problem in found:
                index = self.table.columns.get(problem.column)
                if index is not None:
                    marked.setdefault(index, []).append(problem.message)
            for index in range(max(len(self.table.header_cells), len(cells))):
                value = _report_value(cells[index]) if index < len(cells) else ""
                style = self.bad if index in marked else None
                if value == "" and style is None:
                    continue  # an empty cell reads the same unwritten, and costs nothing
                if isinstance(value, str):
                    self.rows_sheet.write_string(line, index + 1, value, style)
                else:
                    self.rows_sheet.write_number(line, index + 1, value, style)
                if index in marked:
                    self.rows_sheet.write_comment(
                        line, index + 1, "\n".join(marked[index]), {"x_scale": 2, "y_scale": 1.5}
                    )
            self.rows_sheet.write_string(
                line,
                len(self.table.header_cells) + 1,
                "；".join(_located(self.table, problem) for problem in found),
                self.wrap,
            )

    def close(self, summary: list[tuple[str, Any]], problems: Iterator[RosterImportProblem]) -> None:
        sheet = self.problems_sheet
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 3, 12)
        sheet.set_column(4, 4, 90)
        line = 0
        for label, value in summary:
            sheet.write_string(line, 0, label, self.bold)
            if isinstance(value, str):
                sheet.write_string(line, 1, neutralize_formula(value))
            else:
                sheet.write_number(line, 1, value)
            line += 1
        if self.rows_left_out:
            sheet.write_string(
                line,
                0,
                _("%(count)s more rows with problems are not copied to the second sheet.")
                % {"count": f"{self.rows_left_out:,}"},
            )
            line += 1
        line += 1
        sheet.write_row(
            line, 0, [_("Row"), _("Column"), _("Column name"), _("Kind"), _("Problem")], self.head
        )
        labels = dict(RosterProblemLevel.choices)
        for problem in problems:
            line += 1
            sheet.write_number(line, 0, problem.row)
            sheet.write_string(line, 1, problem.column_letter)
            sheet.write_string(line, 2, neutralize_formula(problem.column))
            sheet.write_string(line, 3, str(labels.get(problem.level, problem.level)))
            sheet.write_string(line, 4, neutralize_formula(problem.message))
        self.workbook.close()


def _located(table: StreamedTable, problem: Problem) -> str:
    header, letter = table.where(problem.column)
    if not letter:
        return problem.message
    return _("%(column)s (column %(letter)s): %(message)s") % {
        "column": header,
        "letter": letter,
        "message": problem.message,
    }


# --------------------------------------------------------------------------------------------
# Running an import
# --------------------------------------------------------------------------------------------


@contextmanager
def open_roster(path: str, file_name: str) -> Iterator[StreamedTable]:
    """The roster in the file, streamed; FileRefused when it cannot be one. A header without a
    required column is refused as a whole: every row would fail on the same missing cell."""
    with open_table(path, file_name, roster_spec(), import_limits()) as table:
        missing = [
            column.header for column in ROSTER_COLUMNS if column.required and column.key not in table.columns
        ]
        if missing:
            raise FileRefused(
                _(
                    "The header (row %(row)s) has no column “%(header)s”, which every row needs. Add it, "
                    "or download the template and copy the list into it."
                )
                % {"row": table.header_row, "header": "、".join(missing)}
            )
        yield table


@dataclass
class _Counts:
    rows: int = 0
    ready: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    errors: int = 0
    elsewhere: int = 0
    listed: int = 0


def _id_key(id_number: IdNumber) -> int:
    """The ID number as one int (a small dict key for a million rows)."""
    value = id_number.value
    return int(value[:17]) * 11 + (10 if value[17] == "X" else int(value[17]))


WriteMode = Literal["none", "chunks", "one"]
# The rows of a chunk written (or being written, by the writer thread).
Written = list[GoodRow] | Future[list[GoodRow]]


@contextmanager
def _background_writer(write: WriteMode) -> Iterator[ThreadPoolExecutor | None]:
    """A thread that writes the chunks on a connection of its own, or None to write in line.

    Half of an import's time is the database's: COPY, a dozen index entries per member and
    event, the deferred foreign-key checks at each commit. Writing chunk n on a second
    connection while chunk n + 1 is checked on this one lets the database work on one CPU while
    Python works on another. Only for chunk-by-chunk writes on PostgreSQL outside a transaction:
    in a transaction (all-or-nothing mode, or a test case) the second connection could see none
    of its rows, so the chunks are written in line there.
    """
    if (
        write != "chunks"
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not settings.ROSTER_IMPORT_WRITER_THREAD
    ):
        yield None
        return
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-import-writer")
    try:
        yield executor
    finally:
        # Django opens one connection per thread: close the writer's before the thread ends.
        executor.submit(connections.close_all).result()
        executor.shutdown()


def _active_memberships(indexes: list[str]) -> dict[str, tuple[int, int, str]]:
    """Blind index → (member id, union id, union name) of the active memberships among them."""
    if connection.vendor != "postgresql":
        return {
            index: (pk, org_id, org_name)
            for index, pk, org_id, org_name in Member.objects.filter(
                status=MemberStatus.ACTIVE, id_number_index__in=indexes
            ).values_list("id_number_index", "pk", "org_id", "org__name")
        }
    # One array parameter instead of the ORM's 2,000 placeholders, which the driver would
    # parse and bind one by one (a tenth of the import's own time went there).
    index, pk, status, member_org = (
        _column(Member, name) for name in ("id_number_index", "id", "status", "org")
    )
    org_pk, org_name = (_column(Org, name) for name in ("id", "name"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.{index}, m.{pk}, o.{org_pk}, o.{org_name}
            FROM {_table(Member)} m JOIN {_table(Org)} o ON o.{org_pk} = m.{member_org}
            WHERE m.{status} = %s AND m.{index} = ANY(%s)
            """,  # noqa: S608 - table and column names from the models, values as parameters
            [str(MemberStatus.ACTIVE), indexes],
        )
        return {index: (pk, org_id, org_name) for index, pk, org_id, org_name in cursor.fetchall()}


class _Run:
    """One pass over the rows of a roster: check, look up, write (as `write` says), note problems."""

    def __init__(self, roster_import: RosterImport, actor: User | None, progress: Progress) -> None:
        self.roster_import = roster_import
        self.org = roster_import.org
        self.actor = actor
        self.progress = progress
        self.today = timezone.localdate()
        self.note = _("Roster import %(id)s: %(file)s") % {
            "id": roster_import.pk,
            "file": roster_import.file_name,
        }
        self.workplaces = _Workplaces(self.org)
        self.workplace_cache: dict[int, Workplace] = {}
        self.counts = _Counts()
        self.pending: list[Problem] = []  # problems not yet stored (all-or-nothing write pass)

    def pass_over(
        self, table: StreamedTable, *, write: WriteMode, report: _Report | None, keep_problems: bool = True
    ) -> None:
        self.counts = _Counts()
        seen: dict[int, int] = {}
        verb = _("Checked") if write == "none" else _("Imported")
        rows = iter(table.rows)

        def settle(chunk: list[tuple[int, list[Any]]], problems: list[Problem], written: Written) -> None:
            goods = written.result() if isinstance(written, Future) else written
            self.counts.imported += len(goods)
            problems.sort(key=lambda problem: problem.row)
            self._count(problems)
            if keep_problems:
                self._store(table, problems)
            else:
                self.pending.extend(
                    problem for problem in problems if problem.level == RosterProblemLevel.ERROR
                )
            if report is not None:
                report.add_rows(chunk, problems)
            self.counts.rows += len(chunk)
            self.progress(
                self.counts.rows,
                max(table.row_bound, self.counts.rows),
                _("%(verb)s %(done)s rows…") % {"verb": verb, "done": f"{self.counts.rows:,}"},
            )

        with _background_writer(write) as writer:
            # With a writer thread, chunk n is written while chunk n + 1 is checked, and settled
            # (problems stored, report rows written) once its write is done.
            waiting: tuple[list[tuple[int, list[Any]]], list[Problem], Written] | None = None
            while chunk := list(islice(rows, CHUNK_ROWS)):
                problems, goods = self._check_chunk(table, chunk, seen)
                written: Written = []
                if goods and write != "none":
                    written = (
                        writer.submit(
                            self._write, goods, problems, prepare_members([good.values for good in goods])
                        )
                        if writer
                        else self._write(goods, problems)
                    )
                if waiting is not None:
                    settle(*waiting)
                waiting = (chunk, problems, written)
                if writer is None:
                    settle(*waiting)
                    waiting = None
                if write == "one" and self.counts.errors:
                    return  # all or nothing: one failure is enough to write nothing
            if waiting is not None:
                settle(*waiting)

    def _count(self, problems: list[Problem]) -> None:
        rejected: set[int] = set()
        for problem in problems:
            if problem.level == RosterProblemLevel.ERROR:
                self.counts.errors += 1
                rejected.add(problem.row)
                if problem.code == "active_elsewhere":
                    self.counts.elsewhere += 1
            elif problem.level == RosterProblemLevel.SKIPPED:
                self.counts.skipped += 1
        self.counts.rejected += len(rejected)

    def _check_chunk(
        self, table: StreamedTable, chunk: list[tuple[int, list[Any]]], seen: dict[int, int]
    ) -> tuple[list[Problem], list[GoodRow]]:
        """The chunk's problems and the rows to write (ready: values built, people looked up)."""
        problems: list[Problem] = []
        goods: list[GoodRow] = []
        for number, cells in chunk:
            good, found, id_number = check_row(table, number, cells, self.today)
            problems.extend(found)
            if id_number is not None:
                key = _id_key(id_number)
                first = seen.setdefault(key, number)
                if first != number:
                    problems.append(
                        Problem(
                            number,
                            "id_number",
                            "id_number.duplicate",
                            _("The same ID number is already on row %(row)s: a person is listed once.")
                            % {"row": first},
                        )
                    )
                    problems.append(
                        Problem(
                            first,
                            "id_number",
                            "id_number.duplicate_first",
                            _("Row %(row)s has the same ID number; that row is not imported.")
                            % {"row": number},
                            level=RosterProblemLevel.NOTE,
                        )
                    )
                    good = None
            if good is not None:
                goods.append(good)
        problems.extend(self.workplaces.resolve(goods))
        bad_rows = {problem.row for problem in problems if problem.level == RosterProblemLevel.ERROR}
        goods = [good for good in goods if good.row not in bad_rows]
        for good in goods:
            good.values = member_values(
                NewMember(
                    name=good.name,
                    id_number=good.id_number,
                    org=self.org,
                    mobile=good.mobile,
                    workplace=self._workplace(good.workplace_id),
                    categories=good.categories,
                    # The run's day, as member_values would say (timezone.localdate() per row costs).
                    joined_on=good.joined_on or self.today,
                )
            )
        goods = self._drop_members(goods, problems)
        self.counts.ready += len(goods)
        return problems, goods

    def _workplace(self, pk: int | None) -> Workplace | None:
        if pk is None:
            return None
        workplace = self.workplace_cache.get(pk)
        if workplace is None:
            workplace = self.workplace_cache[pk] = Workplace(pk=pk)
        return workplace

    def _drop_members(self, goods: list[GoodRow], problems: list[Problem]) -> list[GoodRow]:
        """The rows whose person is not active anywhere; the others as skips or problems."""
        active = _active_memberships([good.values["id_number_index"] for good in goods])
        if not active:
            return goods
        kept: list[GoodRow] = []
        for good in goods:
            found = active.get(good.values["id_number_index"])
            if found is None:
                kept.append(good)
                continue
            pk, org_id, org_name = found
            if org_id == self.org.pk:
                problems.append(
                    Problem(
                        good.row,
                        "id_number",
                        "already_member",
                        _("Already a member of this union: the row is skipped."),
                        level=RosterProblemLevel.SKIPPED,
                        member_id=pk,
                    )
                )
            else:
                problems.append(
                    Problem(
                        good.row,
                        "id_number",
                        "active_elsewhere",
                        _(
                            "This person is an active member of %(union)s. A person belongs to one union "
                            "at a time: ask for a transfer (the button above the report does it for all "
                            "of them)."
                        )
                        % {"union": org_name},
                        member_id=pk,
                        workplace_id=good.workplace_id,
                    )
                )
        return kept

    def _write(
        self, goods: list[GoodRow], problems: list[Problem], prepared: MemberCopy | None = None
    ) -> list[GoodRow]:
        """Insert the rows (`prepared`: their COPY text, made beforehand); a person who became
        active meanwhile (the unique index says so) becomes a problem and the rest are written
        again. Returns the rows written."""
        while goods:
            try:
                with transaction.atomic():
                    insert_members(
                        [good.values for good in goods], actor=self.actor, note=self.note, prepared=prepared
                    )
            except IntegrityError:
                prepared = None  # written again without some rows: their text is made anew
                before = len(problems)
                goods = self._drop_members(goods, problems)
                if len(problems) == before:
                    raise  # not a membership that appeared meanwhile
                continue
            return goods
        return goods

    def _store(self, table: StreamedTable, problems: list[Problem]) -> None:
        room = MAX_LISTED_PROBLEMS - self.counts.listed
        if room <= 0 or not problems:
            return
        rows = []
        for problem in problems[:room]:
            header, letter = table.where(problem.column)
            rows.append(
                RosterImportProblem(
                    roster_import=self.roster_import,
                    row=problem.row,
                    column=header[:60],
                    column_letter=letter,
                    level=problem.level,
                    code=problem.code[:40],
                    message=problem.message[:500],
                    member_id=problem.member_id,
                    workplace_id=problem.workplace_id,
                )
            )
        RosterImportProblem.objects.bulk_create(rows, batch_size=1000)
        self.counts.listed += len(rows)


@contextmanager
def _local_file(roster_import: RosterImport) -> Iterator[str]:
    """A path to the uploaded file: the stored file itself on a local disk, a temporary copy of
    it otherwise (object storage shared by the web and task machines)."""
    stored = roster_import.upload
    try:
        local_path = stored.path
    except NotImplementedError:
        local_path = ""
    if local_path:
        yield local_path
        return
    with tempfile.NamedTemporaryFile(suffix=os.path.splitext(roster_import.file_name)[1]) as copy:
        with stored.open("rb") as source:
            shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield copy.name


def _execute(roster_import: RosterImport, path: str, actor: User | None, progress: Progress) -> RosterImport:
    run = _Run(roster_import, actor, progress)
    mode = roster_import.mode
    with tempfile.TemporaryDirectory(prefix="roster-report-") as folder:
        report_path = os.path.join(folder, "report.xlsx")
        try:
            with open_roster(path, roster_import.file_name) as table:
                report = _Report(report_path, table)
                run.pass_over(
                    table, write="chunks" if mode == RosterImportMode.VALID else "none", report=report
                )
            checked = run.counts
            if mode == RosterImportMode.ALL and not checked.errors and checked.ready:
                progress(
                    0,
                    checked.rows,
                    _("Writing %(rows)s rows; nothing is kept unless all succeed…")
                    % {"rows": f"{checked.ready:,}"},
                )
                with transaction.atomic():
                    with open_roster(path, roster_import.file_name) as table:
                        run.pass_over(table, write="one", report=None, keep_problems=False)
                    if run.counts.errors:
                        transaction.set_rollback(True)
                written = run.counts
                late = list(run.pending)
                run.counts = checked
                run.counts.imported = 0 if written.errors else written.imported
                if late:
                    # The membership a late problem points at was found inside the rolled-back
                    # transaction; keep the link only if that row is still there.
                    linked = {problem.member_id for problem in late if problem.member_id is not None}
                    kept = set(Member.objects.filter(pk__in=linked).values_list("pk", flat=True))
                    for problem in late:
                        if problem.member_id not in kept:
                            problem.member_id = None
                    run._count(late)
                    with open_roster(path, roster_import.file_name) as table:
                        run._store(table, late)
        except FileRefused:
            _finish(roster_import, run.counts, None, actor)
            raise
        _finish(roster_import, run.counts, (report, report_path), actor)
    return roster_import


def _finish(
    roster_import: RosterImport, counts: _Counts, report: tuple[_Report, str] | None, actor: User | None
) -> None:
    roster_import.rows_total = counts.rows
    roster_import.ready_count = counts.ready
    roster_import.imported_count = counts.imported
    roster_import.skipped_count = counts.skipped
    roster_import.rejected_count = counts.rejected
    roster_import.problem_count = counts.errors
    roster_import.elsewhere_count = counts.elsewhere
    roster_import.finished_at = timezone.now()
    if report is not None:
        writer, path = report
        writer.close(
            _summary_lines(roster_import), roster_import.problems.order_by("row", "pk").iterator(2000)
        )
        with open(path, "rb") as file:
            roster_import.report.save(report_file_name(roster_import), File(file), save=False)
    if roster_import.upload:
        roster_import.upload.delete(save=False)  # personal data: the report is what stays
    with transaction.atomic():
        roster_import.save()
        if roster_import.mode != RosterImportMode.CHECK:
            record_audit(
                actor=actor,
                action="members.import_roster",
                obj=roster_import,
                org=roster_import.org,
                changes={"imported": [0, counts.imported]},
                note=summary(roster_import),
            )
        if counts.imported:
            schedule_coverage_refresh()


def _summary_lines(roster_import: RosterImport) -> list[tuple[str, Any]]:
    return [
        (_("File"), roster_import.file_name),
        (_("Union"), roster_import.org.name),
        (_("Mode"), str(roster_import.get_mode_display())),
        (_("Rows"), roster_import.rows_total),
        (pgettext("roster import count", "Imported"), roster_import.imported_count),
        (_("Already members (skipped)"), roster_import.skipped_count),
        (_("Rows with problems"), roster_import.rejected_count),
        (_("Problems"), roster_import.problem_count),
    ]


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def may_import_into(actor: Any, org: Org) -> bool:
    return has_perm_at(actor, Perm.MEMBER_CHANGE, org.path)


def _check_target(actor: Any, org: Org, mode: str) -> None:
    if actor is not None and not may_import_into(actor, org):
        raise Forbidden(_("You may not add members to %(union)s.") % {"union": org.name})
    if mode not in RosterImportMode.values:
        message = _("Choose what to do with the rows.")
        raise ValidationFailed(message, fields={"mode": [message]})
    require_member_holding_union(org)


def check_file(path: str, file_name: str) -> None:
    """Refuse at once a file that cannot be a roster (format, size, header): FileRefused."""
    with open_roster(path, file_name) as table:
        if next(table.rows, None) is None:
            raise FileRefused(_("The list has a header but no rows below it."))


@contextmanager
def _upload_path(upload: UploadedFile) -> Iterator[str]:
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield temporary()
        return
    with tempfile.NamedTemporaryFile(suffix=os.path.splitext(upload.name or "")[1]) as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name


def start_roster_import(*, actor: User, org: Org, mode: str, upload: UploadedFile) -> RosterImport:
    """Check the officer, the union and the file while the officer waits, store the file, and
    start the background job."""
    # Imported here: the task module imports this one.
    from gonghui.jobs.services import start_job
    from gonghui.members.tasks import run_roster_import_task

    _check_target(actor, org, mode)
    file_name = normalize_text(upload.name or "")[:200] or "roster.xlsx"
    size = upload.size or 0
    limits = import_limits()
    if size > limits.max_bytes:
        raise FileRefused(
            _("The file is larger than %(limit)s MB. Split the list.") % {"limit": limits.max_bytes // 2**20}
        )
    with _upload_path(upload) as path:
        check_file(path, file_name)
    upload.seek(0)
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            org=org, mode=mode, file_name=file_name, size=size, created_by=actor
        )
        roster_import.upload.save(
            f"{roster_import.pk}{os.path.splitext(file_name)[1].lower()}", upload, save=True
        )
        roster_import.job = start_job(
            actor=actor,
            kind="members.import_roster",
            title=_("Importing the roster %(file)s into %(union)s") % {"file": file_name, "union": org.name},
            task=run_roster_import_task,
            args=[roster_import.pk],
            org=org,
        )
        roster_import.save(update_fields=["job"])
    return roster_import


def run_roster_import(roster_import_id: int, *, progress: Progress | None = None) -> RosterImport:
    """Import a stored roster (called by the background job) and keep its report."""
    roster_import = RosterImport.objects.select_related("org", "created_by").get(pk=roster_import_id)
    if roster_import.is_finished:
        return roster_import  # a task run twice must not import twice
    actor = roster_import.created_by
    if actor is None or not actor.is_active:
        raise NotFound(_("The account that uploaded this roster no longer exists."))
    _check_target(actor, roster_import.org, roster_import.mode)
    with _local_file(roster_import) as path:
        return _execute(roster_import, path, actor, progress or _no_progress)


def import_roster_file(
    path: str,
    *,
    org: Org,
    mode: str,
    actor: User | None = None,
    file_name: str = "",
    progress: Progress | None = None,
) -> RosterImport:
    """The command line's import: the file is read where it is, without a job. `actor` None is
    the system itself (the audit log says so)."""
    _check_target(actor, org, mode)
    file_name = normalize_text(file_name or os.path.basename(path))[:200]
    roster_import = RosterImport.objects.create(
        org=org, mode=mode, file_name=file_name, size=os.path.getsize(path), created_by=actor
    )
    return _execute(roster_import, path, actor, progress or _no_progress)


def summary(roster_import: RosterImport) -> str:
    counts = {
        "rows": f"{roster_import.rows_total:,}",
        "ready": f"{roster_import.ready_count:,}",
        "imported": f"{roster_import.imported_count:,}",
        "skipped": f"{roster_import.skipped_count:,}",
        "rejected": f"{roster_import.rejected_count:,}",
    }
    if roster_import.mode == RosterImportMode.CHECK:
        return (
            _(
                "Checked %(rows)s rows: %(ready)s can be imported, %(skipped)s are members already, "
                "%(rejected)s have problems. Nothing was written."
            )
            % counts
        )
    if roster_import.mode == RosterImportMode.ALL and roster_import.rejected_count:
        return (
            _(
                "Nothing was written: %(rejected)s of %(rows)s rows have problems. Correct them and upload "
                "the roster again."
            )
            % counts
        )
    return (
        _(
            "%(imported)s members imported from %(rows)s rows; %(skipped)s were members already, "
            "%(rejected)s rows have problems."
        )
        % counts
    )


def report_file_name(roster_import: RosterImport) -> str:
    stem = roster_import.file_name.rsplit(".", 1)[0]
    return _("%(file)s - import report.xlsx") % {"file": stem}


# --------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------

TEMPLATE_FILE_NAME = "会员花名册导入模板.xlsx"


def template_for() -> bytes:
    """The empty roster officers download, fill in and upload: the header, an example row,
    drop-downs and a sheet of instructions."""
    limits = import_limits()
    with translation.override("zh-hans"):
        occupations = [str(label) for label in GigOccupation.labels]
    instructions = [
        _("Fill in one row per person on the first sheet, below the header; columns marked * are required."),
        _("The example in row 2 shows the format: replace it with the first person, or delete it."),
        _("Keep the ID number column formatted as text, or Excel drops the last digits of long numbers."),
        _("The sex and the birth date are read from the ID number."),
        _("At most %(rows)s rows per .csv file, %(workbook)s per workbook, and %(size)s MB per file.")
        % {
            "rows": f"{limits.max_rows:,}",
            "workbook": f"{limits.max_workbook_rows:,}",
            "size": limits.max_bytes // 2**20,
        },
    ]
    return template_workbook(
        roster_spec(),
        sheet_name=str(_("Roster")),
        instructions=instructions,
        options={"是否": ["是", "否"], "新就业形态类别": occupations},
        example=True,
    )


# --------------------------------------------------------------------------------------------
# Transfer requests for the people the roster found active in other unions
# --------------------------------------------------------------------------------------------


@dataclass
class TransferRequests:
    requested: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row, why)


def transfer_candidates(roster_import: RosterImport) -> QuerySet[RosterImportProblem]:
    """The rows whose person is active in another union and has no transfer asked for yet."""
    return roster_import.problems.filter(
        code="active_elsewhere",
        member__isnull=False,
        member__status=MemberStatus.ACTIVE,
        transfer__isnull=True,
    )


def request_roster_transfers(roster_import: RosterImport, *, actor: User) -> TransferRequests:
    """Ask for the transfer into the roster's union of each person the import found active in
    another union (`transfers.request_transfer`, one by one: each is its own decision for the
    receiving union). A request the transfer rules refuse is reported, the others go ahead.
    After a check only, too: asking for a transfer is a decision of its own, not the import's."""
    org = roster_import.org
    if not may_import_into(actor, org):
        raise NotFound(_("There is no such import."))
    if not roster_import.is_finished:
        raise ValidationFailed(_("Transfers can be requested once the import has finished."))
    outcome = TransferRequests()
    with transaction.atomic():
        _request_transfers(roster_import, actor, outcome)
        roster_import.transfers_requested_at = timezone.now()
        roster_import.save(update_fields=["transfers_requested_at"])
        record_audit(
            actor=actor,
            action="members.request_roster_transfers",
            obj=roster_import,
            org=org,
            changes={"requested": [0, outcome.requested]},
        )
    return outcome


def _request_transfers(roster_import: RosterImport, actor: User, outcome: TransferRequests) -> None:
    from gonghui.members.services.transfers import request_transfer

    org = roster_import.org
    reason = _("Listed on the roster %(file)s of %(union)s (import %(id)s).") % {
        "file": roster_import.file_name,
        "union": org.name,
        "id": roster_import.pk,
    }
    candidates = transfer_candidates(roster_import).select_related("member", "member__org", "workplace")
    for problem in candidates.order_by("row", "pk"):
        assert problem.member is not None
        try:
            # A savepoint each: a request the rules refuse leaves the others standing.
            with transaction.atomic():
                transfer = request_transfer(
                    problem.member, actor=actor, to_org=org, to_workplace=problem.workplace, reason=reason
                )
        except DomainError as error:
            outcome.refused.append((problem.row, error.message))
            continue
        problem.transfer = transfer
        problem.save(update_fields=["transfer"])
        outcome.requested += 1
