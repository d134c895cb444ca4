"""Console pages: income thresholds (低收入标准) — the list by year and the form that sets a
federation's threshold for a year or changes it while no file has been compared against it.

Reads go through `visible(IncomeThreshold, user, ASSISTANCE_VIEW)`; setting needs
ASSISTANCE_HANDLE on the federation, which the service checks again."""

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
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import MAX_REASON, IncomeThreshold
from gonghui.assistance.services import thresholds as services
from gonghui.console.navigation import holding
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

PAGE_SIZE = 50
SECTION = "care"
TAB = "thresholds"


def _keepers(user: User) -> QuerySet[Org]:
    """The federations whose thresholds the user sets."""
    return (
        visible(Org, user, Perm.ASSISTANCE_HANDLE)
        .filter(kind=OrgKind.FEDERATION, status=OrgStatus.ACTIVE)
        .order_by("path")
    )


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(year), str(year)) for year in years]


class ThresholdForm(forms.Form):
    org = forms.ModelChoiceField(label=gettext_lazy("Federation"), queryset=Org.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=services.FIRST_YEAR, max_value=9999)
    monthly_per_capita = CleanCharField(
        label=gettext_lazy("Monthly income per person (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "A household whose monthly income per person is below it counts as low-income."
        ),
    )
    note = CleanCharField(
        label=gettext_lazy("Basis"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "The document the figure comes from, e.g. the city's minimum living standard notice."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _keepers(user)


@require_GET
@officer_required
def threshold_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not holding(Perm.ASSISTANCE_VIEW)(user):
        raise Http404
    scoped = visible(IncomeThreshold, user, Perm.ASSISTANCE_VIEW)
    this_year = timezone.localdate().year
    years = sorted({this_year, *scoped.values_list("year", flat=True).distinct()}, reverse=True)
    form = YearForm(request.GET or None, years=years)
    year = this_year
    if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = scoped.filter(year=year).select_related("org").order_by("org__path", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "year": year,
        "rows": [
            {
                "threshold": threshold,
                "compared": services.is_compared(threshold),
                "may_set": has_perm_at(user, Perm.ASSISTANCE_HANDLE, threshold.org.path),
            }
            for threshold in page.object_list
        ],
        "page_obj": page,
        "may_set": _keepers(user).exists(),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/threshold_list.html", context)


def _initial(request: HttpRequest, user: User) -> dict[str, Any]:
    """The year's current values when ?org=&year= name a threshold the user may set."""
    initial: dict[str, Any] = {"year": timezone.localdate().year}
    org_raw, year_raw = request.GET.get("org", ""), request.GET.get("year", "")
    if org_raw.isdigit() and year_raw.isdigit() and len(org_raw) < 19 and len(year_raw) <= 4:
        current = (
            IncomeThreshold.objects.filter(org__in=_keepers(user), org_id=int(org_raw), year=int(year_raw))
            .select_related("org")
            .first()
        )
        if current is not None:
            return {
                "org": current.org_id,
                "year": current.year,
                "monthly_per_capita": f"{current.monthly_per_capita:.2f}",
                "note": current.note,
            }
    first = _keepers(user).first()
    if first is not None:
        initial["org"] = first.pk
    return initial


@require_http_methods(["GET", "POST"])
@officer_required
def threshold_set(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not _keepers(user).exists():
        raise Http404
    if request.method == "POST":
        form = ThresholdForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.set_income_threshold(
                    actor=user,
                    org=data["org"],
                    year=data["year"],
                    monthly_per_capita=data["monthly_per_capita"],
                    note=data["note"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                if result.created:
                    messages.success(request, _("The income threshold has been set."))
                elif result.changed:
                    messages.success(request, _("The income threshold has been changed."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(
                    f"{reverse('console:assistance:threshold_list')}?year={result.threshold.year}"
                )
    else:
        form = ThresholdForm(initial=_initial(request, user), user=user)
    context = {"form": form, "tab": TAB, "console_section": SECTION}
    return render(request, "assistance/threshold_form.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("thresholds/", threshold_list, name="threshold_list"),
    path("thresholds/set/", threshold_set, name="threshold_set"),
]
