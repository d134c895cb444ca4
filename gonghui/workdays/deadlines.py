"""Working days and deadlines: the one place every app computes a time limit.

Counting follows how Chinese law counts periods: the start day is not counted, the period begins the
next day; a calendar-day period whose last day is a rest day may run on to the next working day
(`roll_to_working_day`). A working-day period counts only working days: weekdays that are not public
holidays, plus the make-up working days (调休上班) that fall on weekends.

The special days of a year and the rules are read with one query each, kept in Django's cache and
in this process under a version key. Services that change the calendar or a rule call
`bump_version()`: the changing process reads the new data at once, every other process (console,
API, workers) within VERSION_RECHECK_SECONDS, without a cache round trip on every date it checks.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.utils.translation import gettext, ngettext

from gonghui.workdays.models import CalendarDay, DayKind, DeadlineRule, DeadlineUnit

_VERSION_KEY = "workdays:version"
# Longer than any run of rest days (the longest holiday with its weekends): more means bad data.
_MAX_REST_RUN = 30
_ONE_DAY = timedelta(days=1)

YearDays = dict[date, str]
VERSION_RECHECK_SECONDS = 10.0


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    days: int
    unit: str
    roll_to_working_day: bool
    legal_basis: str


# Per-process copies keyed by the cache version; a new version makes them unreachable.
_years: dict[tuple[str, int], YearDays] = {}
_rules: dict[str, dict[str, Rule]] = {}
# (cache key prefix, version, monotonic time to check again). The prefix is part of it because a
# cache namespace of its own (each test has one) must not see another namespace's version.
_checked: tuple[str, str, float] | None = None


def _version() -> str:
    global _checked
    prefix = str(cache.key_prefix)
    if _checked is not None and _checked[0] == prefix and time.monotonic() < _checked[2]:
        return _checked[1]
    version = cache.get(_VERSION_KEY)
    if version is None:
        # add() keeps the first writer's value when processes race after the cache was emptied.
        cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(_VERSION_KEY) or uuid.uuid4().hex
    _checked = (prefix, str(version), time.monotonic() + VERSION_RECHECK_SECONDS)
    return str(version)


def bump_version() -> None:
    """Make every process read the calendar and rules afresh; call after any change to them."""
    global _checked
    version = uuid.uuid4().hex
    cache.set(_VERSION_KEY, version, timeout=None)
    _years.clear()
    _rules.clear()
    _checked = (str(cache.key_prefix), version, time.monotonic() + VERSION_RECHECK_SECONDS)


class _Calendar:
    """The special days of the years a computation touches, loaded once per year under one version."""

    def __init__(self) -> None:
        self.version = _version()

    def year(self, year: int) -> YearDays:
        key = (self.version, year)
        days = _years.get(key)
        if days is None:
            cache_key = f"workdays:days:{self.version}:{year}"
            stored: list[tuple[str, str]] | None = cache.get(cache_key)
            if stored is None:
                stored = [
                    (day.isoformat(), kind)
                    for day, kind in CalendarDay.objects.filter(day__year=year).values_list("day", "kind")
                ]
                cache.set(cache_key, stored, timeout=None)
            days = {date.fromisoformat(day): kind for day, kind in stored}
            if len(_years) > 20:
                _years.clear()
            _years[key] = days
        return days

    def is_working_day(self, day: date) -> bool:
        kind = self.year(day.year).get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        for _ in range(_MAX_REST_RUN):
            if self.is_working_day(day):
                return day
            day += _ONE_DAY
        raise ValueError(f"no working day within {_MAX_REST_RUN} days of {day}: check the calendar")

    def add_working_days(self, start: date, count: int) -> date:
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        day = start
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def rules(self) -> dict[str, Rule]:
        rules = _rules.get(self.version)
        if rules is None:
            cache_key = f"workdays:rules:{self.version}"
            rows: list[tuple[str, str, int, str, bool, str]] | None = cache.get(cache_key)
            if rows is None:
                rows = list(
                    DeadlineRule.objects.values_list(
                        "code", "label", "days", "unit", "roll_to_working_day", "legal_basis"
                    )
                )
                cache.set(cache_key, rows, timeout=None)
            rules = {row[0]: Rule(*row) for row in rows}
            _rules.clear()
            _rules[self.version] = rules
        return rules


def _rule(calendar: _Calendar, code: str) -> Rule:
    try:
        return calendar.rules()[code]
    except KeyError:
        raise LookupError(f"no deadline rule {code!r}") from None


def get_rule(code: str) -> Rule:
    """The rule `code`; LookupError when there is none (a programming error, not a user's)."""
    return _rule(_Calendar(), code)


def all_rules() -> list[Rule]:
    return sorted(_Calendar().rules().values(), key=lambda rule: rule.code)


def compute_due_date(rule: Rule, start: date, calendar: _Calendar | None = None) -> date:
    """The deadline of `rule` counted from `start`, also for a rule not yet saved."""
    calendar = calendar or _Calendar()
    if rule.unit == DeadlineUnit.WORKING:
        if rule.days == 0:
            return calendar.next_working_day(start)
        return calendar.add_working_days(start, rule.days)
    due = start + timedelta(days=rule.days)
    if rule.roll_to_working_day:
        return calendar.next_working_day(due)
    return due


def due_date(code: str, start: date) -> date:
    """The deadline of rule `code` counted from `start` (the start day itself not counted)."""
    calendar = _Calendar()
    return compute_due_date(_rule(calendar, code), start, calendar)


def describe(rule: Rule) -> str:
    count = abs(rule.days)
    if rule.unit == DeadlineUnit.WORKING:
        if rule.days >= 0:
            text = ngettext("within %(days)d working day", "within %(days)d working days", count)
        else:
            text = ngettext("%(days)d working day before", "%(days)d working days before", count)
    elif rule.days >= 0:
        text = ngettext("within %(days)d day", "within %(days)d days", count)
    else:
        text = ngettext("%(days)d day before", "%(days)d days before", count)
    text = text % {"days": count}
    if rule.unit == DeadlineUnit.CALENDAR and rule.roll_to_working_day:
        text += gettext(" (a last day that is a rest day moves to the next working day)")
    return text


def describe_rule(code: str) -> str:
    """The rule in words for pages, e.g. "15日内（最后一日为休息日的，顺延至下一个工作日）"."""
    return describe(get_rule(code))


def is_working_day(day: date) -> bool:
    """Weekdays work and weekends rest, unless the calendar makes the day a holiday or a make-up
    working day."""
    return _Calendar().is_working_day(day)


def working_days_between(start: date, end: date) -> int:
    """The working days after `start` up to and including `end`, so that
    `working_days_between(start, due)` is N for a deadline of N working days; when `end` is before
    `start` the same count the other way round, negated (overdue by N working days)."""
    calendar = _Calendar()
    low, high = sorted((start, end))
    count = sum(
        calendar.is_working_day(low + timedelta(days=offset)) for offset in range(1, (high - low).days + 1)
    )
    return count if end >= start else -count


def year_days(year: int) -> YearDays:
    """The special days of `year` (holidays and make-up working days) as day -> kind."""
    return dict(_Calendar().year(year))
