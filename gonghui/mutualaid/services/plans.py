"""Plans and their benefit rules: every write, and the rule in force on a date.

All writes need MUTUALAID_MANAGE on the federation running the plan (a grant on it or above).
An actor who cannot even see the plan's mutual aid data (MUTUALAID_VIEW) gets NotFound, exactly
like for a plan that does not exist; one who can see it but not manage it gets Forbidden.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.money import MAX_AMOUNT, InvalidAmount, parse_money, to_money
from gonghui.core.text import normalize_text
from gonghui.mutualaid.models import (
    AID_PLAN_TRANSITIONS,
    MAX_NAME,
    MAX_NOTE,
    MAX_WAITING_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    AidPlan,
    AidPlanAction,
    AidPlanHistory,
    AidPlanStatus,
    BenefitRule,
    ClaimType,
)
from gonghui.mutualaid.payout import band_errors, bands_to_json, parse_bands
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

PLAN_FIELDS = ("org", "year", "name", "coverage_start", "coverage_end", "contribution_per_member", "status")
RULE_FIELDS = (
    "plan",
    "claim_type",
    "version",
    "effective_from",
    "deductible",
    "per_claim_cap",
    "per_year_cap",
    "waiting_days",
    "bands",
    "note",
)


# --- checks shared by the services -------------------------------------------------------------


def _require_manage(actor: Any, org: Org) -> None:
    """Permission first: NotFound when the actor cannot see mutual aid here, Forbidden when they
    can see it but not manage it."""
    if has_perm_at(actor, Perm.MUTUALAID_MANAGE, org.path):
        return
    if has_perm_at(actor, Perm.MUTUALAID_VIEW, org.path):
        raise Forbidden(_("You may not manage mutual aid plans of this organisation."))
    raise NotFound(_("The organisation was not found."))


def _managed_plan(plan: AidPlan | int, actor: Any) -> AidPlan:
    """The plan, locked for the rest of the transaction, after the permission check."""
    pk = plan.pk if isinstance(plan, AidPlan) else plan
    found = AidPlan.objects.select_for_update(of=("self",)).select_related("org").filter(pk=pk).first()
    if found is not None and has_perm_at(actor, Perm.MUTUALAID_MANAGE, found.org.path):
        return found
    if found is not None and has_perm_at(actor, Perm.MUTUALAID_VIEW, found.org.path):
        raise Forbidden(_("You may not manage this mutual aid plan."))
    raise NotFound(_("The mutual aid plan was not found."))


def _money(errors: FieldErrors, field: str, value: Decimal | str | None) -> Decimal | None:
    """An amount typed by a person (str) or given exactly (Decimal): 0 or more, at most 2 places."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(field, _("This field is required."))
        return None
    try:
        if isinstance(value, str):
            return parse_money(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidAmount("format")
        if value < 0:
            raise InvalidAmount("negative")
        if value > MAX_AMOUNT:
            raise InvalidAmount("too_large")
        if to_money(value) != value:
            raise InvalidAmount("precision")
        return to_money(value)
    except InvalidAmount as exc:
        errors.add(field, exc.message)
        return None


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _is_day(value: object) -> bool:
    """A calendar date (a datetime is a date subclass, but not one)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def _a_year_after(day: date) -> date:
    """The same day a year later (29 February → 1 March): a plan's coverage ends before it."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def _history(plan: AidPlan, action: str, before: str, actor: Any) -> None:
    AidPlanHistory.objects.create(
        plan=plan, action=action, from_status=before, to_status=plan.status, actor=actor
    )


# --- plans ---------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    org: Org,
    year: int,
    name: str,
    coverage_start: date,
    coverage_end: date,
    contribution_per_member: Decimal | str,
    actor: Any,
) -> AidPlan:
    """A draft plan of the federation `org` for `year`. Rules are added with `add_rule_version`,
    then the plan is opened (`open_plan`)."""
    _require_manage(actor, org)
    errors = FieldErrors()
    if org.kind != OrgKind.FEDERATION:
        errors.add("org", _("Only a federation of unions runs a mutual aid plan."))
    elif not org.is_active:
        errors.add("org", _("A dissolved organisation cannot run a mutual aid plan."))
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        errors.add("year", _("Enter a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR})
    name = normalize_text(name or "")
    if not name:
        errors.add("name", _("This field is required."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("Enter at most %(limit)s characters.") % {"limit": MAX_NAME})
    elif AidPlan.objects.filter(org=org, year=year, name=name).exists():
        errors.add("name", _("This organisation already has a plan with this name for this year."))
    for field, value in (("coverage_start", coverage_start), ("coverage_end", coverage_end)):
        if not _is_day(value):
            errors.add(field, _("Enter a valid date."))
    if _is_day(coverage_start) and _is_day(coverage_end):
        if coverage_end < coverage_start:
            errors.add("coverage_end", _("The coverage cannot end before it starts."))
        elif coverage_end >= _a_year_after(coverage_start):
            errors.add("coverage_end", _("A plan covers one year at most."))
    contribution = _money(errors, "contribution_per_member", contribution_per_member)
    errors.raise_if_any()
    assert contribution is not None
    try:
        with transaction.atomic():
            plan = AidPlan.objects.create(
                org=org,
                year=year,
                name=name,
                coverage_start=coverage_start,
                coverage_end=coverage_end,
                contribution_per_member=contribution,
                status=AidPlanStatus.DRAFT,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:  # the same name saved by someone else a moment ago
        message = _("This organisation already has a plan with this name for this year.")
        raise ValidationFailed(message, fields={"name": [message]}) from None
    _history(plan, AidPlanAction.CREATE, "", actor)
    after = snapshot(plan, PLAN_FIELDS)
    record_audit(
        actor=actor,
        action="mutualaid.create_plan",
        obj=plan,
        changes={key: [None, value] for key, value in after.items()},
    )
    return plan


def _transition(plan: AidPlan | int, action: str, *, actor: Any) -> AidPlan:
    found = _managed_plan(plan, actor)
    transition = AID_PLAN_TRANSITIONS.require(action, found.status)
    if action == AidPlanAction.OPEN and not found.rules.exists():
        raise Conflict(_("Add at least one benefit rule before opening the plan."))
    before = found.status
    found.status = transition.target
    found.save(update_fields=["status", "updated_at"])
    _history(found, action, before, actor)
    record_audit(
        actor=actor, action=f"mutualaid.{action}_plan", obj=found, changes={"status": [before, found.status]}
    )
    return found


@transaction.atomic
def open_plan(plan: AidPlan | int, *, actor: Any) -> AidPlan:
    """Draft → open: from now on unions can enrol members and claims can be made."""
    return _transition(plan, AidPlanAction.OPEN, actor=actor)


@transaction.atomic
def close_plan(plan: AidPlan | int, *, actor: Any) -> AidPlan:
    """Open → closed: no new rule versions; the rules stay for recomputing past claims."""
    return _transition(plan, AidPlanAction.CLOSE, actor=actor)


# --- rules ---------------------------------------------------------------------------------------


@transaction.atomic
def add_rule_version(
    plan: AidPlan | int,
    *,
    claim_type: str,
    effective_from: date,
    deductible: Decimal | str,
    per_claim_cap: Decimal | str,
    per_year_cap: Decimal | str,
    waiting_days: int,
    bands: list[dict[str, Any]],
    note: str = "",
    actor: Any,
) -> BenefitRule:
    """The next version of the plan's rule for `claim_type` (version 1 when there is none).

    Rules are append-only: this is also how a rule is "edited". The new version is in force for
    treatment from `effective_from` on, which lies in the coverage period and not before the
    previous version's; claims treated earlier keep the version that was in force then.
    """
    found = _managed_plan(plan, actor)
    if found.status == AidPlanStatus.CLOSED:
        raise Conflict(_("The plan is closed: its rules can no longer change."))
    errors = FieldErrors()
    if claim_type not in ClaimType.values:
        errors.add("claim_type", _("Choose one of the claim types."))
    values = {
        "deductible": _money(errors, "deductible", deductible),
        "per_claim_cap": _money(errors, "per_claim_cap", per_claim_cap),
        "per_year_cap": _money(errors, "per_year_cap", per_year_cap),
    }
    claim_cap, year_cap = values["per_claim_cap"], values["per_year_cap"]
    if claim_cap is not None and year_cap is not None and claim_cap > year_cap:
        errors.add("per_claim_cap", _("The limit per claim cannot be higher than the limit per year."))
    if (
        not isinstance(waiting_days, int)
        or isinstance(waiting_days, bool)
        or not 0 <= waiting_days <= MAX_WAITING_DAYS
    ):
        errors.add(
            "waiting_days", _("Enter a whole number of days from 0 to %(max)s.") % {"max": MAX_WAITING_DAYS}
        )
    for field, messages in band_errors(bands).items():
        for message in messages:
            errors.add(field, message)
    note = normalize_text(note or "")
    if len(note) > MAX_NOTE:
        errors.add("note", _("Enter at most %(limit)s characters.") % {"limit": MAX_NOTE})
    previous = None
    if claim_type in ClaimType.values:
        previous = BenefitRule.objects.for_claim_type(found, claim_type).order_by("-version").first()
    if not _is_day(effective_from):
        errors.add("effective_from", _("Enter a valid date."))
    elif not found.covers(effective_from):
        errors.add(
            "effective_from",
            _("The date must lie in the plan's coverage period, %(start)s to %(end)s.")
            % {"start": _day(found.coverage_start), "end": _day(found.coverage_end)},
        )
    elif previous is not None and effective_from < previous.effective_from:
        errors.add(
            "effective_from",
            _("Version %(version)s takes effect on %(date)s: a new version cannot take effect before it.")
            % {"version": previous.version, "date": _day(previous.effective_from)},
        )
    errors.raise_if_any()
    version = (previous.version if previous is not None else 0) + 1
    try:
        with transaction.atomic():
            rule = BenefitRule.objects.create(
                plan=found,
                claim_type=claim_type,
                version=version,
                effective_from=effective_from,
                waiting_days=waiting_days,
                bands=bands_to_json(parse_bands(bands)),
                note=note,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **values,
            )
    except IntegrityError:  # cannot happen while the plan row is locked; said clearly if it does
        raise Conflict(
            _("Someone else added a version of this rule at the same moment. Try again.")
        ) from None
    after = snapshot(rule, RULE_FIELDS)
    record_audit(
        actor=actor,
        action="mutualaid.add_rule_version",
        obj=rule,
        org=found.org,
        changes={key: [None, value] for key, value in after.items()},
        note=note,
    )
    return rule


def rule_in_force(plan: AidPlan | int, claim_type: str, on: date) -> BenefitRule:
    """The version of the plan's rule for `claim_type` in force for treatment on `on`: the
    highest version whose effective_from is on or before that date. NotFound, saying why, when
    the date is outside the coverage period or no version was in force yet.

    A read for the claims services (which have already checked the actor); officers' pages read
    rules through `visible(BenefitRule, user, Perm.MUTUALAID_VIEW)`.
    """
    found = plan if isinstance(plan, AidPlan) else AidPlan.objects.filter(pk=plan).first()
    if found is None:
        raise NotFound(_("The mutual aid plan was not found."))
    if claim_type not in ClaimType.values:
        raise NotFound(_("Unknown claim type."))
    label = ClaimType(claim_type).label
    if not found.covers(on):
        raise NotFound(
            _("The date of treatment %(date)s is outside the plan's coverage period, %(start)s to %(end)s.")
            % {"date": _day(on), "start": _day(found.coverage_start), "end": _day(found.coverage_end)}
        )
    rules = BenefitRule.objects.for_claim_type(found, claim_type)
    rule = rules.filter(effective_from__lte=on).order_by("-version").first()
    if rule is not None:
        return rule
    first = rules.order_by("effective_from", "version").values_list("effective_from", flat=True).first()
    if first is None:
        raise NotFound(_("The plan has no benefit rule for %(type)s.") % {"type": label})
    raise NotFound(
        _("No benefit rule for %(type)s was in force on %(date)s: the first one takes effect on %(first)s.")
        % {"type": label, "date": _day(on), "first": _day(first)}
    )
