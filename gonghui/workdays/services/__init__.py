"""Changing the city's holiday calendar and its deadline rules (root federation administrators)."""

from gonghui.workdays.services.access import bump_after_change, may_change_calendar
from gonghui.workdays.services.calendar import RangeInput, remove_calendar_days, set_calendar_days
from gonghui.workdays.services.rules import RuleInput, change_rule

__all__ = [
    "RangeInput",
    "RuleInput",
    "bump_after_change",
    "change_rule",
    "may_change_calendar",
    "remove_calendar_days",
    "set_calendar_days",
]
