"""Changing the calendar and the rules: who may, what is refused, what is audited."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.accounts.models import User
from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.tests.factories import Tree
from gonghui.workdays.deadlines import due_date, is_working_day
from gonghui.workdays.models import CalendarDay, DayKind, DeadlineRule
from gonghui.workdays.services import (
    RangeInput,
    RuleInput,
    change_rule,
    remove_calendar_days,
    set_calendar_days,
)

pytestmark = pytest.mark.django_db


def national_day_2027(**overrides: object) -> RangeInput:
    values: dict[str, object] = {
        "first": date(2027, 10, 1),
        "last": date(2027, 10, 7),
        "kind": DayKind.HOLIDAY,
        "name": "国庆节",
    }
    values.update(overrides)
    return RangeInput(**values)  # type: ignore[arg-type]


def test_the_root_administrator_enters_a_range_at_once(city_admin: User, tree: Tree) -> None:
    saved = set_calendar_days(actor=city_admin, data=national_day_2027())
    assert [row.day.day for row in saved] == [1, 2, 3, 4, 5, 6, 7]
    assert not is_working_day(date(2027, 10, 4))  # a Monday
    event = AuditEvent.objects.get(action="workdays.set_calendar_days")
    assert event.org_path == tree.city.path
    assert event.changes["2027-10-01"] == [None, "holiday 国庆节"]
    assert CalendarDay.objects.get(day=date(2027, 10, 1)).updated_by == city_admin


def test_entering_again_replaces_the_days_and_audits_only_what_changed(city_admin: User) -> None:
    set_calendar_days(actor=city_admin, data=national_day_2027())
    set_calendar_days(
        actor=city_admin,
        data=national_day_2027(first=date(2027, 10, 9), last=date(2027, 10, 9), kind=DayKind.WORKDAY),
    )
    set_calendar_days(
        actor=city_admin, data=national_day_2027(first=date(2027, 10, 7), last=date(2027, 10, 9))
    )
    last = AuditEvent.objects.filter(action="workdays.set_calendar_days").latest("id")
    assert set(last.changes) == {"2027-10-08", "2027-10-09"}
    assert CalendarDay.objects.get(day=date(2027, 10, 9)).kind == DayKind.HOLIDAY


def test_a_make_up_saturday_becomes_a_working_day(city_admin: User) -> None:
    assert not is_working_day(date(2027, 9, 25))
    set_calendar_days(
        actor=city_admin,
        data=national_day_2027(first=date(2027, 9, 25), last=None, kind=DayKind.WORKDAY),
    )
    assert is_working_day(date(2027, 9, 25))


def test_a_district_administrator_may_not_change_the_city_calendar(east_admin: User) -> None:
    with pytest.raises(Forbidden):
        set_calendar_days(actor=east_admin, data=national_day_2027())
    with pytest.raises(Forbidden):
        remove_calendar_days(actor=east_admin, first=date(2026, 10, 1), last=date(2026, 10, 7))
    with pytest.raises(Forbidden):
        change_rule("rights.mediation", actor=east_admin, data=RuleInput(20, "calendar", True))
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    assert DeadlineRule.objects.get(code="rights.mediation").days == 15


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first": None}, "first"),
        ({"last": date(2027, 9, 30)}, "last"),
        ({"last": date(2027, 11, 30)}, "last"),
        ({"kind": "party"}, "kind"),
        ({"name": "  "}, "name"),
        ({"name": "节" * 41}, "name"),
        ({"name": "国庆\x00"}, "name"),
        ({"first": date(1999, 1, 1), "last": date(1999, 1, 2)}, "first"),
    ],
)
def test_bad_ranges_are_refused_and_nothing_is_written(
    city_admin: User, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        set_calendar_days(actor=city_admin, data=national_day_2027(**overrides))
    assert field in caught.value.fields
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    assert not AuditEvent.objects.filter(action__startswith="workdays.").exists()


def test_removing_makes_the_days_ordinary_again(city_admin: User) -> None:
    assert remove_calendar_days(actor=city_admin, first=date(2026, 10, 1), last=date(2026, 10, 10)) == 8
    assert is_working_day(date(2026, 10, 8))
    assert is_working_day(date(2026, 10, 2))
    assert not is_working_day(date(2026, 10, 10))  # an ordinary Saturday now
    event = AuditEvent.objects.get(action="workdays.remove_calendar_days")
    assert event.changes["2026-10-10"] == ["workday 国庆节", None]


def test_removing_days_with_nothing_entered_says_so(city_admin: User) -> None:
    with pytest.raises(NotFound):
        remove_calendar_days(actor=city_admin, first=date(2026, 3, 1), last=date(2026, 3, 5))


def test_a_rule_change_gives_new_deadlines_and_is_audited(city_admin: User) -> None:
    before = due_date("rights.mediation", date(2026, 9, 16))
    change_rule("rights.mediation", actor=city_admin, data=RuleInput(10, "working", True))
    rule = DeadlineRule.objects.get(code="rights.mediation")
    # Rolling is meaningless for working days and is switched off.
    assert (rule.days, rule.unit, rule.roll_to_working_day) == (10, "working", False)
    # 17, 18, 20 (make-up Sunday), 21–24, (25–27 中秋), 28, 29, 30 September.
    assert due_date("rights.mediation", date(2026, 9, 16)) == date(2026, 9, 30)
    assert before == date(2026, 10, 8)
    event = AuditEvent.objects.get(action="workdays.change_rule")
    assert event.changes["days"] == [15, 10]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RuleInput(None, "calendar", False), "days"),
        (RuleInput(0, "calendar", False), "days"),
        (RuleInput(5000, "calendar", False), "days"),
        (RuleInput(5, "weeks", False), "unit"),
    ],
)
def test_bad_rule_values_are_refused(city_admin: User, data: RuleInput, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        change_rule("rights.mediation", actor=city_admin, data=data)
    assert field in caught.value.fields
    assert DeadlineRule.objects.get(code="rights.mediation").days == 15


def test_an_unknown_rule_is_not_found(city_admin: User) -> None:
    with pytest.raises(NotFound):
        change_rule("rights.unknown", actor=city_admin, data=RuleInput(5, "calendar", False))
