"""Enrolment from a list (按名单参保): a union uploads the ID numbers (and names) of the people it
enrols, as an .xlsx, .xls or .ods workbook or a .csv file, and they are enrolled with
`enrol_members` — or, in the check mode, only checked.

The file is read exactly as the roster import reads it (gonghui.members.services.imports: the
streamed reader, its size and row limits, the ID number checks — a number Excel stored as a
number has lost its last digits and is refused as such, 15-digit numbers are upgraded), so an
officer who has imported a roster meets the same rules and messages here. The header needs the
columns 身份证号 and 姓名 (or their usual aliases), in any order, below any title rows.

Each row ends up in one of these: ready (an active member of the union or its sub-unions, not
yet enrolled), already enrolled (skipped, as `enrol_members` skips them), or a problem with its
reason: the ID number is not valid, it is on an earlier row of the list, nobody in the registry
has it, the membership has ended, the person is a member of another union, or the name on the
list is not the one in the registry (a sign that the ID number was mistyped). Only ready rows
are enrolled; the list is checked in the request and enrolled in one `enrol_members` batch.

Synchronous on purpose: enrolling all 50,000 members of a union takes about 2.6 s on SQLite and
on PostgreSQL, and 40,000 chosen ones (the list's path: `enrol_members` checks the ids it is
given) about 12 s on SQLite on a loaded machine (measured on the project machine, 2 cores), so a
list is capped at `MAX_LIST_ROWS` rows; a larger union enrols everyone with "enrol all".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.errors import Conflict, NotFound
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.spreadsheets import FileRefused, ListSpec, StreamLimits, cell_text, open_table
from gonghui.core.text import mask_name, normalize_name
from gonghui.members.models import Member, MemberStatus, id_number_index
from gonghui.members.services.imports import (
    ROSTER_COLUMNS,
    _read_id_number,
    _Row,
    _upload_path,
    import_limits,
)
from gonghui.mutualaid.models import AidPlan, AidPlanStatus, Enrolment
from gonghui.mutualaid.services.enrolment import EnrolmentResult, _require_member_change, enrol_members
from gonghui.orgs.models import Org

# A list is checked while the officer waits: larger ones are split (or enrolled with "all members").
MAX_LIST_ROWS = 50_000
# Rows looked up together: one query for the members and one for the enrolments per chunk.
CHUNK_ROWS = 2000
# Problems listed on the page; beyond this they are counted only.
MAX_LISTED_PROBLEMS = 1000


def list_spec() -> ListSpec:
    """The roster's name and ID number columns, with their aliases."""
    columns = tuple(column for column in ROSTER_COLUMNS if column.key in {"id_number", "name"})
    limits = list_limits()
    return ListSpec(columns, identity="id_number", max_rows=limits.max_rows, max_bytes=limits.max_bytes)


def list_limits() -> StreamLimits:
    roster = import_limits()
    return dataclasses.replace(
        roster,
        max_rows=min(roster.max_rows, MAX_LIST_ROWS),
        max_workbook_rows=min(roster.max_workbook_rows, MAX_LIST_ROWS),
    )


@dataclass(frozen=True)
class ListProblem:
    row: int
    id_number: str  # masked
    name: str  # masked
    reason: str


@dataclass
class ListOutcome:
    """What the list held and what became of it. `result` is None when nothing was enrolled
    (the check mode, or no row ready)."""

    file_name: str
    rows: int = 0
    ready: int = 0
    already_enrolled: int = 0
    problem_count: int = 0
    problems: list[ListProblem] = field(default_factory=list)
    result: EnrolmentResult | None = None
    member_ids: list[int] = field(default_factory=list)

    def add_problem(self, problem: ListProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)


