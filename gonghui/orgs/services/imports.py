"""Importing lists of workplaces or of organisations from workbooks (.xlsx, .xls) and CSV files.

`start_list_import` runs in the request: it checks the actor and the file (type, header row,
number of rows), stores the file with the `ListImport` and starts a background job, which runs
`run_list_import`:

1. Read the rows. Spreadsheet numbers arrive as floats: 25.0 employees is 25, but an 18-digit
   code typed as a number has already lost its last digits in Excel, so it is refused, not guessed.
2. Check every row before writing any: against the database and against the rows above it. Each
   problem is noted with its row, its column and a message for people.
3. Write through the services the console uses (`create_workplace`, `update_workplace`,
   `create_org`, `update_org`), so rules, permissions and the audit trail are the same. A list row
   whose code exists already updates that workplace or organisation (when the officer may change
   it); empty cells leave the existing values alone. In "all or nothing" mode nothing is written
   when any row has a problem, including one that only the services find; in "good rows" mode the
   good rows are written, in batches, and the others are reported.

The outcome (counts, and an `ImportProblem` per problem) stays with the `ListImport`; the file
itself is emptied once the import has run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import islice
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from gonghui.core.creditcode import InvalidCreditCode, parse_credit_code
from gonghui.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from gonghui.core.spreadsheets import (
    CellProblem,
    Column,
    ListSpec,
    Table,
    cell_code,
    cell_date,
    cell_int,
    cell_text,
    is_empty,
    read_table,
    report_workbook,
    template_workbook,
)
from gonghui.core.text import normalize_text
from gonghui.orgs.models import (
    FederationLevel,
    ImportKind,
    ImportMode,
    ImportProblem,
    Industry,
    JointUnionArea,
    ListImport,
    Org,
    OrgKind,
    Ownership,
    Workplace,
)
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible
from gonghui.orgs.services.tree import (
    EDITABLE_FIELDS,
    create_org,
    normalize_code,
    placement_error,
    update_org,
)
from gonghui.orgs.services.workplaces import (
    WorkplaceData,
    create_workplaces,
    employee_count_problem,
    jurisdiction_problem,
    text_problem,
    union_problem,
    update_workplace,
)

T = TypeVar("T")

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
# Rows written per transaction in "good rows" mode: progress shows between batches.
WRITE_BATCH_ROWS = 500
PROGRESS_EVERY = 250
# Values per `IN (...)` lookup: well inside SQLite's limit on query parameters.
LOOKUP_CHUNK = 500


def _per_kind(kind: str, workplaces: T, orgs: T) -> T:
    return workplaces if kind == ImportKind.WORKPLACES else orgs


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------


WORKPLACE_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "单位名称",
        ("企业名称", "单位全称", "名称"),
        required=True,
        note=gettext_lazy("The registered name."),
        example="示范市明州精工机械有限公司",
        width=32,
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("社会信用代码", "信用代码", "统一代码"),
        required=True,
        note=gettext_lazy(
            "18 characters. It identifies the workplace: a code already registered updates that "
            "workplace. Keep the column formatted as text."
        ),
        example="91330203MA2GC5LU4X",
        is_code=True,
        width=22,
    ),
    Column(
        "industry",
        "行业",
        ("行业门类", "所属行业", "国民经济行业"),
        required=True,
        note=gettext_lazy("The GB/T 4754 section: its letter, its name, or both, e.g. C 制造业."),
        example="C 制造业",
        width=24,
        options="行业",
    ),
    Column(
        "ownership",
        "经济类型",
        ("所有制类型", "所有制", "经济性质", "单位性质"),
        required=True,
        note=gettext_lazy("One of the names on the “选项” sheet, e.g. 私营."),
        example="私营",
        options="经济类型",
    ),
    Column(
        "employee_count",
        "职工人数",
        ("职工数", "员工人数", "从业人数"),
        required=True,
        note=gettext_lazy("A whole number, 0 or more."),
        example="120",
        width=10,
    ),
    Column(
        "address", "地址", ("单位地址", "详细地址", "注册地址"), example="示范市明州区中山东路100号", width=32
    ),
    Column("district", "所属区县", ("区县", "所在区县"), example="明州区"),
    Column(
        "union",
        "所属工会(代码)",
        ("所属工会代码", "覆盖工会代码"),
        note=gettext_lazy("The code of the union that covers the workplace; empty while it has none."),
        example="330203G0001",
        is_code=True,
    ),
    Column(
        "jurisdiction",
        "属地工会(代码)",
        ("属地工会代码", "属地代码"),
        required=True,
        note=gettext_lazy(
            "The code of the township or street federation, or joint union, whose area the workplace lies in."
        ),
        example="330203001",
        is_code=True,
    ),
)

ORG_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "工会代码",
        ("组织代码", "代码"),
        required=True,
        note=gettext_lazy(
            "Letters, digits and hyphens. A code already registered updates that organisation. "
            "Keep the column formatted as text."
        ),
        example="330203001J001",
        is_code=True,
    ),
    Column(
        "name", "工会名称", ("名称", "工会全称"), required=True, example="明州区示范社区联合工会", width=32
    ),
    Column("short_name", "简称", ("工会简称",), example="示范社区联合工会"),
    Column(
        "kind",
        "类型",
        ("工会类型", "组织类型"),
        required=True,
        note=gettext_lazy("总工会, 联合工会, 行业工会, 基层工会 or 工会小组."),
        example="联合工会",
        options="类型",
    ),
    Column(
        "level",
        "层级",
        ("级别",),
        note=gettext_lazy("Federations only: 市级, 区县级 or 乡镇（街道）级."),
        example="",
        options="层级",
    ),
    Column(
        "area",
        "联合工会类别",
        ("联合工会区域", "区域类型"),
        note=gettext_lazy("Joint unions only: 社区, 村, 园区 or 楼宇."),
        example="社区",
        options="联合工会类别",
    ),
    Column(
        "parent",
        "上级工会代码",
        ("上级代码", "上级组织代码"),
        required=True,
        note=gettext_lazy(
            "The code of the organisation it sits under: one already registered, or one on a row "
            "above in this list."
        ),
        example="330203001",
        is_code=True,
    ),
    Column("address", "地址", ("详细地址",), example="示范市明州区示范路8号", width=32),
    Column("district", "区县", ("所属区县", "所在区县"), example="明州区"),
    Column("contact_name", "联系人", (), example="王丽"),
    Column("contact_phone", "联系电话", ("电话", "联系方式"), example="0574-87654321", is_code=True),
    Column(
        "founded_on",
        "成立日期",
        ("建会日期", "成立时间"),
        note=gettext_lazy("A date such as 2020-05-01."),
        example="2020-05-01",
        width=12,
    ),
)

SPECS: dict[str, ListSpec] = {
    ImportKind.WORKPLACES: ListSpec(
        WORKPLACE_COLUMNS, identity="credit_code", max_rows=MAX_IMPORT_ROWS, max_bytes=MAX_IMPORT_BYTES
    ),
    ImportKind.ORGS: ListSpec(
        ORG_COLUMNS, identity="code", max_rows=MAX_IMPORT_ROWS, max_bytes=MAX_IMPORT_BYTES
    ),
}
PERMISSION: dict[str, Perm] = {ImportKind.WORKPLACES: Perm.WORKPLACE_CHANGE, ImportKind.ORGS: Perm.ORG_CHANGE}


# --------------------------------------------------------------------------------------------
# Choices: GB/T 4754 sections, ownership types, org kinds, by letter, value or Chinese name
# --------------------------------------------------------------------------------------------


def _choice_key(text: str) -> str:
    return re.sub(r"[\s()（）、，,]", "", normalize_text(text)).lower()


@cache
def _choice_maps() -> dict[str, dict[str, str]]:
    """Chinese names (and the values themselves) → choice value, for each choice column."""
    with translation.override("zh-hans"):
        industries = {_choice_key(str(label)): value for value, label in Industry.choices}
        ownerships = {_choice_key(str(label)): value for value, label in Ownership.choices}
        kinds = {_choice_key(str(label)): value for value, label in OrgKind.choices}
        areas = {_choice_key(str(label)): value for value, label in JointUnionArea.choices}
    ownerships |= {
        "国有企业": Ownership.STATE,
        "国营": Ownership.STATE,
        "集体企业": Ownership.COLLECTIVE,
        "私营企业": Ownership.PRIVATE,
        "民营": Ownership.PRIVATE,
        "民营企业": Ownership.PRIVATE,
        "个体": Ownership.PRIVATE,
        "股份有限公司": Ownership.JOINT_STOCK,
        "外资": Ownership.FOREIGN,
        "外资企业": Ownership.FOREIGN,
        "外商投资企业": Ownership.FOREIGN,
        "港澳台": Ownership.HK_MACAO_TAIWAN,
        "港澳台商投资": Ownership.HK_MACAO_TAIWAN,
        "港澳台投资企业": Ownership.HK_MACAO_TAIWAN,
        "机关事业单位": Ownership.PUBLIC_INSTITUTION,
        "机关": Ownership.PUBLIC_INSTITUTION,
        "社会团体": Ownership.SOCIAL_ORG,
        "民办非企业单位": Ownership.SOCIAL_ORG,
    }
    kinds |= {
        "市总工会": OrgKind.FEDERATION,
        "区县总工会": OrgKind.FEDERATION,
        "乡镇街道总工会": OrgKind.FEDERATION,
        "行业工会联合会": OrgKind.INDUSTRY_UNION,
        "基层工会委员会": OrgKind.GRASSROOTS,
        "工会委员会": OrgKind.GRASSROOTS,
    }
    areas |= {
        "产业园区": JointUnionArea.PARK,
        "工业园区": JointUnionArea.PARK,
        "商务楼宇": JointUnionArea.BUILDING,
    }
    levels: dict[str, str] = {
        "市": FederationLevel.CITY,
        "区县": FederationLevel.DISTRICT,
        "区": FederationLevel.DISTRICT,
        "县": FederationLevel.DISTRICT,
        "县市": FederationLevel.DISTRICT,
        "区县市": FederationLevel.DISTRICT,
        "乡镇街道": FederationLevel.TOWNSHIP,
        "乡镇": FederationLevel.TOWNSHIP,
        "街道": FederationLevel.TOWNSHIP,
        "镇": FederationLevel.TOWNSHIP,
        "乡": FederationLevel.TOWNSHIP,
    }
    maps: dict[str, dict[str, str]] = {
        "industry": industries,
        "ownership": ownerships,
        "kind": kinds,
        "area": areas,
        "level": levels,
    }
    for name, values in (
        ("industry", Industry.values),
        ("ownership", Ownership.values),
        ("kind", OrgKind.values),
        ("area", JointUnionArea.values),
        ("level", FederationLevel.values),
    ):
        maps[name] |= {_choice_key(value): value for value in values}
    return maps


def cell_choice(value: Any, column: str) -> str | None:
    """The choice value a cell names, by value or Chinese name; None for an empty cell."""
    text = cell_text(value)
    if not text:
        return None
    choices = _choice_maps()[column]
    key = _choice_key(text)
    if column == "industry":
        # "C", "C 制造业", "C制造业", "制造业": the letter decides when there is one.
        letter = re.match(r"([A-Ta-t])(?![A-Za-z])", text)
        if letter:
            return letter.group(1).upper()
    if column == "level":
        key = key.removesuffix("总工会").removesuffix("级")
    if key in choices:
        return choices[key]
    messages = {
        "industry": _(
            "Unknown industry “%(value)s”: give the GB/T 4754 section letter (A to T) or its name, "
            "e.g. C 制造业."
        ),
        "ownership": _(
            "Unknown ownership type “%(value)s”: use one of the names on the template's “选项” sheet."
        ),
        "kind": _("Unknown kind “%(value)s”: use 总工会, 联合工会, 行业工会, 基层工会 or 工会小组."),
        "area": _("Unknown joint union category “%(value)s”: use 社区, 村, 园区 or 楼宇."),
        "level": _("Unknown level “%(value)s”: use 市级, 区县级 or 乡镇（街道）级."),
    }
    raise CellProblem(messages[column] % {"value": text})


# --------------------------------------------------------------------------------------------
# Checking rows and writing them
# --------------------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str  # a column key, or "" for the whole row
    message: str


@dataclass
class Plan:
    """One good row: what to write. `existing` is the pk of the row's workplace or org if any."""

    row: int
    existing: int | None
    values: dict[str, Any]


