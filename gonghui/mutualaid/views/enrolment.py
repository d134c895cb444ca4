"""Console pages of mutual aid: enrolment (参保).

A union officer (MEMBER_CHANGE on their union) enrols the union's members in the open plans run
by a federation above it: all active members not yet enrolled in one click, after a page that
says how many and what the contribution comes to, or the people on an uploaded list
(`services.enrolment_import`). Union officers hold no mutual aid permission, so the plans they
are offered are `open_plans_for(union)`, not `visible(AidPlan, …)`; the services check the
union and the plan again.

Batches are read through `visible(EnrolmentBatch, user, MEMBER_CHANGE)` (the enrolling union's
officers, who record its payment) together with MUTUALAID_VIEW (the scheme's staff, who follow
the contributions). Enrolment runs in the request: 50,000 members take about 2.6 s (measured,
SQLite and PostgreSQL), well inside a request's time.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
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
from gonghui.members.models import Member
from gonghui.members.services.registry import MEMBER_HOLDING_KINDS
from gonghui.mutualaid.models import MAX_REFERENCE, AidPlan, Enrolment, EnrolmentBatch
from gonghui.mutualaid.services.enrolment import enrol_members, record_batch_payment
from gonghui.mutualaid.services.enrolment_import import (
    MAX_LISTED_PROBLEMS,
    applicable_plan,
    enrol_from_list,
    list_limits,
    open_plans_for,
)
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

PAGE_SIZE = 50
TAB = "enrolment"
UNION_CHOICE_LIMIT = 200


def _unions(user: User) -> QuerySet[Org]:
    """The unions whose members the officer may enrol: those holding members, active, in scope."""
    return (
        visible(Org, user, Perm.MEMBER_CHANGE)
        .filter(kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE)
        .order_by("path")
    )


def _batches(user: User) -> QuerySet[EnrolmentBatch]:
    scoped = visible(EnrolmentBatch, user, Perm.MEMBER_CHANGE) | visible(
        EnrolmentBatch, user, Perm.MUTUALAID_VIEW
    )
    return scoped.select_related("plan", "plan__org", "org", "created_by")


def _union(user: User, pk: int) -> Org:
    return get_visible(_unions(user), user, Perm.MEMBER_CHANGE, pk=pk)


def _plan_for(pk: int, union: Org) -> tuple[AidPlan, str]:
    """The plan if it applies to the union, and why nobody can be enrolled in it ("" when they
    can); Http404 for a plan not run above the union, as for a missing plan."""
    try:
        return applicable_plan(pk, union), ""
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return AidPlan.objects.select_related("org").get(pk=pk), exc.message


def _not_enrolled(plan: AidPlan, union: Org) -> int:
    already = Enrolment.objects.filter(plan=plan).values("person_index")
    return Member.objects.active().in_subtree(union).exclude(id_number_index__in=already).count()


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class UnionForm(forms.Form):
    org = CleanCharField(label=gettext_lazy("Union"), max_length=32, required=False)

    def __init__(self, *args: Any, unions: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unions = unions
        few = list(unions[: UNION_CHOICE_LIMIT + 1].values_list("code", "name"))
        if len(few) <= UNION_CHOICE_LIMIT:
            self.fields["org"] = forms.ChoiceField(
                label=_("Union"),
                required=False,
                choices=[("", _("Choose the union")), *((code, f"{name}（{code}）") for code, name in few)],
            )
        else:
            self.fields["org"].help_text = _("The code of the union whose members you enrol.")

    def clean_org(self) -> Org | None:
        code = self.cleaned_data.get("org") or ""
        if not code:
            return None
        union = self.unions.filter(code=code).first()
        if union is None:
            raise forms.ValidationError(_("There is no union with this code whose members you may enrol."))
        return union


class ListForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=[
            ("check", gettext_lazy("Only check the list")),
            ("enrol", gettext_lazy("Enrol the people found; list the others")),
        ],
        initial="check",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("List file"),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = list_limits()
        self.fields["file"].help_text = _(
            "An .xlsx, .xls or .ods workbook, or a .csv file (UTF-8 or GBK), with the columns 身份证号 "
            "and 姓名 (the same as the roster template); at most %(size)s MB and %(rows)s rows."
        ) % {"size": limits.max_bytes // 2**20, "rows": f"{limits.max_rows:,}"}


class PaymentForm(forms.Form):
    amount = CleanCharField(
        label=gettext_lazy("Amount paid (yuan)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Exactly the batch's contribution due."),
    )
    reference = CleanCharField(
        label=gettext_lazy("Payment reference"),
        max_length=MAX_REFERENCE,
        help_text=gettext_lazy("The reference of the bank transfer, as on the bank's receipt."),
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


# --------------------------------------------------------------------------------------------
# The list of batches, and where to enrol
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def enrolment_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    may_enrol = holding(Perm.MEMBER_CHANGE)(user)
    if not (may_enrol or holding(Perm.MUTUALAID_VIEW)(user)):
        raise Http404
    unions = _unions(user)
    union_form = UnionForm(request.GET or None, unions=unions)
    union: Org | None = None
    if union_form.is_bound and union_form.is_valid():
        union = union_form.cleaned_data["org"]
    if union is None and not union_form.errors and may_enrol:
        only = list(unions[:2])
        if len(only) == 1:  # the usual union officer: their one union, already chosen
            union = only[0]
            union_form = UnionForm(initial={"org": union.code}, unions=unions)
    offers = []
    if union is not None:
        for plan in open_plans_for(union):
            count = _not_enrolled(plan, union)
            offers.append({"plan": plan, "count": count, "total": plan.contribution_per_member * count})
    page = Paginator(_batches(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "may_enrol": may_enrol and unions.exists(),
        "union_form": union_form,
        "union": union,
        "offers": offers,
        "page_obj": page,
        "batches": page.object_list,
        "tab": TAB,
    }
    return render(request, "mutualaid/enrolment_list.html", context, status=422 if union_form.errors else 200)


# --------------------------------------------------------------------------------------------
# Enrolling
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@officer_required
def enrolment_confirm(request: HttpRequest, plan_pk: int, org_pk: int) -> HttpResponse:
    """All active members of the union not yet enrolled: how many and what it costs, then enrol."""
    user = signed_in_user(request)
    union = _union(user, org_pk)
    plan, error = _plan_for(plan_pk, union)
    if request.method == "POST" and not error:
        try:
            result = enrol_members(plan, actor=user, org=union)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _(
                    "%(count)s members have been enrolled (%(skipped)s already enrolled were left as they "
                    "were). Record the payment of %(total)s yuan once it has been transferred."
                )
                % {
                    "count": f"{result.enrolled:,}",
                    "skipped": f"{result.skipped:,}",
                    "total": f"{result.batch.total_contribution:,.2f}",
                },
            )
            return redirect("console:mutualaid:enrolment_batch", pk=result.batch.pk)
    count = _not_enrolled(plan, union)
    context = {
        "plan": plan,
        "union": union,
        "count": count,
        "total": plan.contribution_per_member * count,
        "error": error,
        "tab": TAB,
    }
    return render(request, "mutualaid/enrolment_confirm.html", context, status=409 if error else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def enrolment_upload(request: HttpRequest, plan_pk: int, org_pk: int) -> HttpResponse:
    """Enrol the people on a list: checked row by row, the problems listed with their reasons."""
    user = signed_in_user(request)
    union = _union(user, org_pk)
    plan, error = _plan_for(plan_pk, union)
    form = ListForm(request.POST or None, request.FILES or None)
    outcome = None
    if error and request.method == "POST":
        form.add_error(None, error)
    elif request.method == "POST" and form.is_valid():
        try:
            outcome = enrol_from_list(
                plan,
                actor=user,
                org=union,
                upload=form.cleaned_data["file"],
                enrol=form.cleaned_data["mode"] == "enrol",
            )
        except DomainError as exc:
            show_domain_error(form, exc)
    context = {
        "plan": plan,
        "union": union,
        "form": form,
        "outcome": outcome,
        "error": error,
        "max_listed": MAX_LISTED_PROBLEMS,
        "tab": TAB,
    }
    return render(request, "mutualaid/enrolment_upload.html", context, status=422 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# One batch and its payment
# --------------------------------------------------------------------------------------------


def _render_batch(
    request: HttpRequest, user: User, batch: EnrolmentBatch, form: PaymentForm | None
) -> HttpResponse:
    may_pay = not batch.is_paid and has_perm_at(user, Perm.MEMBER_CHANGE, batch.org.path)
    if form is None and may_pay:
        form = PaymentForm(
            initial={"amount": f"{batch.total_contribution:.2f}", "paid_on": timezone.localdate()}
        )
    people = Paginator(
        Enrolment.objects.filter(batch=batch).select_related("member", "org").order_by("pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "may_pay": may_pay,
        "form": form if may_pay else None,
        "page_obj": people,
        "people": people.object_list,
        "payment_url": reverse("console:mutualaid:enrolment_payment", args=[batch.pk]),
        "tab": TAB,
    }
    status = 422 if form is not None and form.errors else 200
    return render(request, "mutualaid/enrolment_batch.html", context, status=status)


@require_GET
@officer_required
def enrolment_batch(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _render_batch(request, user, _batch(user, pk), None)


def _batch(user: User, pk: int) -> EnrolmentBatch:
    """The batch if the user sees it (its union's officers, the scheme's staff); Http404 otherwise."""
    batch = _batches(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@require_POST
@officer_required
def enrolment_payment(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    batch = _batch(user, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_batch_payment(
                batch, actor=user, amount=data["amount"], reference=data["reference"], paid_on=data["paid_on"]
            )
        except DomainError as exc:
            if not exc.fields:  # the step itself is refused (already paid, not allowed): say so
                messages.error(request, exc.message)
                return redirect("console:mutualaid:enrolment_batch", pk=batch.pk)
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The payment has been recorded."))
            return redirect("console:mutualaid:enrolment_batch", pk=batch.pk)
    return _render_batch(request, user, batch, form)


urlpatterns: list[URLPattern] = [
    path("enrolment/", enrolment_list, name="enrolment_list"),
    path("enrolment/plans/<int:plan_pk>/unions/<int:org_pk>/", enrolment_confirm, name="enrolment_confirm"),
    path(
        "enrolment/plans/<int:plan_pk>/unions/<int:org_pk>/list/", enrolment_upload, name="enrolment_upload"
    ),
    path("enrolment/batches/<int:pk>/", enrolment_batch, name="enrolment_batch"),
    path("enrolment/batches/<int:pk>/payment/", enrolment_payment, name="enrolment_payment"),
]
