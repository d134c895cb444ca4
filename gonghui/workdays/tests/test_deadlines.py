"""Deadline arithmetic on the seeded 2026 calendar: worked examples and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.workdays.deadlines import (
    Rule,
    compute_due_date,
    describe_rule,
    due_date,
    is_working_day,
    working_days_between,
)
from gonghui.workdays.models import CalendarDay, DayKind, DeadlineRule
from gonghui.workdays.services import bump_after_change

pytestmark = pytest.mark.django_db

# Hypothesis reuses one database transaction for all examples of a test; the seeded rows stay put.
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DAYS_2026 = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 12, 31))


def test_ordinary_weekdays_work_and_weekends_rest() -> None:
    assert is_working_day(date(2026, 3, 10))  # a Tuesday
    assert not is_working_day(date(2026, 3, 14))  # a Saturday


def test_holidays_rest_and_make_up_days_work() -> None:
    assert not is_working_day(date(2026, 10, 1))  # 国庆, a Thursday
    assert not is_working_day(date(2026, 2, 16))  # 春节, a Monday
    assert is_working_day(date(2026, 10, 10))  # 国庆 make-up Saturday
    assert is_working_day(date(2026, 1, 4))  # 元旦 make-up Sunday


def test_mediation_deadline_in_national_day_rolls_to_the_first_working_day() -> None:
    # Received 16 September: the 15th day is 1 October (国庆), the period runs on to Thursday 8 October.
    assert due_date("rights.mediation", date(2026, 9, 16)) == date(2026, 10, 8)


def test_mediation_deadline_on_a_make_up_saturday_stays_there() -> None:
    # Received 25 September (中秋): the 15th day is Saturday 10 October, a make-up working day.
    assert due_date("rights.mediation", date(2026, 9, 25)) == date(2026, 10, 10)


def test_mediation_deadline_on_an_ordinary_saturday_rolls_to_monday() -> None:
    assert due_date("rights.mediation", date(2026, 3, 6)) == date(2026, 3, 23)


def test_working_day_deadline_skips_the_holiday_and_counts_the_make_up_day() -> None:
    # 7 working days from Tuesday 29 September: 30 Sep, (1–7 Oct rest), 8, 9, 10 (Saturday, make-up),
    # (11 Sunday), 12, 13, 14 October.
    assert due_date("legal.aid_review", date(2026, 9, 29)) == date(2026, 10, 14)


def test_working_day_deadline_started_on_a_holiday_counts_from_the_next_working_day() -> None:
    # 3 working days from 15 February (春节 rest until 23 February): 24, 25, 26.
    assert due_date("legal.consultation_answer", date(2026, 2, 15)) == date(2026, 2, 26)


def test_calendar_rule_without_roll_keeps_a_rest_day() -> None:
    # 30 days after 31 August is 30 September; after 2 September is Sunday 4 October, which stays.
    assert due_date("rights.followup", date(2026, 9, 4)) == date(2026, 10, 4)


def test_negative_rule_counts_back_from_the_start() -> None:
    assert due_date("contracts.expiry_reminder", date(2026, 12, 31)) == date(2026, 10, 2)


def test_unknown_rule_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        due_date("rights.nonexistent", date(2026, 1, 5))


def test_a_changed_rule_gives_new_deadlines_at_once() -> None:
    DeadlineRule.objects.filter(code="rights.mediation").update(days=20)
    bump_after_change()
    assert due_date("rights.mediation", date(2026, 3, 2)) == date(2026, 3, 23)


def test_an_added_holiday_changes_working_days_once_the_version_is_bumped() -> None:
    assert is_working_day(date(2026, 3, 10))
    CalendarDay.objects.create(day=date(2026, 3, 10), kind=DayKind.HOLIDAY, name="测试")
    bump_after_change()
    assert not is_working_day(date(2026, 3, 10))


def test_due_date_reads_the_database_once_then_the_cache(django_assert_num_queries) -> None:
    due_date("rights.mediation", date(2026, 5, 6))
    with django_assert_num_queries(0):
        due_date("rights.mediation", date(2026, 9, 16))
        is_working_day(date(2026, 10, 3))


def test_working_days_between_counts_end_not_start() -> None:
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 9)) == -4
    assert working_days_between(date(2026, 10, 8), date(2026, 9, 30)) == -1


def test_describe_rule_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert "15" in describe_rule("rights.mediation")
        assert "7" in describe_rule("legal.aid_review")


@PROPERTY
@given(start=DAYS_2026, count=st.integers(min_value=1, max_value=40))
def test_n_working_days_later_is_a_working_day_with_n_between(start: date, count: int) -> None:
    rule = Rule("t", "t", count, "working", False, "")
    due = compute_due_date(rule, start)
    assert is_working_day(due)
    assert working_days_between(start, due) == count
    assert due > start


@PROPERTY
@given(start=DAYS_2026, count=st.integers(min_value=1, max_value=40))
def test_n_working_days_before_has_n_between(start: date, count: int) -> None:
    rule = Rule("t", "t", -count, "working", False, "")
    due = compute_due_date(rule, start)
    assert is_working_day(due)
    span = (start - due).days
    assert sum(is_working_day(due + timedelta(days=offset)) for offset in range(span)) == count


@PROPERTY
@given(start=DAYS_2026, days=st.integers(min_value=-120, max_value=120))
def test_calendar_rule_with_roll_lands_on_the_first_working_day_not_before_the_raw_date(
    start: date, days: int
) -> None:
    raw = start + timedelta(days=days)
    due = compute_due_date(Rule("t", "t", days, "calendar", True, ""), start)
    assert due >= raw
    assert is_working_day(due)
    assert all(not is_working_day(raw + timedelta(days=offset)) for offset in range((due - raw).days))


@PROPERTY
@given(start=DAYS_2026, end=DAYS_2026)
def test_working_days_between_is_antisymmetric_up_to_the_endpoints(start: date, end: date) -> None:
    forward = working_days_between(start, end)
    backward = working_days_between(end, start)
    assert forward == -backward
    assert (forward > 0) <= (end > start)