@dataclass
class Outcome:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)


Progress = Callable[[int, int, str], None]


class _RowReader:
    """Typed values of one row, with a problem noted (and None returned) for each bad cell."""

    def __init__(self, table: Table, number: int, cells: list[Any], problems: list[Problem]) -> None:
        self.table, self.number, self.cells, self.problems = table, number, cells, problems
        self._problems_before = len(problems)

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def has(self, column: str) -> bool:
        return not is_empty(self.table.cell(self.cells, column))

    def read(self, column: str, parse: Callable[[Any], T]) -> T | None:
        raw = self.table.cell(self.cells, column)
        if is_empty(raw):
            return None
        try:
            return parse(raw)
        except CellProblem as exc:
            self.problem(column, exc.message)
            return None

    def text(self, column: str, max_length: int) -> str | None:
        value = self.read(column, cell_text)
        if value is not None:
            problem = text_problem(value, max_length=max_length, required=False)
            if problem:
                self.problem(column, problem)
                return None
        return value

    def require(self, columns: Iterable[str], what: str) -> None:
        for column in columns:
            if self.has(column):
                continue
            if column in self.table.columns:
                self.problem(column, _("Required for a new %(what)s.") % {"what": what})
            else:
                header = self.table.spec.column(column).header
                self.problem(
                    "",
                    _("A new %(what)s needs “%(header)s”, but the list has no such column.")
                    % {"what": what, "header": header},
                )

    @property
    def bad(self) -> bool:
        return len(self.problems) > self._problems_before


