"""Console pages: the annual pledges (十件实事) — the list by year, authoring, one pledge with its
progress history and the form to report progress, and the publish / unpublish / delete actions.

Reads go through `visible(reporting_pledges(), user, perm)`: an officer sees the pledges of the
federations in their scope *and* those their union is responsible for (so the responsible union
can report its own progress). Changing the list needs BENEFITS_CHANGE on the federation; the
services check again. Thin: parse, call one service, render."""

from __future__ import annotations

from decimal import Decimal
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
from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.services import pledges as services
from gonghui.console.navigation import require_somewhere
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

PAGE_SIZE = 50
SECTION = "benefits"
TAB = "pledges"
ORG_CHOICES_MAX = 500
# The service's field names → the form's.
ALIASES = {"owner_org": "owner"}


def _publishers(user: User) -> QuerySet[Org]:
    """The federations whose pledges the user keeps."""
    return (
        visible(Org, user, Perm.BENEFITS_CHANGE)
        .filter(kind=OrgKind.FEDERATION, status=OrgStatus.ACTIVE)
        .order_by("path")
    )


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


class PledgeForm(forms.Form):
    org = forms.ModelChoiceField(
        label=gettext_lazy("Federation"),
        queryset=Org.objects.none(),
        help_text=gettext_lazy("The federation that makes the promise."),
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=services.FIRST_YEAR, max_value=9999)
    number = forms.IntegerField(
        label=gettext_lazy("Number"),
        min_value=1,
        max_value=services.MAX_NUMBER,
        help_text=gettext_lazy("Its place in the year's list: 1, 2, 3 …"),
    )
    title = CleanCharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    target_value = forms.CharField(
        label=gettext_lazy("Target"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("A number, e.g. 120."),
    )
    unit = CleanCharField(
        label=gettext_lazy("Unit"),
        max_length=services.UNIT_MAX,
        help_text=gettext_lazy("What the target counts, e.g. 个, 人次, 万元."),
    )
    owner = CleanCharField(
        label=gettext_lazy("Code of the responsible union"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("The federation itself or a union under it. Empty: the federation itself."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, user: User, pledge: Pledge | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if pledge is not None:
            del self.fields["org"]
        else:
            org_field = self.fields["org"]
            assert isinstance(org_field, forms.ModelChoiceField)
            org_field.queryset = _publishers(user)

    def clean_target_value(self) -> Decimal:
        return _quantity(self.cleaned_data.get("target_value", ""), positive=True)

    def owner_org(self, federation: Org) -> Org | None:
        """The union the owner code names (None: the federation itself); ValidationFailed when no
        union in the user's sight has that code."""
        code = (self.cleaned_data.get("owner") or "").strip()
        if not code or code.lower() == federation.code.lower():
            return None
        found = visible(Org, self.user, Perm.BENEFITS_VIEW).filter(code__iexact=code).first()
        if found is None:
            message = _("No union in your scope has this code.")
            raise ValidationFailed(message, fields={"owner_org": [message]})
        return found

    def values(self, federation: Org) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "year": data["year"],
            "number": data["number"],
            "title": data["title"],
            "target_value": data["target_value"],
            "unit": data["unit"],
            "description": data.get("description") or "",
            "owner_org": self.owner_org(federation),
        }


def initial_of(pledge: Pledge) -> dict[str, Any]:
    return {
        "year": pledge.year,
        "number": pledge.number,
        "title": pledge.title,
        "target_value": services.plain_quantity(pledge.target_value),
        "unit": pledge.unit,
        "owner": pledge.owner_org.code if pledge.owner_org_id != pledge.org_id else "",
        "description": pledge.description,
    }


def _quantity(text: str, *, positive: bool = False) -> Decimal:
    """Checked here too, so that the form shows every problem at once (the service checks again)."""
    try:
        return services.parse_quantity(text, positive=positive)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


class UpdateForm(forms.Form):
    reported_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    value = forms.CharField(
        label=gettext_lazy("Reached so far"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("The total reached by that date, not what was added since the last report."),
    )
    note = forms.CharField(
        label=gettext_lazy("What was done"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the value is lower than before (a correction)."),
    )

    def clean_value(self) -> Decimal:
        return _quantity(self.cleaned_data.get("value", ""))


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def pledge_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.BENEFITS_VIEW)
    scoped = visible(services.reporting_pledges(), user, Perm.BENEFITS_VIEW)
    this_year = services.current_year()
    years = sorted({this_year, *scoped.values_list("year", flat=True).distinct()}, reverse=True)
    form = YearForm(request.GET or None, years=years)
    year = this_year
    if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = scoped.filter(year=year).select_related("org", "owner_org").order_by("org__path", "number", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "year": year,
        "rows": [
            {
                "pledge": pledge,
                "target": services.plain_quantity(pledge.target_value, grouped=True),
                "progress": services.plain_quantity(pledge.progress_value, grouped=True),
            }
            for pledge in page.object_list
        ],
        "page_obj": page,
        "may_author": services.may_keep_pledges(user) and _publishers(user).exists(),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "benefits/pledge_list.html", context)


# --------------------------------------------------------------------------------------------
# Authoring
# --------------------------------------------------------------------------------------------


def _render_form(request: HttpRequest, form: PledgeForm, pledge: Pledge | None) -> HttpResponse:
    context = {"form": form, "pledge": pledge, "tab": TAB, "console_section": SECTION}
    return render(request, "benefits/pledge_form.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def pledge_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not services.may_keep_pledges(user):
        raise Http404
    if request.method == "POST":
        form = PledgeForm(request.POST, user=user)
        if form.is_valid():
            federation = form.cleaned_data["org"]
            try:
                pledge = services.create_pledge(actor=user, org=federation, data=form.values(federation))
            except DomainError as exc:
                show_domain_error(form, exc, ALIASES)
            else:
                messages.success(
                    request, _("The pledge has been saved. Publish it when the year's list is ready.")
                )
                return redirect("console:benefits:pledge_detail", pk=pledge.pk)
    else:
        first = _publishers(user).first()
        initial: dict[str, Any] = {"year": services.current_year()}
        if first is not None:
            initial["org"] = first.pk
            taken = set(
                Pledge.objects.filter(org=first, year=initial["year"]).values_list("number", flat=True)
            )
            initial["number"] = next(n for n in range(1, services.MAX_NUMBER + 2) if n not in taken)
        form = PledgeForm(initial=initial, user=user)
    return _render_form(request, form, None)


def _pledge(user: User, pk: int, perm: Perm = Perm.BENEFITS_VIEW) -> Pledge:
    return get_visible(services.reporting_pledges().select_related("org", "owner_org"), user, perm, pk=pk)


@require_http_methods(["GET", "POST"])
@officer_required
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    pledge = get_visible(Pledge.objects.select_related("org", "owner_org"), user, Perm.BENEFITS_CHANGE, pk=pk)
    if request.method == "POST":
        form = PledgeForm(request.POST, user=user, pledge=pledge)
        if form.is_valid():
            try:
                changed = services.update_pledge(pledge, actor=user, changes=form.values(pledge.org))
            except DomainError as exc:
                show_domain_error(form, exc, ALIASES)
            else:
                messages.success(
                    request, _("The changes have been saved.") if changed else _("Nothing changed.")
                )
                return redirect("console:benefits:pledge_detail", pk=pledge.pk)
    else:
        form = PledgeForm(initial=initial_of(pledge), user=user, pledge=pledge)
    return _render_form(request, form, pledge)


# --------------------------------------------------------------------------------------------
# One pledge: its progress, and reporting progress
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@officer_required
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    pledge = _pledge(user, pk)
    may_report = services.may_report(user, pledge)
    form = UpdateForm(initial={"reported_on": timezone.localdate()})
    if request.method == "POST":
        form = UpdateForm(request.POST)
        if not may_report:
            form.add_error(None, _("You may look at this pledge but not report its progress."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.add_pledge_update(
                    pledge,
                    actor=user,
                    reported_on=data["reported_on"],
                    value=data["value"],
                    note=data["note"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The progress has been recorded."))
                return redirect("console:benefits:pledge_detail", pk=pledge.pk)
    may_change = has_perm_at(user, Perm.BENEFITS_CHANGE, pledge.org.path)
    updates = list(
        PledgeUpdate.objects.filter(pledge=pledge).select_related("actor").order_by("-reported_on", "-id")
    )
    context = {
        "pledge": pledge,
        "target": services.plain_quantity(pledge.target_value, grouped=True),
        "progress": services.plain_quantity(pledge.progress_value, grouped=True),
        "bar_max": services.plain_quantity(pledge.target_value),
        "bar_value": services.plain_quantity(min(pledge.progress_value, pledge.target_value)),
        "updates": [
            {"update": update, "value": services.plain_quantity(update.value, grouped=True)}
            for update in updates
        ],
        "may_change": may_change,
        "may_report": may_report,
        "may_delete": may_change and not pledge.is_published and not updates,
        "form": form,
        "tab": TAB,
        "console_section": SECTION,
    }
    status = 200
    if form.errors:
        status = 403 if not may_report else 422
    return render(request, "benefits/pledge_detail.html", context, status=status)


def _act(request: HttpRequest, action: Any, done: str, unchanged: str) -> bool:
    try:
        changed = action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if changed is False:
        messages.info(request, unchanged)
    else:
        messages.success(request, done)
    return True


@require_POST
@officer_required
def pledge_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    pledge = _pledge(user, pk)
    _act(
        request,
        lambda: services.publish_pledge(pledge, actor=user),
        _("The pledge is now shown in the portal."),
        _("The pledge was already published."),
    )
    return redirect("console:benefits:pledge_detail", pk=pledge.pk)


@require_POST
@officer_required
def pledge_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    pledge = _pledge(user, pk)
    _act(
        request,
        lambda: services.unpublish_pledge(pledge, actor=user),
        _("The pledge has been taken off the portal."),
        _("The pledge was not published."),
    )
    return redirect("console:benefits:pledge_detail", pk=pledge.pk)


@require_POST
@officer_required
def pledge_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    pledge = _pledge(user, pk)
    year = pledge.year
    if _act(
        request, lambda: services.delete_pledge(pledge, actor=user), _("The pledge has been deleted."), ""
    ):
        return redirect(f"{reverse('console:benefits:pledge_list')}?year={year}")
    return redirect("console:benefits:pledge_detail", pk=pk)


@require_POST
@officer_required
def pledge_update_delete(request: HttpRequest, pk: int, update_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    pledge = _pledge(user, pk)
    update = PledgeUpdate.objects.filter(pledge=pledge, pk=update_pk).first()
    if update is None:
        raise Http404
    _act(
        request,
        lambda: services.delete_pledge_update(update, actor=user),
        _("The progress report has been withdrawn."),
        "",
    )
    return redirect("console:benefits:pledge_detail", pk=pledge.pk)


urlpatterns: list[URLPattern] = [
    path("pledges/", pledge_list, name="pledge_list"),
    path("pledges/new/", pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/", pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/edit/", pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/publish/", pledge_publish, name="pledge_publish"),
    path("pledges/<int:pk>/unpublish/", pledge_unpublish, name="pledge_unpublish"),
    path("pledges/<int:pk>/delete/", pledge_delete, name="pledge_delete"),
    path(
        "pledges/<int:pk>/updates/<int:update_pk>/delete/", pledge_update_delete, name="pledge_update_delete"
    ),
]