def open_plans_for(org: Org) -> QuerySet[AidPlan]:
    """The plans a union can enrol its members in: open plans run by a federation above it (or
    by itself). Union officers hold no mutual aid permission, so this is how they see the plans
    that apply to them, not `visible()`."""
    ancestors = [org.path[:end] for end in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    return (
        AidPlan.objects.filter(status=AidPlanStatus.OPEN, org__path__in=ancestors)
        .select_related("org")
        .order_by("-year", "org__path", "name", "id")
    )


def applicable_plan(plan: AidPlan | int, org: Org) -> AidPlan:
    """The open plan `plan` if it applies to `org`; NotFound (as for a missing plan) when it is
    not run above `org`, Conflict when it is not in force."""
    pk = plan.pk if isinstance(plan, AidPlan) else plan
    found = AidPlan.objects.select_related("org").filter(pk=pk).first()
    if found is None or not org.path.startswith(found.org.path):
        raise NotFound(_("The mutual aid plan was not found."))
    if found.status != AidPlanStatus.OPEN:
        raise Conflict(_("Members can be enrolled only while the plan is in force."))
    return found


@dataclass
class _Pending:
    row: int
    index: str
    masked_id: str
    name: str  # as on the list, normalised ("" when not given)


def _masked_cell(row: _Row) -> str:
    return mask_id_number(cell_text(row.raw("id_number")).replace(" ", ""))


def _read_rows(path: str, file_name: str, outcome: ListOutcome) -> Iterator[list[_Pending]]:
    """The rows with a valid ID number not seen before in the list, in chunks; every other row
    noted as a problem."""
    today = timezone.localdate()
    first_row: dict[str, int] = {}
    chunk: list[_Pending] = []
    with open_table(path, file_name, list_spec(), list_limits()) as table:
        for number, cells in table.rows:
            outcome.rows += 1
            row = _Row(table, number, cells)
            id_number = _read_id_number(row, today)
            name = normalize_name(cell_text(row.raw("name") or "")) if "name" in table.columns else ""
            if id_number is None:
                reason = row.problems[0].message if row.problems else _("The ID number is missing.")
                outcome.add_problem(ListProblem(number, _masked_cell(row), mask_name(name), reason))
                continue
            earlier = first_row.get(id_number.value)
            if earlier is not None:
                outcome.add_problem(
                    ListProblem(
                        number,
                        id_number.masked,
                        mask_name(name),
                        _("The same ID number is already on row %(row)s of the list.") % {"row": earlier},
                    )
                )
                continue
            first_row[id_number.value] = number
            chunk.append(_Pending(number, id_number_index(id_number.value), id_number.masked, name))
            if len(chunk) == CHUNK_ROWS:
                yield chunk
                chunk = []
    if outcome.rows == 0:
        raise FileRefused(_("The list has a header but no rows below it."))
    if chunk:
        yield chunk


def _check_chunk(chunk: list[_Pending], plan: AidPlan, org: Org, outcome: ListOutcome) -> None:
    indexes = [pending.index for pending in chunk]
    people: dict[str, list[tuple[int, str, str, str, str]]] = {}
    rows = (
        Member.objects.filter(id_number_index__in=indexes)
        .order_by("pk")
        .values_list("pk", "id_number_index", "status", "org__path", "name", "org__name")
    )
    for pk, index, status, path, name, org_name in rows:
        people.setdefault(index, []).append((pk, status, path, name, org_name))
    enrolled = set(
        Enrolment.objects.filter(plan=plan, person_index__in=indexes).values_list("person_index", flat=True)
    )
    statuses = dict(MemberStatus.choices)
    for pending in chunk:
        memberships = people.get(pending.index, [])
        active = [m for m in memberships if m[1] == MemberStatus.ACTIVE]
        ours = [m for m in active if m[2].startswith(org.path)]

        def problem(reason: str, pending: _Pending = pending) -> None:
            outcome.add_problem(ListProblem(pending.row, pending.masked_id, mask_name(pending.name), reason))

        if not memberships:
            problem(_("Nobody with this ID number is in the member registry."))
        elif ours:
            member_pk, _status, _path, registered, _org_name = ours[0]
            if pending.name and normalize_name(registered) != pending.name:
                problem(
                    _(
                        "The name on the list is not the one in the member registry (%(name)s): check "
                        "the ID number."
                    )
                    % {"name": mask_name(registered)}
                )
            elif pending.index in enrolled:
                outcome.already_enrolled += 1
            else:
                outcome.ready += 1
                outcome.member_ids.append(member_pk)
        elif active:
            problem(
                _("An active member of %(union)s, not of %(ours)s or its sub-unions.")
                % {"union": active[0][4], "ours": org.name}
            )
        else:
            latest = memberships[-1]
            problem(
                _("The membership has ended (%(status)s): only active members can be enrolled.")
                % {"status": statuses.get(latest[1], latest[1])}
            )


def enrol_from_list(
    plan: AidPlan | int, *, actor: Any, org: Org, upload: UploadedFile, enrol: bool
) -> ListOutcome:
    """Check the list in `upload` against the registry of `org`'s subtree and, with `enrol`,
    enrol its ready rows in the plan (one batch; see `enrol_members`). FileRefused when the file
    cannot be read as a list; nothing is written then, nor in the check mode."""
    _require_member_change(actor, org)
    found = applicable_plan(plan, org)
    file_name = (upload.name or "list.xlsx")[:200]
    limits = list_limits()
    if (upload.size or 0) > limits.max_bytes:
        raise FileRefused(
            _("The file is larger than %(limit)s MB. Split the list.") % {"limit": limits.max_bytes // 2**20}
        )
    outcome = ListOutcome(file_name=file_name)
    with _upload_path(upload) as path:
        for chunk in _read_rows(path, file_name, outcome):
            _check_chunk(chunk, found, org, outcome)
    outcome.problems.sort(key=lambda problem: problem.row)
    if enrol and outcome.member_ids:
        outcome.result = enrol_members(found, actor=actor, org=org, member_ids=outcome.member_ids)
    return outcome
