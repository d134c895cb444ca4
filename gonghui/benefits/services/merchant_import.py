"""Importing a list of merchants from a workbook (.xlsx, .xls, .ods) or a CSV file.

A city's merchant network is a few hundred to a few thousand rows, so the import runs while the
officer waits, in three steps that mirror the list imports of the orgs app:

1. Read the file with `gonghui.core.spreadsheets` (the header is found by its column names;
   hostile files — zip bombs, password-protected or renamed files — are refused clearly).
2. Check every row before writing any, against the rules of the console's form
   (`services.merchants.clean_merchant_fields`) and against the rows above it. Each problem
   is noted with its row, its column and a message for people.
3. Write through `create_merchant` / `update_merchant`, so permissions, rules and the audit
   trail are those of the console. A row whose name and address are those of a merchant the
   union already manages updates it (empty cells leave its values alone). "Check only" writes
   nothing; "all or nothing" writes nothing when any row has a problem; "good rows" writes the
   good rows and reports the others.

The outcome is kept in the cache for an hour, for the report page and its workbook.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.benefits.models import Merchant
from gonghui.benefits.services.merchants import (
    CATEGORY_NAMES,
    FIELD_NAMES,
    clean_merchant_fields,
    create_merchant,
    managing_org,
    update_merchant,
)
from gonghui.core.audit import record_audit
from gonghui.core.errors import DomainError, FieldErrors, ValidationFailed
from gonghui.core.spreadsheets import (
    CellProblem,
    Column,
    ListSpec,
    StreamedTable,
    StreamLimits,
    cell_code,
    cell_text,
    is_empty,
    neutralize_formula,
    open_table,
    report_workbook,
    template_workbook,
)
from gonghui.core.text import normalize_text
from gonghui.orgs.models import ImportMode, Org

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5_000
REPORT_SECONDS = 3600
CHECK_ONLY = "check"
MODES = (CHECK_ONLY, ImportMode.ALL_OR_NOTHING, ImportMode.GOOD_ROWS)

COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "名称",
        ("商户名称", "商户", "店名", "门店名称"),
        required=True,
        note=gettext_lazy("The name members know the merchant by."),
        example="甬城影院（天一店）",
        width=28,
    ),
    Column(
        "category",
        "类别",
        ("分类", "商户类别", "类型"),
        required=True,
        note=gettext_lazy("One of the names on the “Options” sheet, e.g. 餐饮美食."),
        example="影院文娱",
        options="类别",
    ),
    Column(
        "discount_terms",
        "会员优惠",
        ("优惠", "优惠内容", "会员折扣", "优惠措施"),
        required=True,
        note=gettext_lazy("What a member gets on showing the member card."),
        example="凭会员卡观影 8 折",
        width=32,
    ),
    Column(
        "address",
        "地址",
        ("详细地址", "商户地址", "门店地址"),
        required=True,
        note=gettext_lazy(
            "With the name, it says which merchant a row is about: a row whose name and address are "
            "those of a merchant of the union updates it."
        ),
        example="海曙区中山西路 88 号",
        width=32,
    ),
    Column("district", "区县", ("所属区县", "所在区县"), example="海曙区"),
    Column(
        "latitude",
        "纬度",
        ("lat", "latitude"),
        note=gettext_lazy(
            "Degrees, WGS-84 as phones give them, e.g. 29.870512. With the longitude, or neither."
        ),
        example="29.870512",
        is_code=True,
        width=12,
    ),
    Column(
        "longitude",
        "经度",
        ("lng", "lon", "longitude"),
        note=gettext_lazy("Degrees, e.g. 121.550375."),
        example="121.550375",
        is_code=True,
        width=12,
    ),
    Column("opening_hours", "营业时间", ("营业时段",), example="10:00-22:00", width=16),
    Column("phone", "电话", ("联系电话", "联系方式", "电话号码"), example="0574-87654321", is_code=True),
    Column("description", "简介", ("介绍", "商户简介", "描述", "备注"), example="", width=40),
)
SPEC = ListSpec(COLUMNS, identity="name", max_rows=MAX_IMPORT_ROWS, max_bytes=MAX_IMPORT_BYTES)
LIMITS = StreamLimits(
    max_bytes=MAX_IMPORT_BYTES,
    max_rows=MAX_IMPORT_ROWS,
    max_workbook_rows=MAX_IMPORT_ROWS,
    max_columns=100,
    max_uncompressed_bytes=100 * 2**20,
)
_REQUIRED = tuple(column.key for column in COLUMNS if column.required)


def _category_key(text: str) -> str:
    return re.sub(r"[\s、，,/()（）]", "", normalize_text(text)).lower()


_CATEGORY_ALIASES: dict[str, str] = {
    "餐饮": "catering",
    "美食": "catering",
    "餐饮服务": "catering",
    "超市": "supermarket",
    "购物": "supermarket",
    "商超": "supermarket",
    "零售": "supermarket",
    "医药": "health",
    "药店": "health",
    "健康": "health",
    "医疗": "health",
    "影院": "culture",
    "文娱": "culture",
    "文化": "culture",
    "休闲娱乐": "culture",
    "电影": "culture",
    "运动": "sports",
    "健身": "sports",
    "体育": "sports",
    "旅游": "travel",
    "酒店": "travel",
    "住宿": "travel",
    "教育": "education",
    "培训": "education",
    "生活": "services",
    "便民服务": "services",
    "汽车": "auto",
    "出行": "auto",
    "交通": "auto",
    "其它": "other",
}


def cell_category(value: Any) -> str | None:
    """The category a cell names (its Chinese name, a short form, or the value itself)."""
    text = cell_text(value)
    if not text:
        return None
    key = _category_key(text)
    for category, name in CATEGORY_NAMES.items():
        if key in {_category_key(name), category}:
            return category
    if key in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[key]
    raise CellProblem(
        _("Unknown category “%(value)s”: use one of %(names)s.")
        % {"value": text[:40], "names": "、".join(CATEGORY_NAMES.values())}
    )


def _cell_degrees(value: Any) -> str:
    """A coordinate cell as text: a float keeps its digits ("29.870512", not 29.870511999…)."""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return cell_text(value).replace(" ", "").replace("°", "")


# --------------------------------------------------------------------------------------------
# Outcome
# --------------------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str  # the column's header as written in the file, "" for the whole row
    letter: str
    message: str


@dataclass
class Outcome:
    file_name: str
    mode: str
    org_name: str
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def skipped(self) -> int:
        return self.rows_total - self.created - self.updated - self.unchanged

    def summary(self) -> str:
        if self.mode == CHECK_ONLY:
            if not self.problems:
                return _("All %(rows)s rows are good. Nothing has been written yet: import the list now.") % {
                    "rows": self.rows_total
                }
            return _(
                "%(bad)s of %(rows)s rows have problems (%(problems)s in all). Nothing has been written."
            ) % {"bad": self.rows_with_problems, "rows": self.rows_total, "problems": len(self.problems)}
        if self.problems and not self.written and not self.unchanged:
            return _(
                "Nothing was written: %(problems)s problems were found. Correct them and upload the list "
                "again."
            ) % {"problems": len(self.problems)}
        return _(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s rows skipped; "
            "%(problems)s problems."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": len(self.problems),
        }


@dataclass
class _Plan:
    row: int
    existing: Merchant | None
    values: dict[str, Any]


# --------------------------------------------------------------------------------------------
# Reading and checking
# --------------------------------------------------------------------------------------------


@contextmanager
def _table(content: bytes, file_name: str) -> Iterator[StreamedTable]:
    suffix = os.path.splitext(file_name)[1].lower()[:8]
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(content)
        file.flush()
        with open_table(file.name, file_name, SPEC, LIMITS) as table:
            yield table


def _read_row(table: StreamedTable, cells: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's non-empty cells as field values, and the cells that could not be read."""
    values: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for column in COLUMNS:
        raw = table.cell(cells, column.key)
        if is_empty(raw):
            continue
        try:
            if column.key == "category":
                values["category"] = cell_category(raw)
            elif column.key in {"latitude", "longitude"}:
                values[column.key] = _cell_degrees(raw)
            elif column.key == "phone":
                values["phone"] = cell_code(raw)
            else:
                values[column.key] = cell_text(raw)
        except CellProblem as exc:
            bad[column.key] = exc.message
    return values, bad


