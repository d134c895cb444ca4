"""Entering a range of holidays or make-up working days, and removing entered days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.errors import FieldErrors, NotFound
from gonghui.core.inputs import text_problem
from gonghui.core.text import normalize_text
from gonghui.workdays.models import CalendarDay, DayKind
from gonghui.workdays.services.access import bump_after_change, require_calendar_change

# The longest official holiday is nine days; a month covers it with room for its make-up days.
MAX_RANGE_DAYS = 31
NAME_MAX = 40
# Calendars are entered a year or two ahead and kept a few years back for old deadlines.
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class RangeInput:
    first: date | None
    last: date | None
    kind: str = DayKind.HOLIDAY
    name: str = ""


def _check_range(first: date | None, last: date | None, errors: FieldErrors) -> list[date]:
    if first is None:
        errors.add("first", _("Enter the first day."))
    if last is None and first is not None:
        last = first
    if first is None or last is None:
        return []
    if not (FIRST_YEAR <= first.year <= LAST_YEAR and FIRST_YEAR <= last.year <= LAST_YEAR):
        errors.add(
            "first",
            _("Enter a day between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
        return []
    if last < first:
        errors.add("last", _("The last day cannot be before the first day."))
        return []
    span = (last - first).days + 1
    if span > MAX_RANGE_DAYS:
        errors.add("last", _("Enter at most %(days)d days at once.") % {"days": MAX_RANGE_DAYS})
        return []
    return [first + timedelta(days=offset) for offset in range(span)]


@transaction.atomic
def set_calendar_days(*, actor: Any, data: RangeInput) -> list[CalendarDay]:
    """Mark every day from `first` to `last` as a holiday or a make-up working day named `name`,
    replacing what was entered for those days before."""
    root = require_calendar_change(actor)
    errors = FieldErrors()
    days = _check_range(data.first, data.last, errors)
    if data.kind not in DayKind.values:
        errors.add("kind", _("Choose a public holiday or a make-up working day."))
    name = normalize_text(data.name or "")
    problem = text_problem(name, max_length=NAME_MAX, required=True)
    if problem:
        errors.add("name", problem)
    errors.raise_if_any()
    existing = {row.day: row for row in CalendarDay.objects.select_for_update().filter(day__in=days)}
    changes: dict[str, list[Any]] = {}
    saved: list[CalendarDay] = []
    for day in days:
        row = existing.get(day)
        before = f"{row.kind} {row.name}" if row else None
        if row is None:
            row = CalendarDay(day=day)
        row.kind, row.name, row.updated_by = data.kind, name, actor
        row.save()
        after = f"{row.kind} {row.name}"
        if before != after:
            changes[day.isoformat()] = [before, after]
        saved.append(row)
    record_audit(
        actor=actor,
        action="workdays.set_calendar_days",
        changes=changes,
        org=root,
        note=f"{days[0].isoformat()}–{days[-1].isoformat()} {data.kind} {name}",
    )
    bump_after_change()
    return saved


@transaction.atomic
def remove_calendar_days(*, actor: Any, first: date | None, last: date | None) -> int:
    """Remove what was entered for the days from `first` to `last`: they become ordinary days again."""
    root = require_calendar_change(actor)
    errors = FieldErrors()
    days = _check_range(first, last, errors)
    errors.raise_if_any()
    rows = list(CalendarDay.objects.select_for_update().filter(day__in=days))
    if not rows:
        raise NotFound(
            _("No holiday or make-up working day is entered for these days."), code="no_calendar_days"
        )
    changes: dict[str, list[Any]] = {row.day.isoformat(): [f"{row.kind} {row.name}", None] for row in rows}
    CalendarDay.objects.filter(pk__in=[row.pk for row in rows]).delete()
    record_audit(
        actor=actor,
        action="workdays.remove_calendar_days",
        changes=changes,
        org=root,
        note=f"{days[0].isoformat()}–{days[-1].isoformat()}",
    )
    bump_after_change()
    return len(rows)
