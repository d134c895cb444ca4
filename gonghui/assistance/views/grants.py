"""Console pages: grants (帮扶金) — the queue (proposals waiting for a decision first), proposing a
grant for a member (by ID number, or from a hardship file: `?file=<id>` fills the form), one
grant with its decisions, history and ledger entries.

Reads go through `visible(Grant, user, ASSISTANCE_VIEW)`: the recipient's union and the fund's
keepers both see a grant. Proposing needs ASSISTANCE_HANDLE on the recipient's union, deciding
ASSISTANCE_FUNDS on the fund's org; the services check again. Names are shown to the officers
who handle the grant or keep its fund, masked for those who only look; ID numbers are masked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import (
    MAX_REASON,
    Fund,
    FundEntry,
    Grant,
    GrantAction,
    GrantStatus,
    HardshipFile,
    HardshipFileStatus,
)
from gonghui.assistance.services import grants as services
from gonghui.console.navigation import require_somewhere
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.inputs import MAX_ID, CleanCharField
from gonghui.core.text import mask_name
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, scope_paths, visible

PAGE_SIZE = 50
SECTION = "care"
TAB = "grants"


def may_see_name(user: User, grant: Grant) -> bool:
    return has_perm_at(user, Perm.ASSISTANCE_HANDLE, grant.org.path) or has_perm_at(
        user, Perm.ASSISTANCE_FUNDS, grant.fund.org.path
    )


def shown_name(user: User, grant: Grant) -> str:
    return grant.member.name if may_see_name(user, grant) else mask_name(grant.member.name)


def _proposal_funds(user: User) -> QuerySet[Fund]:
    """Open funds that may pay members the user handles: held by one of the unions they handle,
    or by an org above one of them. The service checks the one chosen against the member."""
    roots = scope_paths(user, Perm.ASSISTANCE_HANDLE)
    funds = Fund.objects.open().select_related("org")
    if roots is None:
        return funds.order_by("org__path", "name")
    if not roots:
        return funds.none()
    step = Org.steplen
    above = {root[:end] for root in roots for end in range(step, len(root) + 1, step)}
    within = Q()
    for root in roots:
        within |= Q(org__path__startswith=root)
    return funds.filter(within | Q(org__path__in=above)).order_by("org__path", "name")


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class QueueForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *GrantStatus.choices],
    )
    fund = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID)


class ProposalForm(forms.Form):
    id_number = CleanCharField(
        label=gettext_lazy("Member's ID number"),
        max_length=24,
        required=False,
        help_text=gettext_lazy("An active member of a union you handle."),
    )
    fund = forms.ModelChoiceField(label=gettext_lazy("Paid from"), queryset=Fund.objects.none())
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"), choices=[(p.value, p.label) for p in services.PROPOSABLE_PURPOSES]
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Grounds"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The household's situation and why this amount is needed."),
    )
    file = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fund"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _proposal_funds(user)


class NoteForm(forms.Form):
    note = CleanCharField(label=gettext_lazy("Note"), max_length=MAX_REASON, required=False)


class ReasonForm(forms.Form):
    reason = CleanCharField(label=gettext_lazy("Reason"), max_length=MAX_REASON)


# --------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def grant_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.ASSISTANCE_VIEW)
    form = QueueForm(request.GET or None)
    rows = visible(Grant, user, Perm.ASSISTANCE_VIEW).select_related("fund", "fund__org", "member", "org")
    fund: Fund | None = None
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["fund"]:
            fund = visible(Fund, user, Perm.ASSISTANCE_VIEW).filter(pk=form.cleaned_data["fund"]).first()
            rows = rows.filter(fund=fund) if fund is not None else rows.none()
    waiting_first = Case(
        When(status=GrantStatus.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    rows = rows.annotate(waiting_first=waiting_first).order_by("waiting_first", "-created_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "fund": fund,
        "page_obj": page,
        "rows": [{"grant": grant, "name": shown_name(user, grant)} for grant in page.object_list],
        "may_propose": services.may_propose_grants(user),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/grant_list.html", context)


# --------------------------------------------------------------------------------------------
# Proposing
# --------------------------------------------------------------------------------------------


def _prefill_file(user: User, raw: str | None) -> HardshipFile | None:
    """The hardship file `?file=` names, when the user handles it and it is on record."""
    if not raw or not raw.isdigit() or int(raw) > MAX_ID:
        return None
    return (
        visible(HardshipFile, user, Perm.ASSISTANCE_HANDLE)
        .select_related("member", "org")
        .filter(pk=int(raw), status=HardshipFileStatus.ON_FILE)
        .first()
    )


@require_http_methods(["GET", "POST"])
@officer_required
def grant_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not services.may_propose_grants(user):
        raise Http404
    file: HardshipFile | None = None
    if request.method == "POST":
        form = ProposalForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant = services.propose_grant(
                    actor=user,
                    fund=data["fund"],
                    purpose=data["purpose"],
                    amount=data["amount"],
                    reason=data["reason"],
                    id_number=data["id_number"] or None,
                    hardship_file=data["file"],
                )
            except DomainError as exc:
                show_domain_error(form, exc, {"hardship_file": "id_number"})
            else:
                messages.success(request, _("The grant has been proposed. The fund's keepers decide on it."))
                return redirect("console:assistance:grant_detail", pk=grant.pk)
        file = _prefill_file(user, str(form.data.get("file") or ""))
    else:
        file = _prefill_file(user, request.GET.get("file"))
        initial: dict[str, Any] = {}
        if file is not None:
            initial = {"file": file.pk}
            funds = list(services.funds_for(file.org).order_by("-org__depth")[:1])
            if funds:
                initial["fund"] = funds[0].pk
        form = ProposalForm(initial=initial, user=user)
    context = {
        "form": form,
        "file": file,
        "file_id_masked": mask_id_number(file.member.id_number) if file is not None else "",
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/grant_form.html", context, status=422 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# One grant and its decisions
# --------------------------------------------------------------------------------------------


def _grant(user: User, pk: int) -> Grant:
    return get_visible(
        Grant.objects.select_related(
            "fund", "fund__org", "member", "org", "hardship_file", "proposed_by", "decided_by"
        ),
        user,
        Perm.ASSISTANCE_VIEW,
        pk=pk,
    )


def _render_detail(
    request: HttpRequest, grant: Grant, *, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    forms_by_action: dict[str, forms.Form] = {
        GrantAction.APPROVE: NoteForm(),
        GrantAction.REJECT: ReasonForm(),
        GrantAction.REVERSE: ReasonForm(),
    }
    forms_by_action.update(bound or {})
    decisions = services.grant_decisions(user, grant)
    proposer_only = (
        grant.status == GrantStatus.PROPOSED
        and grant.proposed_by_id == user.pk
        and GrantAction.APPROVE not in decisions
        and has_perm_at(user, Perm.ASSISTANCE_FUNDS, grant.fund.org.path)
    )
    context = {
        "grant": grant,
        "name": shown_name(user, grant),
        "id_masked": mask_id_number(grant.member.id_number),
        "decisions": decisions,
        "proposer_only": proposer_only,
        "approve_form": forms_by_action[GrantAction.APPROVE],
        "reject_form": forms_by_action[GrantAction.REJECT],
        "reverse_form": forms_by_action[GrantAction.REVERSE],
        "history": grant.history.select_related("actor").all(),
        "entries": FundEntry.objects.filter(grant=grant).order_by("id"),
        "tab": TAB,
        "console_section": SECTION,
    }
    status = 422 if any(form.errors for form in (bound or {}).values()) else 200
    return render(request, "assistance/grant_detail.html", context, status=status)


@require_GET
@officer_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _grant(signed_in_user(request), pk))


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    grant = _grant(user, pk)
    form: forms.Form = NoteForm(request.POST) if action == GrantAction.APPROVE else ReasonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == GrantAction.APPROVE:
                services.approve_grant(grant, actor=user, note=data["note"])
                done = _("The grant has been approved and paid from the fund.")
            elif action == GrantAction.REJECT:
                services.reject_grant(grant, actor=user, reason=data["reason"])
                done = _("The grant has been rejected.")
            else:
                services.reverse_grant(grant, actor=user, reason=data["reason"])
                done = _("The grant has been reversed: the amount is back in the fund.")
        except DomainError as exc:
            show_domain_error(form, exc, {"note": "note", "reason": "reason"})
        else:
            messages.success(request, done)
            return redirect("console:assistance:grant_detail", pk=grant.pk)
    return _render_detail(request, grant, bound={action: form})


@require_POST
@officer_required
def grant_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, GrantAction.APPROVE)


@require_POST
@officer_required
def grant_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, GrantAction.REJECT)


@require_POST
@officer_required
def grant_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, GrantAction.REVERSE)


urlpatterns: list[URLPattern] = [
    path("grants/", grant_list, name="grant_list"),
    path("grants/new/", grant_new, name="grant_new"),
    path("grants/<int:pk>/", grant_detail, name="grant_detail"),
    path("grants/<int:pk>/approve/", grant_approve, name="grant_approve"),
    path("grants/<int:pk>/reject/", grant_reject, name="grant_reject"),
    path("grants/<int:pk>/reverse/", grant_reverse, name="grant_reverse"),
]