def _identity(name: str, address: str) -> tuple[str, str]:
    return normalize_text(name).casefold(), re.sub(r"\s", "", normalize_text(address)).casefold()


def check_rows(table: StreamedTable, org: Org) -> tuple[list[_Plan], list[Problem], int]:
    """What to write for each good row, the problems of the others, and the number of rows."""
    problems: list[Problem] = []
    plans: list[_Plan] = []
    existing = {
        _identity(merchant.name, merchant.address): merchant for merchant in Merchant.objects.filter(org=org)
    }
    seen: dict[tuple[str, str], int] = {}
    rows = 0

    def note(row: int, key: str, message: str) -> None:
        header, letter = table.where(key) if key else ("", "")
        problems.append(Problem(row, header, letter, message))

    for number, cells in table.rows:
        rows += 1
        if rows > MAX_IMPORT_ROWS:
            raise ValidationFailed(
                _("The list has more than %(limit)s rows; split it.") % {"limit": f"{MAX_IMPORT_ROWS:,}"}
            )
        values, bad = _read_row(table, cells)
        before = len(problems)
        for key, message in bad.items():
            note(number, key, message)
        merchant = None
        if "name" in values and "address" in values:
            identity = _identity(values["name"], values["address"])
            merchant = existing.get(identity)
            if identity in seen:
                note(
                    number,
                    "",
                    _("Row %(row)s has the same name and address; each merchant once, please.")
                    % {"row": seen[identity]},
                )
            else:
                seen[identity] = number
        if merchant is None:
            for key in _REQUIRED:
                if key in values or key in bad:
                    continue
                if key in table.columns:
                    note(number, key, _("Required for a new merchant."))
                else:
                    header = SPEC.column(key).header
                    note(
                        number,
                        "",
                        _("A new merchant needs “%(header)s”, but the list has no such column.")
                        % {"header": header},
                    )
            # Both coordinates or neither: for a new row, a missing one is empty.
            if "latitude" in values or "longitude" in values:
                values.setdefault("latitude", None)
                values.setdefault("longitude", None)
        elif ("latitude" in values) != ("longitude" in values):
            key = "longitude" if "latitude" in values else "latitude"
            note(number, key, _("Give both the latitude and the longitude, or neither."))
        errors = FieldErrors()
        clean_merchant_fields({key: value for key, value in values.items() if key not in bad}, errors)
        for key, messages in errors.fields.items():
            for message in messages:
                note(number, key if key in FIELD_NAMES else "", message)
        if len(problems) == before:
            plans.append(_Plan(number, merchant, values))
    return plans, problems, rows


