"""Checks the supervision services share: who may act for an org, dates and texts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.errors import FieldErrors
from gonghui.core.inputs import clean_multiline
from gonghui.core.text import normalize_text
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

# Dates further back than this are typing mistakes, not records being caught up.
OLDEST_RECORD = date(2000, 1, 1)
# Inspections are planned at most a year ahead.
PLANNING_HORIZON = timedelta(days=366)


def acting_org(errors: FieldErrors, actor: Any, org_id: int, field: str = "org") -> Org | None:
    """The active org `org_id` when `actor` holds rights.handle on it; a field error otherwise
    (an org outside the actor's scope reads exactly like one that does not exist)."""
    org: Org | None = Org.objects.filter(pk=org_id).first()
    if org is None or not org.is_active or not has_perm_at(actor, Perm.RIGHTS_HANDLE, org.path):
        errors.add(field, _("Choose a union whose supervision you handle."))
        return None
    return org


def visible_workplace(errors: FieldErrors, actor: Any, workplace_id: int) -> Workplace | None:
    workplace = visible(Workplace, actor, Perm.WORKPLACE_VIEW).filter(pk=workplace_id).first()
    if workplace is None:
        errors.add("workplace", _("Choose a workplace in your area."))
    return workplace


def past_date(
    errors: FieldErrors, field: str, value: date | None, *, not_before: date = OLDEST_RECORD
) -> date:
    """A date that has happened (not in the future), not before `not_before`."""
    if value is None:
        errors.add(field, _("This field is required."))
        return timezone.localdate()
    if value > timezone.localdate():
        errors.add(field, _("The date cannot be in the future."))
    elif value < not_before:
        errors.add(field, _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()})
    return value


def required_text(errors: FieldErrors, field: str, value: str, max_length: int) -> str:
    text = clean_multiline(value, field=field, max_length=max_length, errors=errors)
    if not text and field not in errors.fields:
        errors.add(field, _("This field is required."))
    return text


def optional_text(errors: FieldErrors, field: str, value: str, max_length: int) -> str:
    return clean_multiline(value or "", field=field, max_length=max_length, errors=errors)


def line_text(errors: FieldErrors, field: str, value: str, max_length: int, *, required: bool = True) -> str:
    text = normalize_text(value or "")
    if required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > max_length:
        errors.add(field, _("Enter at most %(max_length)s characters.") % {"max_length": max_length})
    return text