def _by_chunks(values: Iterable[str], lookup: Callable[[list[str]], Iterable[T]]) -> list[T]:
    found: list[T] = []
    for chunk in _chunks(sorted(set(values)), LOOKUP_CHUNK):
        found.extend(lookup(chunk))
    return found


# ---- workplaces ----------------------------------------------------------------------------


def _check_workplaces(table: Table, actor: Any, problems: list[Problem], progress: Progress) -> list[Plan]:
    total = len(table.rows)
    codes: dict[int, str] = {}
    for number, cells in table.rows:
        reader = _RowReader(table, number, cells, problems)
        raw = reader.read("credit_code", cell_code)
        if raw is None:
            if not reader.bad:
                reader.problem("credit_code", _("This field is required."))
            continue
        try:
            codes[number] = parse_credit_code(raw).value
        except InvalidCreditCode as exc:
            reader.problem("credit_code", exc.message)

    existing: dict[str, dict[str, Any]] = {
        row["credit_code"]: dict(row)
        for row in _by_chunks(
            codes.values(),
            lambda chunk: Workplace.objects.filter(credit_code__in=chunk).values(
                "pk", "credit_code", "jurisdiction__code", "union__code"
            ),
        )
    }
    changeable = set(
        _by_chunks(
            codes.values(),
            lambda chunk: (
                visible(Workplace, actor, Perm.WORKPLACE_CHANGE)
                .filter(credit_code__in=chunk)
                .values_list("pk", flat=True)
            ),
        )
    )
    org_codes = {
        org_code
        for _number, cells in table.rows
        for key in ("union", "jurisdiction")
        if (org_code := _safe_code(table.cell(cells, key)))
    }
    orgs = {
        org.code: org
        for org in _by_chunks(
            org_codes,
            lambda chunk: visible(Org, actor, Perm.WORKPLACE_CHANGE).filter(code__in=chunk),
        )
    }

    plans: list[Plan] = []
    seen: dict[str, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done, total, _("Checking row %(row)s…") % {"row": number})
        code = codes.get(number)
        if code is None:
            continue
        reader = _RowReader(table, number, cells, problems)
        if code in seen:
            reader.problem(
                "credit_code", _("The same credit code is already on row %(row)s.") % {"row": seen[code]}
            )
            continue
        seen[code] = number
        current = existing.get(code)
        if current is not None and current["pk"] not in changeable:
            reader.problem(
                "credit_code",
                _("This workplace is registered outside your organisations; you cannot change it here."),
            )
            continue
        values: dict[str, Any] = {"credit_code": code}
        if current is None:
            reader.require(
                ("name", "industry", "ownership", "employee_count", "jurisdiction"), _("workplace")
            )
        for key, max_length in (("name", 120), ("address", 200), ("district", 40)):
            text = reader.text(key, max_length)
            if text:
                values[key] = text
        for key in ("industry", "ownership"):
            choice = reader.read(key, partial(cell_choice, column=key))
            if choice:
                values[key] = choice
        employees = reader.read("employee_count", cell_int)
        if employees is not None:
            problem = employee_count_problem(employees)
            if problem:
                reader.problem("employee_count", problem)
            values["employee_count"] = employees
        for key, check, missing in (
            (
                "jurisdiction",
                jurisdiction_problem,
                _("No township federation or joint union with the code %(code)s in your organisations."),
            ),
            ("union", union_problem, _("No union with the code %(code)s in your organisations.")),
        ):
            given = reader.read(key, cell_code)
            if not given:
                continue
            given = normalize_code(given)
            if current is not None and given == current[f"{key}__code"]:
                continue  # unchanged, even where it lies outside the officer's scope
            org = orgs.get(given)
            if org is None:
                reader.problem(key, missing % {"code": given})
                continue
            problem = check(org)
            if problem:
                reader.problem(key, problem)
            values[f"{key}_id"] = org.pk
        if not reader.bad:
            plans.append(Plan(number, None if current is None else current["pk"], values))
    return plans


