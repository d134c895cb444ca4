"""Reading the calendar for pages and the API: a year's month grids and its entered ranges."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from gonghui.workdays.deadlines import is_working_day, year_days
from gonghui.workdays.models import CalendarDay


@dataclass(frozen=True)
class DayCell:
    day: date
    working: bool
    kind: str  # "holiday", "workday" or "" for an ordinary day
    name: str
    weekend: bool


@dataclass
class Month:
    month: date
    weeks: list[list[DayCell | None]] = field(default_factory=list)


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date
    kind: str
    kind_label: str
    name: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def year_rows(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(day__year=year).select_related("updated_by"))


def month_grids(year: int, rows: list[CalendarDay]) -> list[Month]:
    """Twelve month grids, weeks from Monday as Chinese calendars print them."""
    names = {row.day: row.name for row in rows}
    kinds = year_days(year)
    months: list[Month] = []
    grid = pycalendar.Calendar(firstweekday=0)
    for number in range(1, 13):
        month = Month(date(year, number, 1))
        for week in grid.monthdatescalendar(year, number):
            month.weeks.append(
                [
                    DayCell(
                        day=day,
                        working=is_working_day(day),
                        kind=kinds.get(day, ""),
                        name=names.get(day, ""),
                        weekend=day.weekday() >= 5,
                    )
                    if day.month == number
                    else None
                    for day in week
                ]
            )
        months.append(month)
    return months


def day_ranges(rows: list[CalendarDay]) -> list[DayRange]:
    """Entered days joined into runs of consecutive days of one kind and name (国庆节 1–7 October)."""
    ranges: list[DayRange] = []
    for row in sorted(rows, key=lambda row: row.day):
        last = ranges[-1] if ranges else None
        if (
            last
            and last.kind == row.kind
            and last.name == row.name
            and last.last + timedelta(days=1) == row.day
        ):
            ranges[-1] = DayRange(last.first, row.day, last.kind, last.kind_label, last.name)
        else:
            ranges.append(DayRange(row.day, row.day, row.kind, row.get_kind_display(), row.name))
    return ranges
