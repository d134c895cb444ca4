"""Console pages of mutual aid: plans and their benefit rules.

The list by year and a plan's page (its rules per claim type, every version, the one in force
today, the plan's history and the open / close steps) read through
`visible(AidPlan, user, Perm.MUTUALAID_VIEW)`. Creating a plan, opening or closing it and adding
a rule version need MUTUALAID_MANAGE on the federation running it; the services check again.
A plan's money terms are never edited in place: a rule changes by a new version, and the
services offer no change of a plan's contribution once it exists. Thin: parse, call one
service, render.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.mutualaid.models import (
    AID_PLAN_TRANSITIONS,
    MAX_NAME,
    MAX_NOTE,
    MAX_WAITING_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    AidPlan,
    AidPlanStatus,
    BenefitRule,
    ClaimType,
)
from gonghui.mutualaid.payout import percent, yuan
from gonghui.mutualaid.services import plans as services
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

PAGE_SIZE = 50
TAB = "plans"
# Rows offered for reimbursement bands (real plans have one to four), and always one more than the
# latest version has, so that a rule with many bands (the API takes up to 20) is never cut short.
BAND_ROWS = 6


def _federations(user: User) -> QuerySet[Org]:
    """The federations whose plans the user manages."""
    return (
        visible(Org, user, Perm.MUTUALAID_MANAGE)
        .filter(kind=OrgKind.FEDERATION, status=OrgStatus.ACTIVE)
        .order_by("path")
    )


def _plans(user: User) -> QuerySet[AidPlan]:
    return visible(AidPlan, user, Perm.MUTUALAID_VIEW).select_related("org")


# --------------------------------------------------------------------------------------------
# Showing rules
# --------------------------------------------------------------------------------------------


def band_lines(bands: Sequence[dict[str, Any]]) -> list[str]:
    """A rule's bands as people read them: "起付线以上 10,000.00 元以内部分：报销 50%"."""
    lines: list[str] = []
    lower = Decimal("0")
    for band in bands:
        rate = percent(Decimal(str(band["rate"])))
        up_to = band.get("up_to")
        if up_to is None:
            if lower:
                lines.append(
                    _("Above %(lower)s yuan over the deductible: %(rate)s reimbursed")
                    % {"lower": yuan(lower), "rate": rate}
                )
            else:
                lines.append(_("Everything above the deductible: %(rate)s reimbursed") % {"rate": rate})
            break
        upper = Decimal(str(up_to))
        values = {"lower": yuan(lower), "upper": yuan(upper), "rate": rate}
        if lower:
            lines.append(_("%(lower)s–%(upper)s yuan over the deductible: %(rate)s reimbursed") % values)
        else:
            lines.append(_("Up to %(upper)s yuan over the deductible: %(rate)s reimbursed") % values)
        lower = upper
    return lines


def band_summary(bands: Sequence[dict[str, Any]]) -> list[str]:
    """The bands in a table cell: "≤ 10,000.00 元：50%", "10,000.00–30,000.00 元：60%" …"""
    lines: list[str] = []
    lower = Decimal("0")
    for band in bands:
        rate = percent(Decimal(str(band["rate"])))
        up_to = band.get("up_to")
        if up_to is None:
            if lower:
                lines.append(_("above %(lower)s yuan: %(rate)s") % {"lower": yuan(lower), "rate": rate})
            else:
                lines.append(_("all: %(rate)s") % {"rate": rate})
            break
        values = {"lower": yuan(lower), "upper": yuan(Decimal(str(up_to))), "rate": rate}
        if lower:
            lines.append(_("%(lower)s–%(upper)s yuan: %(rate)s") % values)
        else:
            lines.append(_("up to %(upper)s yuan: %(rate)s") % values)
        lower = Decimal(str(up_to))
    return lines


def _rule_row(rule: BenefitRule, in_force: BenefitRule | None) -> dict[str, Any]:
    return {
        "rule": rule,
        "bands": band_lines(rule.bands),
        "summary": band_summary(rule.bands),
        "in_force": in_force is not None and rule.pk == in_force.pk,
    }


def _rule_sections(user: User, plan: AidPlan, today: date) -> list[dict[str, Any]]:
    """For each claim type: every version (latest first), the one in force today, and why none
    is when none is."""
    rules = list(
        visible(BenefitRule, user, Perm.MUTUALAID_VIEW)
        .filter(plan=plan)
        .select_related("created_by")
        .order_by("claim_type", "-version")
    )
    sections = []
    for claim_type in ClaimType:
        versions = [rule for rule in rules if rule.claim_type == claim_type]
        in_force: BenefitRule | None = None
        why_none = ""
        if versions:
            try:
                in_force = services.rule_in_force(plan, claim_type, today)
            except NotFound as exc:
                why_none = exc.message
        sections.append(
            {
                "claim_type": claim_type,
                "label": claim_type.label,
                "versions": [_rule_row(rule, in_force) for rule in versions],
                "in_force": _rule_row(in_force, in_force) if in_force is not None else None,
                "why_none": why_none,
            }
        )
    return sections


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(year), str(year)) for year in years]


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        **kwargs,
    )