def _safe_code(value: Any) -> str:
    try:
        return normalize_code(cell_code(value))
    except CellProblem:
        return ""


def _write_workplaces(plans: list[Plan], actor: Any, note: str) -> list[tuple[Plan, str | DomainError]]:
    """New workplaces are registered together (one INSERT per batch), changes one by one."""
    new = [plan for plan in plans if plan.existing is None]
    rows = [
        WorkplaceData(
            credit_code=plan.values["credit_code"],
            name=plan.values["name"],
            industry=plan.values["industry"],
            ownership=plan.values["ownership"],
            employee_count=plan.values["employee_count"],
            address=plan.values.get("address", ""),
            district=plan.values.get("district", ""),
            jurisdiction_id=plan.values["jurisdiction_id"],
            union_id=plan.values.get("union_id"),
        )
        for plan in new
    ]
    created = create_workplaces(actor=actor, rows=rows, note=note) if rows else []
    results: list[tuple[Plan, str | DomainError]] = [
        (plan, result if isinstance(result, DomainError) else "created")
        for plan, result in zip(new, created, strict=True)
    ]
    for plan in plans:
        if plan.existing is None:
            continue
        changes = {key: value for key, value in plan.values.items() if key != "credit_code"}
        try:
            changed = update_workplace(Workplace(pk=plan.existing), actor=actor, changes=changes, note=note)
        except DomainError as error:  # the service rolled back its own savepoint
            results.append((plan, error))
        else:
            results.append((plan, "updated" if changed else "unchanged"))
    return results