# --------------------------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------------------------


class _RollBack(Exception):
    pass


def _write(plan: _Plan, *, actor: Any, org: Org, note: str) -> str:
    """Write one row: "created", "updated" or "unchanged"."""
    if plan.existing is None:
        create_merchant(actor=actor, org=org, data=plan.values, note=note)
        return "created"
    changed = update_merchant(plan.existing, actor=actor, changes=plan.values, note=note)
    return "updated" if changed else "unchanged"


def _service_problem(plan: _Plan, error: DomainError, table: StreamedTable) -> list[Problem]:
    problems: list[Problem] = []
    for key, messages in (error.fields or {"": [error.message]}).items():
        header, letter = table.where(key) if key in FIELD_NAMES else ("", "")
        problems.extend(Problem(plan.row, header, letter, message) for message in messages or [error.message])
    return problems


def import_merchants(*, actor: Any, org: Org, mode: str, file_name: str, content: bytes) -> Outcome:
    """Check the list (and, unless `mode` is "check", write it) for merchants managed by `org`."""
    if mode not in MODES:
        message = _("Choose what to do with rows that have problems.")
        raise ValidationFailed(message, fields={"mode": [message]})
    org = managing_org(actor, org)
    file_name = normalize_text(file_name or "")[:200] or "list.xlsx"
    outcome = Outcome(file_name=file_name, mode=mode, org_name=org.name)
    with _table(content, file_name) as table:
        plans, problems, rows = check_rows(table, org)
        if not rows:
            message = _("The list has a header but no rows below it.")
            raise ValidationFailed(message, fields={"file": [message]})
        outcome.rows_total = rows
        outcome.problems = problems
        if mode == CHECK_ONLY or (mode == ImportMode.ALL_OR_NOTHING and problems):
            return _finish(outcome)
        note = _("Merchant list %(file)s") % {"file": file_name}
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        if mode == ImportMode.ALL_OR_NOTHING:
            try:
                with transaction.atomic():
                    for plan in plans:
                        try:
                            counts[_write(plan, actor=actor, org=org, note=note)] += 1
                        except DomainError as error:
                            outcome.problems.extend(_service_problem(plan, error, table))
                            raise _RollBack from error
                    _audit_import(actor, org, outcome, counts)
            except _RollBack:
                counts = {"created": 0, "updated": 0, "unchanged": 0}
        else:
            with transaction.atomic():
                for plan in plans:
                    try:
                        with transaction.atomic():
                            counts[_write(plan, actor=actor, org=org, note=note)] += 1
                    except DomainError as error:
                        outcome.problems.extend(_service_problem(plan, error, table))
                _audit_import(actor, org, outcome, counts)
        outcome.created, outcome.updated, outcome.unchanged = (
            counts["created"],
            counts["updated"],
            counts["unchanged"],
        )
    return _finish(outcome)


