"""API: the city's working-day calendar and deadline rules, mounted at /api/v1/calendar.

Every officer reads: `GET /days?year=` (the holidays and make-up working days entered for a year),
`GET /rules`, and `GET /due-date?rule=&start=` (the deadline a rule gives from a start day). Root
federation administrators (`calendar.change` on the root) write: `POST /days` enters a range,
`DELETE /days?first=&last=` removes entered days, `PUT /rules/{code}` changes a rule (new deadlines
only: cases store the date computed when they opened)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.accounts.models import User
from gonghui.api import request_user
from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.orgs.scoping import is_officer_user
from gonghui.workdays.deadlines import describe, due_date, get_rule, is_working_day
from gonghui.workdays.models import CalendarDay, DeadlineRule
from gonghui.workdays.services import (
    RangeInput,
    RuleInput,
    change_rule,
    remove_calendar_days,
    set_calendar_days,
)
from gonghui.workdays.services.calendar import FIRST_YEAR, LAST_YEAR, NAME_MAX
from gonghui.workdays.services.rules import MAX_DAYS

router = Router(tags=["workdays"])

Kind = Literal["holiday", "workday"]
Unit = Literal["calendar", "working"]


class DayOut(Schema):
    day: date
    kind: Kind = Field(description="holiday: a rest day even on a weekday; workday: a make-up working day.")
    name: str
    working: bool


class YearOut(Schema):
    year: int
    days: list[DayOut] = Field(description="Only the entered days; other weekdays work and weekends rest.")


class YearQuery(Schema):
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)


class RangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    first: date
    last: date | None = Field(None, description="Leave out for a single day.")
    kind: Kind
    name: CleanText = Field(max_length=NAME_MAX, description="The holiday, e.g. 国庆节.")


class RangeQuery(Schema):
    first: date
    last: date | None = None


class RemovedOut(Schema):
    removed: int


class RuleOut(Schema):
    code: str
    label: str
    days: int = Field(description="Negative for a date before the start.")
    unit: Unit
    roll_to_working_day: bool
    legal_basis: str
    description: str
    updated_at: datetime


class RuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=-MAX_DAYS, le=MAX_DAYS)
    unit: Unit
    roll_to_working_day: bool = False


class DueQuery(Schema):
    rule: str = Field(max_length=50)
    start: date


class DueOut(Schema):
    rule: str
    start: date
    due_date: date
    description: str


def _officer(request: HttpRequest) -> User:
    user = request_user(request)
    if not is_officer_user(user):
        raise Forbidden(_("Only officers may read the calendar here."))
    return user


def _day(row: CalendarDay) -> dict[str, Any]:
    return {"day": row.day, "kind": row.kind, "name": row.name, "working": is_working_day(row.day)}


def _rule(rule: DeadlineRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "label": rule.label,
        "days": rule.days,
        "unit": rule.unit,
        "roll_to_working_day": rule.roll_to_working_day,
        "legal_basis": rule.legal_basis,
        "description": describe(get_rule(rule.code)),
        "updated_at": rule.updated_at,
    }


@router.get("/days", response=YearOut, summary="The holidays and make-up working days of a year")
def list_days(request: HttpRequest, filters: Query[YearQuery]) -> dict[str, Any]:
    _officer(request)
    rows = CalendarDay.objects.filter(day__year=filters.year)
    return {"year": filters.year, "days": [_day(row) for row in rows]}


@router.post(
    "/days", response={201: list[DayOut]}, summary="Enter a range of holidays or make-up working days"
)
def add_days(request: HttpRequest, payload: RangeIn) -> Status[list[dict[str, Any]]]:
    saved = set_calendar_days(
        actor=_officer(request),
        data=RangeInput(first=payload.first, last=payload.last, kind=payload.kind, name=payload.name),
    )
    return Status(201, [_day(row) for row in saved])


@router.delete("/days", response=RemovedOut, summary="Remove the entered days of a range")
def remove_days(request: HttpRequest, filters: Query[RangeQuery]) -> dict[str, int]:
    removed = remove_calendar_days(
        actor=_officer(request), first=filters.first, last=filters.last or filters.first
    )
    return {"removed": removed}


@router.get("/rules", response=list[RuleOut], summary="The deadline rules")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    _officer(request)
    return [_rule(rule) for rule in DeadlineRule.objects.all()]


@router.put("/rules/{code}", response=RuleOut, summary="Change a deadline rule (new deadlines only)")
def put_rule(request: HttpRequest, code: str, payload: RuleIn) -> dict[str, Any]:
    rule = change_rule(
        code,
        actor=_officer(request),
        data=RuleInput(days=payload.days, unit=payload.unit, roll_to_working_day=payload.roll_to_working_day),
    )
    return _rule(rule)


@router.get("/due-date", response=DueOut, summary="The deadline a rule gives from a start day")
def get_due_date(request: HttpRequest, filters: Query[DueQuery]) -> dict[str, Any]:
    _officer(request)
    if not FIRST_YEAR <= filters.start.year <= LAST_YEAR:
        raise ValidationFailed(
            _("Enter a day between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            fields={
                "start": [
                    _("Enter a day between %(first)d and %(last)d.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                ]
            },
        )
    try:
        rule = get_rule(filters.rule)
    except LookupError:
        raise NotFound(
            _("There is no such deadline rule."), fields={"rule": [_("There is no such deadline rule.")]}
        ) from None
    return {
        "rule": rule.code,
        "start": filters.start,
        "due_date": due_date(rule.code, filters.start),
        "description": describe(rule),
    }