def _amount_field(label: Any, **kwargs: Any) -> CleanCharField:
    return CleanCharField(
        label=label, max_length=24, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs
    )


class PlanForm(forms.Form):
    org = forms.ModelChoiceField(
        label=gettext_lazy("Federation"),
        queryset=Org.objects.none(),
        help_text=gettext_lazy("The federation that runs the plan and pays the claims."),
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    name = CleanCharField(label=gettext_lazy("Plan name"), max_length=MAX_NAME)
    coverage_start = _date_field(gettext_lazy("Coverage starts"))
    coverage_end = _date_field(
        gettext_lazy("Coverage ends"), help_text=gettext_lazy("At most one year after the start.")
    )
    contribution_per_member = _amount_field(
        gettext_lazy("Contribution per member (yuan)"),
        help_text=gettext_lazy("What a union pays for each member it enrols, e.g. 60.00."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["org"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = _federations(user)


class RuleForm(forms.Form):
    effective_from = _date_field(
        gettext_lazy("Effective from"),
        help_text=gettext_lazy("Treatment on or after this day is paid by this version."),
    )
    deductible = _amount_field(gettext_lazy("Deductible (yuan)"))
    per_claim_cap = _amount_field(gettext_lazy("Limit per claim (yuan)"))
    per_year_cap = _amount_field(gettext_lazy("Limit per year (yuan)"))
    waiting_days = forms.IntegerField(
        label=gettext_lazy("Waiting period (days)"),
        min_value=0,
        max_value=MAX_WAITING_DAYS,
        help_text=gettext_lazy("Days after enrolment before treatment is covered; 0 for none."),
    )
    note = CleanCharField(
        label=gettext_lazy("Reason for this version"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("For example the meeting decision that changed the terms."),
    )

    def __init__(self, *args: Any, rows: int = BAND_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for index in range(rows):
            number = index + 1
            self.fields[f"up_to_{index}"] = CleanCharField(
                label=_("Band %(number)s: up to (yuan above the deductible)") % {"number": number},
                max_length=24,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"rate_{index}"] = CleanCharField(
                label=_("Band %(number)s: rate (decimal, 0.50 = 50%%)") % {"number": number},
                max_length=12,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        # Which form row each band sent to the service came from (blank rows are left out).
        self.band_positions: list[int] = []

    @property
    def regular_fields(self) -> list[forms.BoundField]:
        names = ("effective_from", "deductible", "per_claim_cap", "per_year_cap", "waiting_days", "note")
        return [self[name] for name in names]

    @property
    def band_rows(self) -> list[dict[str, Any]]:
        return [
            {"number": index + 1, "up_to": self[f"up_to_{index}"], "rate": self[f"rate_{index}"]}
            for index in range(self.rows)
        ]

    def bands(self) -> list[dict[str, Any]]:
        """The filled rows as the service takes them; an empty upper limit is the open-ended band.
        What is wrong with them is for `band_errors`, behind the service, to say."""
        bands: list[dict[str, Any]] = []
        self.band_positions = []
        for index in range(self.rows):
            up_to = self.cleaned_data.get(f"up_to_{index}") or ""
            rate = self.cleaned_data.get(f"rate_{index}") or ""
            if not up_to and not rate:
                continue
            bands.append({"up_to": _plain_amount(up_to) if up_to else None, "rate": rate or None})
            self.band_positions.append(index)
        return bands

    def aliases(self) -> dict[str, str]:
        """The service's field paths ("bands.1.rate") → this form's fields ("rate_3")."""
        aliases = {}
        for position, index in enumerate(self.band_positions):
            aliases[f"bands.{position}.up_to"] = f"up_to_{index}"
            aliases[f"bands.{position}.rate"] = f"rate_{index}"
            aliases[f"bands.{position}"] = f"rate_{index}"
        return aliases


def _plain_amount(text: str) -> str:
    """ "10,000" or "¥10000元" as "10000.00"; anything else as typed, for the service to refuse."""
    try:
        return str(parse_money(text))
    except InvalidAmount:
        return text


def _rule_initial(plan: AidPlan, latest: BenefitRule | None, today: date) -> dict[str, Any]:
    """A new version starts from the latest one's terms, from today (within the coverage)."""
    start = min(max(today, plan.coverage_start), plan.coverage_end)
    if latest is None:
        return {"effective_from": start, "waiting_days": 0}
    initial: dict[str, Any] = {
        "effective_from": max(start, latest.effective_from),
        "deductible": latest.deductible,
        "per_claim_cap": latest.per_claim_cap,
        "per_year_cap": latest.per_year_cap,
        "waiting_days": latest.waiting_days,
    }
    for index, band in enumerate(latest.bands):
        initial[f"up_to_{index}"] = band.get("up_to") or ""
        initial[f"rate_{index}"] = band.get("rate") or ""
    return initial


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not holding(Perm.MUTUALAID_VIEW)(user):
        if holding(Perm.MEMBER_CHANGE)(user):
            # A union officer's part of mutual aid is enrolling their members.
            return redirect("console:mutualaid:enrolment_list")
        raise Http404
    scoped = _plans(user)
    this_year = timezone.localdate().year
    years = sorted({this_year, *scoped.values_list("year", flat=True).distinct()}, reverse=True)
    form = YearForm(request.GET or None, years=years)
    year = this_year
    if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = scoped.filter(year=year).order_by("org__path", "name", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "year": year,
        "page_obj": page,
        "plans": page.object_list,
        "may_create": _federations(user).exists(),
        "tab": TAB,
    }
    return render(request, "mutualaid/plan_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not holding(Perm.MUTUALAID_MANAGE)(user):
        raise Http404
    if request.method == "POST":
        form = PlanForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.create_plan(
                    org=data["org"],
                    year=data["year"],
                    name=data["name"],
                    coverage_start=data["coverage_start"],
                    coverage_end=data["coverage_end"],
                    contribution_per_member=data["contribution_per_member"],
                    actor=user,
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The plan has been created as a draft. Add its benefit rules, then open it.")
                )
                return redirect("console:mutualaid:plan_detail", pk=plan.pk)
    else:
        year = timezone.localdate().year
        first = _federations(user).first()
        form = PlanForm(
            user=user,
            initial={
                "org": first.pk if first is not None else None,
                "year": year,
                "name": _("%(year)s workers' medical mutual aid plan") % {"year": year},
                "coverage_start": date(year, 1, 1),
                "coverage_end": date(year, 12, 31),
            },
        )
    status = 422 if form.errors else 200
    return render(request, "mutualaid/plan_form.html", {"form": form, "tab": TAB}, status=status)


def _may_manage(user: User, plan: AidPlan) -> bool:
    return has_perm_at(user, Perm.MUTUALAID_MANAGE, plan.org.path)


@require_GET
@officer_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    plan = get_visible(_plans(user), user, Perm.MUTUALAID_VIEW, pk=pk)
    today = timezone.localdate()
    may_manage = _may_manage(user, plan)
    actions = [
        transition
        for transition in AID_PLAN_TRANSITIONS.available(plan.status)
        if has_perm_at(user, transition.perm, plan.org.path)
    ]
    context = {
        "plan": plan,
        "today": today,
        "sections": _rule_sections(user, plan, today),
        "may_manage": may_manage,
        "may_add_rules": may_manage and plan.status != AidPlanStatus.CLOSED,
        "actions": actions,
        "history": plan.history.select_related("actor").order_by("created_at", "id"),
        "enrolled": plan.enrolments.count(),
        "review_rate": percent(plan.second_review_rate),
        "tab": TAB,
    }
    return render(request, "mutualaid/plan_detail.html", context)


def _step(request: HttpRequest, pk: int, step: Callable[..., AidPlan], done: str) -> HttpResponse:
    user = signed_in_user(request)
    plan = get_visible(AidPlan, user, Perm.MUTUALAID_VIEW, pk=pk)
    try:
        step(plan, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("console:mutualaid:plan_detail", pk=plan.pk)


@require_POST
@officer_required
def plan_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, services.open_plan, _("The plan is in force: unions can now enrol their members.")
    )


@require_POST
@officer_required
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.close_plan,
        _("The plan has been closed. Its rules stay for recomputing past claims."),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def rule_new(request: HttpRequest, pk: int, claim_type: str) -> HttpResponse:
    user = signed_in_user(request)
    plan = get_visible(AidPlan.objects.select_related("org"), user, Perm.MUTUALAID_MANAGE, pk=pk)
    if claim_type not in ClaimType.values:
        raise Http404
    kind = ClaimType(claim_type)
    latest = BenefitRule.objects.for_claim_type(plan, kind).order_by("-version").first()
    rows = max(BAND_ROWS, len(latest.bands) + 1) if latest is not None else BAND_ROWS
    today = timezone.localdate()
    if request.method == "POST":
        form = RuleForm(request.POST, rows=rows)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rule = services.add_rule_version(
                    plan,
                    claim_type=kind,
                    effective_from=data["effective_from"],
                    deductible=data["deductible"],
                    per_claim_cap=data["per_claim_cap"],
                    per_year_cap=data["per_year_cap"],
                    waiting_days=data["waiting_days"],
                    bands=form.bands(),
                    note=data["note"] or "",
                    actor=user,
                )
            except DomainError as exc:
                show_domain_error(form, exc, form.aliases())
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the rule for %(type)s has been saved.")
                    % {"version": rule.version, "type": kind.label},
                )
                return redirect("console:mutualaid:plan_detail", pk=plan.pk)
    else:
        form = RuleForm(initial=_rule_initial(plan, latest, today), rows=rows)
    context = {
        "plan": plan,
        "claim_type": kind,
        "latest": _rule_row(latest, None) if latest is not None else None,
        "next_version": latest.version + 1 if latest is not None else 1,
        "form": form,
        "tab": TAB,
    }
    return render(request, "mutualaid/rule_form.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/new/", plan_new, name="plan_new"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/open/", plan_open, name="plan_open"),
    path("plans/<int:pk>/close/", plan_close, name="plan_close"),
    path("plans/<int:pk>/rules/<str:claim_type>/new/", rule_new, name="rule_new"),
]
