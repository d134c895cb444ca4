"""Editing a deadline rule. Only new deadlines change: cases store the date computed when they
were opened, so an edit never moves a deadline someone has already been told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import FieldErrors, NotFound
from gonghui.workdays.models import DeadlineRule, DeadlineUnit
from gonghui.workdays.services.access import bump_after_change, require_calendar_change

# Ten years either way: more is a typing error, not a time limit.
MAX_DAYS = 3660
FIELDS = ("days", "unit", "roll_to_working_day")


@dataclass(frozen=True)
class RuleInput:
    days: int | None
    unit: str
    roll_to_working_day: bool


@transaction.atomic
def change_rule(code: str, *, actor: Any, data: RuleInput) -> DeadlineRule:
    root = require_calendar_change(actor)
    rule = DeadlineRule.objects.select_for_update().filter(code=code).first()
    if rule is None:
        raise NotFound(_("There is no such deadline rule."))
    errors = FieldErrors()
    if data.days is None:
        errors.add("days", _("Enter the number of days."))
    elif data.days == 0 or abs(data.days) > MAX_DAYS:
        errors.add(
            "days",
            _("Enter a number of days from 1 to %(max)d, negative for a date before the start.")
            % {"max": MAX_DAYS},
        )
    if data.unit not in DeadlineUnit.values:
        errors.add("unit", _("Choose calendar days or working days."))
    errors.raise_if_any()
    before = snapshot(rule, FIELDS)
    assert data.days is not None  # checked above
    rule.days, rule.unit, rule.roll_to_working_day = data.days, data.unit, data.roll_to_working_day
    # Rolling only concerns calendar days: a working-day deadline always ends on a working day.
    if rule.unit == DeadlineUnit.WORKING:
        rule.roll_to_working_day = False
    rule.updated_by = actor
    rule.save()
    changes = changes_between(before, snapshot(rule, FIELDS))
    if changes:
        record_audit(actor=actor, action="workdays.change_rule", obj=rule, changes=changes, org=root)
    bump_after_change()
    return rule