_WORKPLACE_FIELD_COLUMNS = {"jurisdiction_id": "jurisdiction", "union_id": "union"}


# ---- organisations -------------------------------------------------------------------------


_ORG_TEXT_LIMITS = {"name": 120, "short_name": 40, "address": 200, "district": 40, "contact_name": 40}


def _check_orgs(table: Table, actor: Any, problems: list[Problem], progress: Progress) -> list[Plan]:
    total = len(table.rows)
    codes: dict[int, str] = {}
    for number, cells in table.rows:
        reader = _RowReader(table, number, cells, problems)
        code = reader.read("code", cell_code)
        if code:
            codes[number] = normalize_code(code)
        elif not reader.bad:
            reader.problem("code", _("This field is required."))
    parent_codes = {
        found for found in (_safe_code(table.cell(cells, "parent")) for _n, cells in table.rows) if found
    }

    existing = {
        org.code: org for org in _by_chunks(codes.values(), lambda chunk: Org.objects.filter(code__in=chunk))
    }
    changeable = set(
        _by_chunks(
            codes.values(),
            lambda chunk: (
                visible(Org, actor, Perm.ORG_CHANGE).filter(code__in=chunk).values_list("pk", flat=True)
            ),
        )
    )
    parents = {
        org.code: org
        for org in _by_chunks(
            parent_codes, lambda chunk: visible(Org, actor, Perm.ORG_CHANGE).filter(code__in=chunk)
        )
    }
    current_parents = dict(
        _by_chunks(
            {org.path[: -Org.steplen] for org in existing.values() if org.depth > 1},
            lambda chunk: Org.objects.filter(path__in=chunk).values_list("path", "code"),
        )
    )

    plans: list[Plan] = []
    planned: dict[str, tuple[int, str, str]] = {}  # code → (row, kind, level) of good new rows above
    seen: dict[str, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done, total, _("Checking row %(row)s…") % {"row": number})
        code = codes.get(number)
        if code is None:
            continue
        reader = _RowReader(table, number, cells, problems)
        if code in seen:
            reader.problem("code", _("The same code is already on row %(row)s.") % {"row": seen[code]})
            continue
        seen[code] = number
        current = existing.get(code)
        if current is not None and current.pk not in changeable:
            reader.problem("code", _("This organisation is outside your area; you cannot change it here."))
            continue
        values: dict[str, Any] = {}
        if current is None:
            values["code"] = code
            reader.require(("name", "kind", "parent"), _("organisation"))
        for key, max_length in _ORG_TEXT_LIMITS.items():
            text = reader.text(key, max_length)
            if text:
                values[key] = text
        phone = reader.read("contact_phone", cell_code)
        if phone:
            values["contact_phone"] = phone
        for key in ("kind", "level", "area"):
            choice = reader.read(key, partial(cell_choice, column=key))
            if choice:
                values[key] = choice
        founded_on = reader.read("founded_on", cell_date)
        if founded_on is not None:
            if founded_on > timezone.localdate():
                reader.problem("founded_on", _("The founding date cannot be in the future."))
            values["founded_on"] = founded_on
        parent_code = reader.read("parent", cell_code)
        parent_code = normalize_code(parent_code) if parent_code else ""

        if current is not None:
            now_under = current_parents.get(current.path[: -Org.steplen], "")
            if parent_code and parent_code != now_under:
                reader.problem(
                    "parent",
                    _(
                        "It sits under %(current)s now. A list cannot move organisations: use “Move” on "
                        "its page."
                    )
                    % {"current": now_under or _("nothing (it is the top of its tree)")},
                )
        elif parent_code and "kind" in values:
            kind, level = values["kind"], values.get("level", "")
            if kind == OrgKind.FEDERATION and not level:
                reader.problem("level", _("Choose the level of the federation."))
            if kind == OrgKind.JOINT_UNION and "area" not in values:
                reader.problem("area", _("Choose the area the joint union covers."))
            if parent_code in planned:
                _row, parent_kind, parent_level = planned[parent_code]
                parent_active = True
            elif parent_code in parents:
                parent = parents[parent_code]
                parent_kind, parent_level, parent_active = parent.kind, parent.level, parent.is_active
            elif parent_code in seen:
                reader.problem(
                    "parent",
                    _("The superior organisation on row %(row)s has problems of its own.")
                    % {"row": seen[parent_code]},
                )
                continue
            else:
                reader.problem(
                    "parent",
                    _("No organisation with the code %(code)s in your area, nor on a row above.")
                    % {"code": parent_code},
                )
                continue
            if not parent_active:
                reader.problem("parent", _("Nothing can be added under a dissolved organisation."))
            elif level or kind != OrgKind.FEDERATION:
                problem = placement_error(kind, level, parent_kind, parent_level)
                if problem:
                    reader.problem("kind", problem)
            values["parent"] = parent_code
        if not reader.bad:
            if current is None:
                planned[code] = (number, values["kind"], values.get("level", ""))
            plans.append(Plan(number, None if current is None else current.pk, values))
    return plans