def _finish(outcome: Outcome) -> Outcome:
    outcome.problems.sort(key=lambda problem: (problem.row, len(problem.letter), problem.letter))
    return outcome


def _audit_import(actor: Any, org: Org, outcome: Outcome, counts: dict[str, int]) -> None:
    record_audit(
        actor=actor,
        action="benefits.import_merchants",
        obj=org,
        org=org,
        changes={key: [None, value] for key, value in counts.items()},
        note=f"{outcome.file_name}: {outcome.rows_total} rows, {len(outcome.problems)} problems",
    )


# --------------------------------------------------------------------------------------------
# Keeping the outcome for the report, and the workbooks
# --------------------------------------------------------------------------------------------


def _cache_key(token: str) -> str:
    return f"benefits:merchant-import:{token}"


def keep_outcome(outcome: Outcome, *, actor: Any) -> str:
    """Keep the outcome for an hour; returns the token of its report page."""
    token = secrets.token_urlsafe(16)
    data = asdict(outcome) | {"user_id": actor.pk}
    cache.set(_cache_key(token), data, REPORT_SECONDS)
    return token


def kept_outcome(token: str, *, actor: Any) -> Outcome | None:
    """The outcome kept under `token` for `actor`; None for anyone else, or once it has expired."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token or ""):
        return None
    data = cache.get(_cache_key(token))
    if not isinstance(data, dict) or data.get("user_id") != actor.pk:
        return None
    problems = [Problem(**problem) for problem in data.pop("problems")]
    data.pop("user_id")
    return Outcome(**data, problems=problems)


def template_file_name() -> str:
    return "特约商户导入模板.xlsx"


def template_for() -> bytes:
    instructions = [
        _(
            "Fill in one row per merchant on the first sheet, below the header; columns marked * are "
            "required."
        ),
        _(
            "A row whose name and address are those of a merchant the union already manages updates it; "
            "its empty cells leave the registered values as they are."
        ),
        _("Coordinates: pick the place on a map and copy the latitude and longitude (WGS-84)."),
        _("At most %(rows)s rows and %(size)s MB per file.")
        % {"rows": f"{MAX_IMPORT_ROWS:,}", "size": MAX_IMPORT_BYTES // 2**20},
    ]
    return template_workbook(
        SPEC,
        sheet_name=_("Merchants"),
        instructions=instructions,
        options={"类别": list(CATEGORY_NAMES.values())},
    )


def report_file_name(outcome: Outcome) -> str:
    stem = outcome.file_name.rsplit(".", 1)[0]
    return _("%(file)s - import report.xlsx") % {"file": stem}


def report_for(outcome: Outcome) -> bytes:
    """The outcome and every problem, as a workbook; no cell can start a formula."""
    summary: list[tuple[str, Any]] = [
        (_("File"), neutralize_formula(outcome.file_name)),
        (_("Managing union"), outcome.org_name),
        (_("Rows"), outcome.rows_total),
        (_("Created"), outcome.created),
        (_("Updated"), outcome.updated),
        (_("Unchanged"), outcome.unchanged),
        (_("Problems"), len(outcome.problems)),
        (_("Outcome"), neutralize_formula(outcome.summary())),
    ]
    rows = (
        (problem.row, problem.letter, neutralize_formula(problem.column), neutralize_formula(problem.message))
        for problem in outcome.problems
    )
    return report_workbook(
        sheet_name=_("Import report"),
        summary=summary,
        headers=[_("Row"), _("Column"), _("Column name"), _("Problem")],
        rows=rows,
    )
