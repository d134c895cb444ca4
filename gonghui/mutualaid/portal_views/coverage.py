"""Member portal pages of mutual aid: my coverage (互助保障), the landing page.

It also holds the reads of a member's own mutual aid data that the portal's claim pages and the
member API (api/member.py) share, so that the two can never disagree: a person's data is found
from the ID blind indexes of the memberships linked to the signed-in account (the same test the
claims service uses for "own claim"), never from an id the client sends, so there is nothing to
scope and another person's claim is simply not found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import NotFound
from gonghui.members.models import Member
from gonghui.members.services.selfservice import current_membership
from gonghui.mutualaid.models import (
    CAP_STATUSES,
    AidClaim,
    AidClaimStatus,
    AidPlanStatus,
    BenefitRule,
    ClaimType,
    Enrolment,
)
from gonghui.mutualaid.payout import Band, parse_bands, percent, yuan

ZERO = Decimal("0.00")


# --- the member's own data -------------------------------------------------------------------------


def person_indexes(user: User) -> QuerySet[Member, Any]:
    """The ID blind indexes of the people whose membership is linked to `user` (a subquery)."""
    return Member.objects.filter(user=user).values("id_number_index")


def my_enrolments(user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(person_index__in=person_indexes(user))
        .select_related("plan", "plan__org", "org")
        .order_by("-plan__year", "-plan__coverage_start", "-pk")
    )


def my_claims(user: User) -> QuerySet[AidClaim]:
    return (
        AidClaim.objects.filter(person_index__in=person_indexes(user))
        .select_related("plan")
        .order_by("-created_at", "-pk")
    )


def get_my_claim(user: User, pk: int) -> AidClaim:
    """One of the person's own claims, with what its page shows; NotFound for any other id."""
    claim = (
        my_claims(user)
        .select_related("plan__org", "org", "rule")
        .prefetch_related("lines", "attachments", "history")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise NotFound(_("The claim was not found."))
    return claim


def open_enrolments(user: User) -> list[Enrolment]:
    """The person's enrolments in plans in force: those they can claim under online."""
    return [enrolment for enrolment in my_enrolments(user) if enrolment.plan.status == AidPlanStatus.OPEN]


# --- the rules in plain words ----------------------------------------------------------------------


def _band_words(bands: tuple[Band, ...]) -> list[str]:
    if len(bands) == 1:
        return [_("%(rate)s of the costs above the deductible") % {"rate": percent(bands[0].rate)}]
    words: list[str] = []
    lower: Decimal | None = None
    for band in bands:
        values = {
            "rate": percent(band.rate),
            "lower": yuan(lower or ZERO),
            "upper": yuan(band.up_to) if band.up_to is not None else "",
        }
        if lower is None:
            words.append(_("%(rate)s of the first %(upper)s yuan above the deductible") % values)
        elif band.up_to is None:
            words.append(_("%(rate)s of everything more than %(lower)s yuan above it") % values)
        else:
            words.append(_("%(rate)s of the part from %(lower)s to %(upper)s yuan above it") % values)
        lower = band.up_to
    return words


def rule_summary(rule: BenefitRule) -> list[str]:
    """What the rule pays, in sentences a member understands (amounts with 2 decimals)."""
    lines: list[str] = []
    if rule.deductible:
        lines.append(
            _("You pay the first %(deductible)s yuan of the eligible costs yourself (the deductible).")
            % {"deductible": yuan(rule.deductible)}
        )
    else:
        lines.append(_("There is no deductible: the mutual aid pays from the first yuan."))
    lines.append(
        _("The mutual aid pays %(bands)s.") % {"bands": _("; ").join(_band_words(parse_bands(rule.bands)))}
    )
    lines.append(
        _("At most %(claim)s yuan per claim and %(year)s yuan a year in all.")
        % {"claim": yuan(rule.per_claim_cap), "year": yuan(rule.per_year_cap)}
    )
    lines.append(
        _("The self-paid part of an invoice and costs not covered by the scheme are not reimbursed.")
    )
    return lines


# --- my coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeCoverage:
    """One claim type under one enrolment: the rule for today, the waiting period, the year so far."""

    claim_type: str
    label: str
    rule: BenefitRule
    in_force_from: date | None  # set when no version is in force yet today
    summary: list[str]
    covered_from: date  # the day the waiting period is over
    waiting_over: bool
    claims: int  # submitted and not rejected
    paid: Decimal  # paid to the member
    pending: Decimal  # checked, approved or in payment: reserved under the year cap
    room_left: Decimal  # what is left of the year cap

    # Amounts as the payout explanation writes them ("12,000.00"), whatever the locale's grouping.
    @property
    def paid_yuan(self) -> str:
        return yuan(self.paid)

    @property
    def pending_yuan(self) -> str:
        return yuan(self.pending)

    @property
    def room_left_yuan(self) -> str:
        return yuan(self.room_left)


@dataclass(frozen=True)
class PlanCoverage:
    enrolment: Enrolment
    in_force: bool
    types: list[TypeCoverage] = field(default_factory=list)


def _rule_for(rules: list[BenefitRule], day: date) -> tuple[BenefitRule, date | None] | None:
    """The version in force on `day` (the highest version from on or before it, as
    `services.plans.rule_in_force` picks it) or, when none is yet, the first one to come."""
    current = [rule for rule in rules if rule.effective_from <= day]
    if current:
        return max(current, key=lambda rule: rule.version), None
    if not rules:
        return None
    first = min(rules, key=lambda rule: (rule.effective_from, rule.version))
    return first, first.effective_from


Totals = dict[tuple[int, str, str], tuple[int, Decimal]]


def _total(totals: Totals, key: tuple[int, str], statuses: Iterable[str]) -> tuple[int, Decimal]:
    """(claims, payouts) of the plan and claim type `key` in `statuses`."""
    picked = [totals.get((*key, status), (0, ZERO)) for status in statuses]
    return sum(n for n, _amount in picked), sum((amount for _n, amount in picked), ZERO)


def my_coverage(user: User, today: date | None = None) -> list[PlanCoverage]:
    """The person's enrolments, plans in force first, each with its claim types. Three queries
    whatever the number of plans: enrolments, rules, and the claims summed per plan, type and status."""
    day = today or timezone.localdate()
    enrolments = list(my_enrolments(user))
    plan_ids = {enrolment.plan_id for enrolment in enrolments}
    rules: dict[tuple[int, str], list[BenefitRule]] = defaultdict(list)
    for rule in BenefitRule.objects.filter(plan_id__in=plan_ids):
        rules[(rule.plan_id, rule.claim_type)].append(rule)
    totals: Totals = {}
    rows = (
        AidClaim.objects.filter(person_index__in=person_indexes(user), plan_id__in=plan_ids)
        .values("plan_id", "claim_type", "status")
        .annotate(n=Count("pk"), total=Sum("payout"))
    )
    for row in rows:
        totals[(row["plan_id"], row["claim_type"], row["status"])] = (row["n"], row["total"] or ZERO)

    result: list[PlanCoverage] = []
    for enrolment in enrolments:
        plan = enrolment.plan
        in_force = plan.status == AidPlanStatus.OPEN
        on = min(max(day, plan.coverage_start), plan.coverage_end)
        types: list[TypeCoverage] = []
        for claim_type in ClaimType:
            found = _rule_for(rules.get((plan.pk, claim_type.value), []), on)
            if found is None:
                continue
            rule, in_force_from = found

            key = (plan.pk, claim_type.value)
            reserved = _total(totals, key, CAP_STATUSES)[1]
            paid = _total(totals, key, [AidClaimStatus.PAID])[1]
            claims = _total(totals, key, [s for s in AidClaimStatus if s != AidClaimStatus.REJECTED])[0]
            covered_from = enrolment.enrolled_on + timedelta(days=rule.waiting_days)
            types.append(
                TypeCoverage(
                    claim_type=claim_type.value,
                    label=str(claim_type.label),
                    rule=rule,
                    in_force_from=in_force_from,
                    summary=rule_summary(rule),
                    covered_from=covered_from,
                    waiting_over=day >= covered_from,
                    claims=claims,
                    paid=paid,
                    pending=reserved - paid,
                    room_left=max(rule.per_year_cap - reserved, ZERO),
                )
            )
        result.append(PlanCoverage(enrolment=enrolment, in_force=in_force, types=types))
    result.sort(key=lambda coverage: not coverage.in_force)  # stable: newest first within each
    return result


# --- the page --------------------------------------------------------------------------------------


@require_GET
@never_cache  # the year's figures change with every decision on a claim
@member_area
def coverage_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    coverages = my_coverage(user)
    membership = current_membership(user) if not coverages else None
    context = {
        "current": [coverage for coverage in coverages if coverage.in_force],
        "earlier": [coverage for coverage in coverages if not coverage.in_force],
        "membership": membership,
        "recent_claims": list(my_claims(user)[:3]),
        "can_claim": any(coverage.in_force for coverage in coverages),
        "nav_section": "services",
    }
    return render(request, "mutualaid/portal_coverage.html", context)


urlpatterns: list[URLPattern] = [
    path("mutualaid/", coverage_page, name="mutualaid"),
]