def _write_org(plan: Plan, actor: Any) -> str:
    values = dict(plan.values)
    missing = _("There is no such organisation in your area.")
    if plan.existing is None:
        parent = Org.objects.filter(code=values.pop("parent")).only("pk").first()
        if parent is None:  # removed since the rows were checked
            raise NotFound(missing, fields={"parent": [missing]})
        create_org(parent, actor=actor, **values)
        return "created"
    org = Org.objects.filter(pk=plan.existing).first()
    if org is None:
        raise NotFound(missing, fields={"code": [missing]})
    before = {key: getattr(org, key) for key in EDITABLE_FIELDS}
    updated = update_org(org, actor=actor, **values)
    after = {key: getattr(updated, key) for key in EDITABLE_FIELDS}
    return "updated" if before != after else "unchanged"


def _write_orgs(plans: list[Plan], actor: Any, note: str) -> list[tuple[Plan, str | DomainError]]:
    """One by one, in list order: a row may name the org of a row above as its parent. (The tree
    service keeps its own audit notes, so `note` is not used.)"""
    results: list[tuple[Plan, str | DomainError]] = []
    for plan in plans:
        try:
            results.append((plan, _write_org(plan, actor)))
        except DomainError as error:  # the service rolled back its own savepoint
            results.append((plan, error))
    return results


# ---- both ----------------------------------------------------------------------------------


_CHECKERS: dict[str, Callable[[Table, Any, list[Problem], Progress], list[Plan]]] = {
    ImportKind.WORKPLACES: _check_workplaces,
    ImportKind.ORGS: _check_orgs,
}
_WRITERS: dict[str, Callable[[list[Plan], Any, str], list[tuple[Plan, str | DomainError]]]] = {
    ImportKind.WORKPLACES: _write_workplaces,
    ImportKind.ORGS: _write_orgs,
}
# Service field names that are not column keys.
_FIELD_COLUMNS: dict[str, dict[str, str]] = {
    ImportKind.WORKPLACES: _WORKPLACE_FIELD_COLUMNS,
    ImportKind.ORGS: {"new_parent": "parent"},
}


def _refusal_problems(error: DomainError, row: int, table: Table, kind: str) -> list[Problem]:
    """A service's refusal of one row, as problems on the columns it names."""
    if not error.fields:
        return [Problem(row, "", error.message)]
    renames = _FIELD_COLUMNS[kind]
    problems = []
    for name, messages in error.fields.items():
        column = renames.get(name, name)
        for message in messages:
            problems.append(Problem(row, column if column in table.columns else "", message))
    return problems


