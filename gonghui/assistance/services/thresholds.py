"""Income thresholds (低收入标准): one monthly per-capita amount per federation and year.

A hardship file compares the household's per-capita income with the threshold of the nearest
federation at or above the member's union that has one for the year (`threshold_for`). A
threshold can be changed until a file has been compared against it in its year: from then on
the figure is part of decisions already taken, and changing it would make them unexplainable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import MAX_REASON, HardshipFile, IncomeThreshold
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, NotFound
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.core.text import normalize_text
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

FIRST_YEAR = 2000
THRESHOLD_FIELDS = ("org", "year", "monthly_per_capita", "note")


def ancestor_paths(org: Org) -> list[str]:
    """The paths of `org` and every org above it, nearest first."""
    step = Org.steplen
    return [org.path[:end] for end in range(len(org.path), 0, -step)]


def threshold_for(org: Org, year: int) -> IncomeThreshold | None:
    """The threshold for `year` of the nearest org at or above `org` that has one."""
    paths = ancestor_paths(org)
    return (
        IncomeThreshold.objects.filter(year=year, org__path__in=paths)
        .select_related("org")
        .order_by("-org__depth")
        .first()
    )


def latest_year() -> int:
    """The latest year a threshold may be set for: thresholds are published ahead of the year."""
    return timezone.localdate().year + 1


def is_compared(threshold: IncomeThreshold) -> bool:
    """Whether a file took this threshold as its comparison: at application in the year, or at a
    re-check in the year."""
    return (
        HardshipFile.objects.filter(threshold_org_id=threshold.org_id)
        .filter(Q(year=threshold.year) | Q(last_checked_on__year=threshold.year))
        .exists()
    )


@dataclass(frozen=True)
class ThresholdResult:
    threshold: IncomeThreshold
    created: bool
    changed: bool


def _validated(
    org: Org, year: Any, monthly_per_capita: Decimal | str | None, note: str | None
) -> tuple[int, Decimal, str]:
    errors = FieldErrors()
    if org.kind != OrgKind.FEDERATION or org.status != OrgStatus.ACTIVE:
        errors.add("org", _("Only a federation of unions sets an income threshold."))
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= latest_year():
        errors.add(
            "year",
            _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": latest_year()},
        )
    amount = Decimal("0")
    if monthly_per_capita is None or (isinstance(monthly_per_capita, str) and not monthly_per_capita.strip()):
        errors.add("monthly_per_capita", _("This field is required."))
    else:
        try:
            amount = parse_money(
                monthly_per_capita if isinstance(monthly_per_capita, str) else str(monthly_per_capita)
            )
        except InvalidAmount as exc:
            errors.add("monthly_per_capita", exc.message)
        else:
            if amount <= 0:
                errors.add("monthly_per_capita", _("The threshold must be more than zero."))
    text = normalize_text(note or "")
    if len(text) > MAX_REASON:
        errors.add("note", _("Enter at most %(limit)s characters.") % {"limit": MAX_REASON})
    errors.raise_if_any()
    return int(year), amount, text


@transaction.atomic
def set_income_threshold(
    *,
    actor: Any,
    org: Org | int,
    year: int,
    monthly_per_capita: Decimal | str | None,
    note: str = "",
) -> ThresholdResult:
    """Set the threshold of federation `org` for `year`: a new row, or a change of the year's row
    while no file has been compared against it. ASSISTANCE_HANDLE on the federation."""
    pk = org.pk if isinstance(org, Org) else org
    found = Org.objects.filter(pk=pk).first()
    if found is None or not has_perm_at(actor, Perm.ASSISTANCE_HANDLE, found.path):
        raise NotFound(_("The federation was not found."))
    the_year, amount, text = _validated(found, year, monthly_per_capita, note)
    current = IncomeThreshold.objects.select_for_update().filter(org=found, year=the_year).first()
    if current is None:
        threshold = IncomeThreshold.objects.create(
            org=found,
            year=the_year,
            monthly_per_capita=amount,
            note=text,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_audit(
            actor=actor,
            action="assistance.set_income_threshold",
            obj=threshold,
            changes=changes_between({}, snapshot(threshold, THRESHOLD_FIELDS)),
        )
        return ThresholdResult(threshold, created=True, changed=True)
    before = snapshot(current, THRESHOLD_FIELDS)
    if current.monthly_per_capita == amount and current.note == text:
        return ThresholdResult(current, created=False, changed=False)
    if current.monthly_per_capita != amount and is_compared(current):
        message = _(
            "Hardship files of %(year)s have already been compared with the threshold of "
            "%(amount)s yuan, so it can no longer be changed. Their decisions rest on it."
        ) % {"year": the_year, "amount": current.monthly_per_capita}
        raise Conflict(message, code="threshold_in_use", fields={"monthly_per_capita": [message]})
    current.monthly_per_capita = amount
    current.note = text
    current.save(update_fields=["monthly_per_capita", "note", "updated_at"])
    record_audit(
        actor=actor,
        action="assistance.set_income_threshold",
        obj=current,
        changes=changes_between(before, snapshot(current, THRESHOLD_FIELDS)),
    )
    return ThresholdResult(current, created=False, changed=True)
