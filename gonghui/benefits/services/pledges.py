"""Annual pledges (十件实事): a federation's yearly list of promised deliverables and their progress.

A pledge belongs to a federation (`Pledge.org`, an org of kind federation) and names the union
responsible for delivering it (`owner_org`, the federation itself or a union in its subtree).
Changing the list (create, edit, publish, unpublish, delete) needs `Perm.BENEFITS_CHANGE` on
the federation. Progress is reported as updates (date, cumulative value reached, what was done):
reporting, or withdrawing a report, needs `Perm.BENEFITS_CHANGE` on the federation *or* on the
responsible union, which reports its own progress.

`Pledge.progress_value` is always the value of the latest update by (reported_on, id), 0 without
updates; every write of an update recomputes it with the pledge's row locked, so two officers
reporting at once cannot leave it pointing at the wrong report. A value lower than the report
before it is a correction and must say why (the note). Quantities are `Decimal` with at most two
decimal places, never floats. Every write is audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.benefits.models import Pledge, PledgeQuerySet, PledgeUpdate
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.text import normalize_text
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, scope_paths

TITLE_MAX = 120
UNIT_MAX = 20
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000
MAX_NUMBER = 99
FIRST_YEAR = 2000
MAX_QUANTITY = Decimal("999999999999.99")  # what the 14-digit, 2-place columns hold
_HUNDREDTH = Decimal("0.01")
# "120", "20000", "20,000", "1.5": thousands separators must group by three.
_QUANTITY = re.compile(r"(?P<units>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<fraction>\.[0-9]+)?")

FIELDS = ("year", "number", "title", "description", "target_value", "unit", "owner_org")
AUDITED_FIELDS = (*FIELDS, "org", "is_published")


class ReportingPledgeQuerySet(PledgeQuerySet):
    """Pledges placed by their federation *and* by their responsible union: what an officer of
    either may see (and report progress on). Use with `visible(reporting_pledges(), user, perm)`."""

    scope_fields = ("org__path", "owner_org__path")


def reporting_pledges() -> ReportingPledgeQuerySet:
    return ReportingPledgeQuerySet(model=Pledge)


@dataclass(frozen=True)
class PledgeData:
    """Everything an officer types in about a pledge (its federation aside). `owner_org` None
    means the federation itself is responsible."""

    year: int
    number: int
    title: str
    target_value: Decimal | str | int
    unit: str
    owner_org: Org | None = None
    description: str = ""


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def current_year() -> int:
    return timezone.localdate().year


def parse_quantity(value: Any, *, positive: bool = False) -> Decimal:
    """A target or a progress value: a non-negative (or positive) number of at most two decimal
    places. Raises ValueError with a message for people. Floats are refused (TypeError)."""
    if isinstance(value, bool | float):
        raise TypeError("Quantities must be a Decimal, int or str, not a float.")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = normalize_text(value).replace("\uff0c", ",").replace(" ", "")
        if not text:
            raise ValueError(_("Enter a number."))
        match = _QUANTITY.fullmatch(text.lstrip("+"))
        if text.startswith("-"):
            raise ValueError(_("The number cannot be negative."))
        if match is None:
            raise ValueError(_("Enter a number, such as 120 or 2.5."))
        amount = Decimal(match["units"].replace(",", "") + (match["fraction"] or ""))
    else:
        raise ValueError(_("Enter a number, such as 120 or 2.5."))
    if not amount.is_finite():
        raise ValueError(_("Enter a number, such as 120 or 2.5."))
    if amount < 0:
        raise ValueError(_("The number cannot be negative."))
    if positive and amount == 0:
        raise ValueError(_("The target must be greater than 0."))
    if amount > MAX_QUANTITY:
        raise ValueError(_("The number is too large."))
    try:
        exact = amount.quantize(_HUNDREDTH)
    except InvalidOperation:
        raise ValueError(_("The number is too large.")) from None
    if exact != amount:
        raise ValueError(_("Use at most 2 decimal places."))
    return exact


def _clean_line(value: Any, field: str, errors: FieldErrors, *, max_length: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    text = normalize_text(value)
    if has_control_characters(text):
        errors.add(field, _("Use letters, digits, spaces and punctuation only."))
    elif required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > max_length:
        errors.add(field, _("Enter at most %(max_length)s characters.") % {"max_length": max_length})
    return text


def _clean_text(value: Any, field: str, errors: FieldErrors, *, max_length: int) -> str:
    """Several lines allowed: each normalised, blank lines at either end dropped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    lines = [normalize_text(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    if has_control_characters(text.replace("\n", "")):
        errors.add(field, _("Use letters, digits, spaces and punctuation only."))
    elif len(text) > max_length:
        errors.add(field, _("Enter at most %(max_length)s characters.") % {"max_length": max_length})
    return text


def _clean_int(
    value: Any, field: str, errors: FieldErrors, *, low: int, high: int, message: str
) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(field, message)
        return None
    return int(value)


def _year_message() -> str:
    return _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": current_year() + 1}


def clean_pledge_fields(values: Mapping[str, Any], errors: FieldErrors, *, org: Org) -> dict[str, Any]:
    """The fields named in `values`, cleaned; every problem noted in `errors` under its field.
    `owner_org` must be `org` or a union under it (None stands for `org` itself)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"Not pledge fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    if "year" in values:
        year = _clean_int(
            values["year"], "year", errors, low=FIRST_YEAR, high=current_year() + 1, message=_year_message()
        )
        if year is not None:
            cleaned["year"] = year
    if "number" in values:
        number = _clean_int(
            values["number"],
            "number",
            errors,
            low=1,
            high=MAX_NUMBER,
            message=_("Enter a number from 1 to %(max)s.") % {"max": MAX_NUMBER},
        )
        if number is not None:
            cleaned["number"] = number
    if "title" in values:
        cleaned["title"] = _clean_line(values["title"], "title", errors, max_length=TITLE_MAX, required=True)
    if "unit" in values:
        cleaned["unit"] = _clean_line(values["unit"], "unit", errors, max_length=UNIT_MAX, required=True)
    if "description" in values:
        cleaned["description"] = _clean_text(
            values["description"], "description", errors, max_length=DESCRIPTION_MAX
        )
    if "target_value" in values:
        try:
            cleaned["target_value"] = parse_quantity(values["target_value"], positive=True)
        except ValueError as exc:
            errors.add("target_value", str(exc))
    if "owner_org" in values:
        owner = values["owner_org"]
        if owner is None:
            cleaned["owner_org"] = org
        else:
            fresh = Org.objects.filter(pk=getattr(owner, "pk", None)).first()
            if fresh is None or not fresh.path.startswith(org.path):
                errors.add(
                    "owner_org",
                    _("The responsible union must be %(org)s or a union under it.") % {"org": org.name},
                )
            elif fresh.status != OrgStatus.ACTIVE:
                errors.add("owner_org", _("%(name)s is dissolved.") % {"name": fresh.name})
            else:
                cleaned["owner_org"] = fresh
    return cleaned


def _number_taken(org: Org, year: int, number: int, *, exclude: int | None = None) -> Pledge | None:
    rows = Pledge.objects.filter(org=org, year=year, number=number)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.first()


def _duplicate_message(existing: Pledge) -> str:
    return _("%(year)s already has pledge No. %(number)s: “%(title)s”. Choose another number.") % {
        "year": existing.year,
        "number": existing.number,
        "title": existing.title,
    }


def publishing_org(actor: Any, org: Org) -> Org:
    """`org`, fresh, when the actor may keep its pledges: NotFound when it is out of the actor's
    sight (as for a missing org), ValidationFailed when it is no federation or dissolved."""
    fresh: Org | None = Org.objects.filter(pk=org.pk).first()
    if fresh is None or not has_perm_at(actor, Perm.BENEFITS_CHANGE, fresh.path):
        message = _("No such federation among those whose pledges you keep.")
        raise NotFound(message, fields={"org": [message]})
    if fresh.kind != OrgKind.FEDERATION:
        message = _("Only a federation of unions publishes annual pledges.")
        raise ValidationFailed(message, fields={"org": [message]})
    if fresh.status != OrgStatus.ACTIVE:
        message = _("%(name)s is dissolved; it cannot publish pledges.") % {"name": fresh.name}
        raise ValidationFailed(message, fields={"org": [message]})
    return fresh


def may_keep_pledges(actor: Any) -> bool:
    """Whether the actor may keep the pledges of some federation."""
    paths = scope_paths(actor, Perm.BENEFITS_CHANGE)
    return paths is None or bool(paths)


def _pledge_for_change(actor: Any, pledge: Pledge) -> Pledge:
    """The pledge, fresh and locked, when the actor may change it: NotFound when it is out of
    sight, Forbidden when the actor may only look at it (or only report its progress)."""
    current = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("org", "owner_org")
        .filter(pk=pledge.pk)
        .first()
    )
    if current is None or not _may_see(actor, current):
        raise NotFound(_("This pledge does not exist."))
    if not has_perm_at(actor, Perm.BENEFITS_CHANGE, current.org.path):
        raise Forbidden(_("You may look at this pledge but not change it."))
    return current


def _may_see(actor: Any, pledge: Pledge) -> bool:
    return has_perm_at(actor, Perm.BENEFITS_VIEW, pledge.org.path) or has_perm_at(
        actor, Perm.BENEFITS_VIEW, pledge.owner_org.path
    )


def may_report(actor: Any, pledge: Pledge) -> bool:
    """Whether the actor may report progress on the pledge (on its federation or as the
    responsible union)."""
    return has_perm_at(actor, Perm.BENEFITS_CHANGE, pledge.org.path) or has_perm_at(
        actor, Perm.BENEFITS_CHANGE, pledge.owner_org.path
    )


def _pledge_for_report(actor: Any, pledge_pk: int) -> Pledge:
    current = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("org", "owner_org")
        .filter(pk=pledge_pk)
        .first()
    )
    if current is None or not _may_see(actor, current):
        raise NotFound(_("This pledge does not exist."))
    if not may_report(actor, current):
        raise Forbidden(_("You may look at this pledge but not report its progress."))
    return current


def _refresh(stale: Pledge, fresh: Pledge) -> None:
    for name in (*AUDITED_FIELDS, "org_id", "owner_org_id", "progress_value", "updated_at"):
        setattr(stale, name, getattr(fresh, name))


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_pledge(*, actor: Any, org: Org, data: PledgeData | Mapping[str, Any]) -> Pledge:
    """Add a pledge to `org`'s list for its year (unpublished: publish it when it is ready)."""
    org = publishing_org(actor, org)
    if isinstance(data, PledgeData):
        values: dict[str, Any] = {name: getattr(data, name) for name in FIELDS}
    else:
        values = {name: data.get(name) for name in FIELDS}
    errors = FieldErrors()
    cleaned = clean_pledge_fields(values, errors, org=org)
    if "year" in cleaned and "number" in cleaned:
        existing = _number_taken(org, cleaned["year"], cleaned["number"])
        if existing is not None:
            errors.add("number", _duplicate_message(existing))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            pledge = Pledge.objects.create(org=org, **cleaned)
    except IntegrityError:  # the same number taken a moment ago
        message = _("This number has just been taken. Choose another number.")
        raise ValidationFailed(message, fields={"number": [message]}) from None
    record_audit(
        actor=actor,
        action="benefits.create_pledge",
        obj=pledge,
        changes={key: [None, value] for key, value in snapshot(pledge, AUDITED_FIELDS).items()},
    )
    return pledge


@transaction.atomic
def update_pledge(pledge: Pledge, *, actor: Any, changes: Mapping[str, Any]) -> bool:
    """Change the fields named in `changes` (see FIELDS); returns whether anything changed.
    The year can change only while no progress update is dated before the new year."""
    current = _pledge_for_change(actor, pledge)
    errors = FieldErrors()
    cleaned = clean_pledge_fields(dict(changes), errors, org=current.org)
    year = cleaned.get("year", current.year)
    number = cleaned.get("number", current.number)
    if (year, number) != (current.year, current.number):
        existing = _number_taken(current.org, year, number, exclude=current.pk)
        if existing is not None:
            errors.add("number", _duplicate_message(existing))
    if year != current.year:
        earliest = PledgeUpdate.objects.filter(pledge=current).order_by("reported_on").first()
        if earliest is not None and earliest.reported_on < date(year, 1, 1):
            errors.add(
                "year",
                _("A progress update is dated %(date)s, before %(year)s: the year cannot change.")
                % {"date": earliest.reported_on.isoformat(), "year": year},
            )
    errors.raise_if_any()
    before = snapshot(current, AUDITED_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    diff = changes_between(before, snapshot(current, AUDITED_FIELDS))
    if not diff:
        return False
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        message = _("This number has just been taken. Choose another number.")
        raise ValidationFailed(message, fields={"number": [message]}) from None
    record_audit(actor=actor, action="benefits.update_pledge", obj=current, changes=diff)
    _refresh(pledge, current)
    return True


def _set_published(pledge: Pledge, *, actor: Any, published: bool) -> bool:
    current = _pledge_for_change(actor, pledge)
    if current.is_published == published:
        return False
    current.is_published = published
    current.save(update_fields=["is_published", "updated_at"])
    record_audit(
        actor=actor,
        action="benefits.publish_pledge" if published else "benefits.unpublish_pledge",
        obj=current,
        changes={"is_published": [not published, published]},
    )
    _refresh(pledge, current)
    return True


@transaction.atomic
def publish_pledge(pledge: Pledge, *, actor: Any) -> bool:
    """Show the pledge in the portal; returns whether it was hidden before."""
    return _set_published(pledge, actor=actor, published=True)


@transaction.atomic
def unpublish_pledge(pledge: Pledge, *, actor: Any) -> bool:
    """Take the pledge off the portal; returns whether it was shown before."""
    return _set_published(pledge, actor=actor, published=False)


@transaction.atomic
def delete_pledge(pledge: Pledge, *, actor: Any) -> None:
    """Delete a pledge that was never acted on: unpublished and without progress updates."""
    current = _pledge_for_change(actor, pledge)
    if current.is_published:
        raise Conflict(_("This pledge is published. Take it off the portal before deleting it."))
    if PledgeUpdate.objects.filter(pledge=current).exists():
        raise Conflict(_("This pledge has progress updates; it cannot be deleted."))
    record_audit(
        actor=actor,
        action="benefits.delete_pledge",
        obj=current,
        changes={key: [value, None] for key, value in snapshot(current, AUDITED_FIELDS).items()},
    )
    current.delete()


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------


def _ordered(updates: Any) -> Any:
    return updates.order_by("-reported_on", "-id")


def _recompute(pledge: Pledge) -> Decimal:
    """Set the (locked) pledge's progress to the value of its latest update; returns it."""
    latest = _ordered(PledgeUpdate.objects.filter(pledge=pledge)).values_list("value", flat=True).first()
    value = latest if latest is not None else Decimal("0.00")
    if value != pledge.progress_value:
        pledge.progress_value = value
        pledge.save(update_fields=["progress_value", "updated_at"])
    return value


@transaction.atomic
def add_pledge_update(
    pledge: Pledge, *, actor: Any, reported_on: date | None, value: Decimal | str | int, note: str = ""
) -> PledgeUpdate:
    """Report the cumulative value reached by `reported_on` and what was done. A value lower than
    the report before it (by date) is a correction: the note must say why."""
    current = _pledge_for_report(actor, pledge.pk)
    errors = FieldErrors()
    today = timezone.localdate()
    if not isinstance(reported_on, date):
        errors.add("reported_on", _("Enter the date of the report."))
    elif reported_on > today:
        errors.add("reported_on", _("The date cannot be in the future."))
    elif reported_on < date(current.year, 1, 1):
        errors.add(
            "reported_on",
            _("The pledge is for %(year)s: the date cannot be before 1 January %(year)s.")
            % {"year": current.year},
        )
    amount: Decimal | None = None
    try:
        amount = parse_quantity(value)
    except ValueError as exc:
        errors.add("value", str(exc))
    note = _clean_text(note, "note", errors, max_length=NOTE_MAX)
    if amount is not None and isinstance(reported_on, date) and "reported_on" not in errors.fields:
        before = _ordered(PledgeUpdate.objects.filter(pledge=current, reported_on__lte=reported_on)).first()
        if before is not None and amount < before.value and not note:
            errors.add(
                "note",
                _(
                    "The value is lower than the %(value)s reported on %(date)s. "
                    "If this corrects an earlier report, say so in the note."
                )
                % {"value": _plain(before.value), "date": before.reported_on.isoformat()},
            )
    errors.raise_if_any()
    assert amount is not None
    assert isinstance(reported_on, date)
    update = PledgeUpdate.objects.create(
        pledge=current, reported_on=reported_on, value=amount, note=note, actor=actor
    )
    before_progress = current.progress_value
    after_progress = _recompute(current)
    record_audit(
        actor=actor,
        action="benefits.add_pledge_update",
        obj=current,
        changes={
            "update": [None, update.pk],
            "reported_on": [None, reported_on.isoformat()],
            "value": [None, str(amount)],
            "progress_value": [str(before_progress), str(after_progress)],
        },
        note=note,
    )
    pledge.progress_value = after_progress
    return update


@transaction.atomic
def delete_pledge_update(update: PledgeUpdate, *, actor: Any) -> Decimal:
    """Withdraw a progress report; the pledge's progress becomes that of the latest one left.
    Returns the new progress value."""
    found = PledgeUpdate.objects.filter(pk=update.pk).values_list("pledge_id", flat=True).first()
    if found is None:
        raise NotFound(_("This progress update does not exist."))
    current = _pledge_for_report(actor, found)
    row = PledgeUpdate.objects.filter(pk=update.pk, pledge=current).first()
    if row is None:  # deleted by someone else while we waited for the lock
        raise NotFound(_("This progress update does not exist."))
    before_progress = current.progress_value
    facts = {"reported_on": row.reported_on.isoformat(), "value": str(row.value)}
    row.delete()
    after_progress = _recompute(current)
    record_audit(
        actor=actor,
        action="benefits.delete_pledge_update",
        obj=current,
        changes={
            "update": [update.pk, None],
            "reported_on": [facts["reported_on"], None],
            "value": [facts["value"], None],
            "progress_value": [str(before_progress), str(after_progress)],
        },
    )
    return after_progress


def _plain(value: Decimal, *, grouped: bool = False) -> str:
    """120.00 → "120", 2.50 → "2.5"; grouped: 20000 → "20,000"."""
    text = f"{value:,f}" if grouped else f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain_quantity(value: Decimal, *, grouped: bool = False) -> str:
    return _plain(value, grouped=grouped)


# --------------------------------------------------------------------------------------------
# Public reading (portal and API): published pledges only
# --------------------------------------------------------------------------------------------

OTHER_PUBLISHERS_MAX = 50


@dataclass(frozen=True)
class PublicListing:
    """The published pledges of `publishers` (the root federation(s), or the one federation
    asked for) for `year`, with the years that have any and the other federations that
    published pledges that year."""

    publishers: list[Org]
    org: Org | None  # the federation asked for; None for the root federation(s)
    year: int
    years: list[int]
    pledges: list[Pledge]  # each with `update_list`, latest first
    others: list[Org]


def _with_updates(rows: PledgeQuerySet) -> PledgeQuerySet:
    return rows.select_related("org", "owner_org").prefetch_related(
        Prefetch(
            "updates",
            queryset=PledgeUpdate.objects.order_by("-reported_on", "-id"),
            to_attr="update_list",
        )
    )


def public_listing(*, org_id: int | None = None, year: int | None = None) -> PublicListing:
    """What the public pledge page and `GET /api/v1/benefits/pledges` show. Without a year: the
    current year when it has published pledges (or none has any), else the latest that has.
    NotFound for an `org_id` that is no federation."""
    if org_id is not None:
        org = Org.objects.filter(pk=org_id, kind=OrgKind.FEDERATION).first()
        if org is None:
            raise NotFound(_("No such federation."))
        publishers = [org]
    else:
        org = None
        publishers = list(Org.objects.filter(depth=1).order_by("path"))
    published = Pledge.objects.published().filter(org__in=publishers)
    years = sorted(set(published.values_list("year", flat=True)), reverse=True)
    if year is None:
        this_year = current_year()
        year = this_year if this_year in years or not years else years[0]
    pledges = list(_with_updates(published.filter(year=year)).order_by("org__path", "number", "id"))
    others = list(
        Org.objects.filter(
            pk__in=Pledge.objects.published().filter(year=year).values("org_id"),
        )
        .exclude(pk__in=[publisher.pk for publisher in publishers])
        .order_by("path")[:OTHER_PUBLISHERS_MAX]
    )
    return PublicListing(
        publishers=publishers, org=org, year=year, years=years, pledges=pledges, others=others
    )


def public_pledge(pk: int) -> Pledge:
    """One published pledge with its `update_list`; NotFound for any other."""
    pledge = _with_updates(Pledge.objects.published().filter(pk=pk)).first()
    if pledge is None:
        raise NotFound(_("This pledge does not exist."))
    return pledge