def _write_rows(
    kind: str,
    plans: list[Plan],
    table: Table,
    actor: Any,
    mode: str,
    note: str,
    outcome: Outcome,
    progress: Progress,
) -> None:
    write = _WRITERS[kind]
    total = len(table.rows)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    refused: list[Problem] = []

    def write_batch(batch: list[Plan]) -> None:
        for plan, result in write(batch, actor, note):
            if isinstance(result, DomainError):
                refused.extend(_refusal_problems(result, plan.row, table, kind))
            else:
                counts[result] += 1

    if mode == ImportMode.ALL_OR_NOTHING:
        # One transaction: progress written inside it would show only at the end.
        progress(
            0, total, _("Writing %(rows)s rows; nothing is kept unless all succeed…") % {"rows": len(plans)}
        )
        with transaction.atomic():
            for batch in _chunks(plans, WRITE_BATCH_ROWS):
                write_batch(batch)
            if refused:
                transaction.set_rollback(True)
        if refused:
            counts = {"created": 0, "updated": 0, "unchanged": 0}
    else:
        done = 0
        for batch in _chunks(plans, WRITE_BATCH_ROWS):
            with transaction.atomic():
                write_batch(batch)
            done += len(batch)
            progress(
                done, len(plans), _("Written %(done)s of %(rows)s rows…") % {"done": done, "rows": len(plans)}
            )
    outcome.problems.extend(refused)
    outcome.created, outcome.updated, outcome.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )


def import_rows(
    table: Table, *, kind: str, actor: Any, mode: str, note: str = "", progress: Progress | None = None
) -> Outcome:
    """Check every row of `table`, then write the good ones as `mode` says."""
    report = progress or (lambda done, total, message: None)
    outcome = Outcome(rows_total=len(table.rows))
    plans = _CHECKERS[kind](table, actor, outcome.problems, report)
    if plans and not (mode == ImportMode.ALL_OR_NOTHING and outcome.problems):
        _write_rows(kind, plans, table, actor, mode, note, outcome, report)
    outcome.skipped = outcome.rows_total - outcome.created - outcome.updated - outcome.unchanged
    outcome.problems.sort(key=lambda problem: problem.row)
    return outcome


# --------------------------------------------------------------------------------------------
# Starting an import, and running it in the background
# --------------------------------------------------------------------------------------------


def may_import(actor: Any, kind: str) -> bool:
    """Whether the actor may change workplaces (or orgs) anywhere, which an import needs."""
    paths = scope_paths(actor, PERMISSION[kind])
    return paths is None or bool(paths)


def start_list_import(*, actor: Any, kind: str, mode: str, file_name: str, content: bytes) -> ListImport:
    """Check the file (type, header, rows) while the officer waits, store it, start the job."""
    # Imported here: gonghui.jobs imports the orgs models, and the task module imports this one.
    from gonghui.jobs.services import start_job
    from gonghui.orgs.tasks import run_list_import_task

    if kind not in ImportKind.values or mode not in ImportMode.values:
        raise ValidationFailed(_("Choose what the list holds and what to do with bad rows."))
    if not may_import(actor, kind):
        raise Forbidden(_("You may not import this kind of list."))
    file_name = normalize_text(file_name)[:200] or "list"
    table = read_table(content, file_name, SPECS[kind])
    with transaction.atomic():
        list_import = ListImport.objects.create(
            kind=kind,
            mode=mode,
            file_name=file_name,
            size=len(content),
            content=content,
            rows_total=len(table.rows),
            created_by=actor,
        )
        title = _per_kind(
            kind, _("Importing workplaces from %(file)s"), _("Importing organisations from %(file)s")
        ) % {"file": file_name}
        list_import.job = start_job(
            actor=actor,
            kind=f"orgs.import_{kind}",
            title=title,
            task=run_list_import_task,
            args=[list_import.pk],
        )
        list_import.save(update_fields=["job"])
    return list_import


def summary(list_import: ListImport) -> str:
    if list_import.problem_count and not (
        list_import.created_count or list_import.updated_count or list_import.unchanged_count
    ):
        return _(
            "Nothing was written: %(problems)s problems were found. Correct them and upload the list again."
        ) % {"problems": list_import.problem_count}
    return _(
        "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s rows skipped; "
        "%(problems)s problems."
    ) % {
        "created": list_import.created_count,
        "updated": list_import.updated_count,
        "unchanged": list_import.unchanged_count,
        "skipped": list_import.skipped_count,
        "problems": list_import.problem_count,
    }


def run_list_import(list_import_id: int, *, progress: Progress | None = None) -> ListImport:
    """Import a stored list (called by the background job) and keep its report."""
    list_import = ListImport.objects.select_related("created_by").get(pk=list_import_id)
    if list_import.is_finished:
        return list_import  # a task run twice must not import twice
    actor = list_import.created_by
    if actor is None or not actor.is_active:
        raise NotFound(_("The account that uploaded this list no longer exists."))
    table = read_table(bytes(list_import.content), list_import.file_name, SPECS[list_import.kind])
    outcome = import_rows(
        table,
        kind=list_import.kind,
        actor=actor,
        mode=list_import.mode,
        note=_("List import %(id)s") % {"id": list_import.pk},
        progress=progress,
    )
    with transaction.atomic():
        ImportProblem.objects.bulk_create(
            (
                ImportProblem(
                    list_import=list_import,
                    row=problem.row,
                    column=table.where(problem.column)[0][:60],
                    column_letter=table.where(problem.column)[1],
                    message=problem.message[:300],
                )
                for problem in outcome.problems
            ),
            batch_size=1000,
        )
        list_import.rows_total = outcome.rows_total
        list_import.created_count = outcome.created
        list_import.updated_count = outcome.updated
        list_import.unchanged_count = outcome.unchanged
        list_import.skipped_count = outcome.skipped
        list_import.problem_count = len(outcome.problems)
        list_import.content = b""  # the report is what stays
        list_import.finished_at = timezone.now()
        list_import.save()
    return list_import


# --------------------------------------------------------------------------------------------
# Template and report workbooks
# --------------------------------------------------------------------------------------------


def _options(kind: str) -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        if kind == ImportKind.WORKPLACES:
            return {
                "行业": [f"{value} {label}" for value, label in Industry.choices],
                "经济类型": [str(label) for label in Ownership.labels],
            }
        return {
            "类型": [str(label) for label in OrgKind.labels],
            "层级": [str(label) for label in FederationLevel.labels],
            "联合工会类别": [str(label) for label in JointUnionArea.labels],
        }


def template_file_name(kind: str) -> str:
    return _per_kind(kind, "单位名单导入模板.xlsx", "工会组织导入模板.xlsx")


def template_for(kind: str) -> bytes:
    """The empty list officers download, fill in and upload."""
    what = _per_kind(kind, _("workplace"), _("organisation"))
    instructions = [
        _(
            "Fill in one row per %(what)s on the first sheet, below the header; columns marked * are "
            "required for new rows."
        )
        % {"what": what},
        _(
            "A row whose code is already registered updates that record; its empty cells leave the "
            "registered values as they are."
        ),
        _("Keep code columns formatted as text, or Excel drops the last digits of long codes."),
        _("At most %(rows)s rows and %(size)s MB per file.")
        % {"rows": f"{MAX_IMPORT_ROWS:,}", "size": MAX_IMPORT_BYTES // 2**20},
    ]
    sheet = _per_kind(kind, pgettext("list import", "Workplaces"), pgettext("list import", "Organisations"))
    return template_workbook(
        SPECS[kind], sheet_name=str(sheet), instructions=instructions, options=_options(kind)
    )


def report_file_name(list_import: ListImport) -> str:
    stem = list_import.file_name.rsplit(".", 1)[0]
    return _("%(file)s - import report.xlsx") % {"file": stem}


def report_for(list_import: ListImport) -> bytes:
    """The import's outcome and every problem, as a workbook to correct the list with."""
    summary_rows: list[tuple[str, Any]] = [
        (_("File"), list_import.file_name),
        (_("The list holds"), str(list_import.get_kind_display())),
        (_("When some rows have problems"), str(list_import.get_mode_display())),
        (_("Rows"), list_import.rows_total),
        (pgettext("import count", "Created"), list_import.created_count),
        (pgettext("import count", "Updated"), list_import.updated_count),
        (pgettext("import count", "Unchanged"), list_import.unchanged_count),
        (pgettext("import count", "Skipped"), list_import.skipped_count),
        (_("Problems"), list_import.problem_count),
    ]
    problems = (
        (problem.row, problem.column_letter, problem.column, problem.message)
        for problem in list_import.problems.order_by("row", "pk").iterator(chunk_size=2000)
    )
    return report_workbook(
        sheet_name=_("Import report"),
        summary=summary_rows,
        headers=[_("Row"), _("Column"), _("Column name"), _("Problem")],
        rows=problems,
    )
