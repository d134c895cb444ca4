"""Console pages: the city's holiday calendar, a year at a time, and the forms that enter a range
of holidays or make-up working days and remove entered days.

Every officer reads it (deadlines depend on it); only `calendar.change` on the root federation
changes it, which the services check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.workdays import selectors
from gonghui.workdays.models import DayKind
from gonghui.workdays.services import RangeInput, may_change_calendar, remove_calendar_days, set_calendar_days
from gonghui.workdays.services.calendar import FIRST_YEAR, LAST_YEAR, NAME_MAX

SECTION = "calendar"  # the key of the console sidebar item


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)


class RangeForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("First day"), widget=_date_input())
    last = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        help_text=gettext_lazy("Leave empty for a single day."),
        widget=_date_input(),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices, initial=DayKind.HOLIDAY)
    name = CleanCharField(
        label=gettext_lazy("Holiday"),
        max_length=NAME_MAX,
        help_text=gettext_lazy(
            "The holiday the days belong to, e.g. 国庆节; make-up days take its name too."
        ),
    )


class RemoveForm(forms.Form):
    first = forms.DateField()
    last = forms.DateField()


def _year(request: HttpRequest) -> tuple[int, YearForm]:
    this_year = timezone.localdate().year
    form = YearForm(request.GET or None, initial={"year": this_year})
    if form.is_bound and form.is_valid():
        return form.cleaned_data["year"], form
    return this_year, form


def _page(
    request: HttpRequest, year: int, year_form: YearForm, range_form: RangeForm, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    rows = selectors.year_rows(year)
    context: dict[str, Any] = {
        "year": year,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "year_form": year_form,
        "range_form": range_form,
        "months": selectors.month_grids(year, rows),
        "ranges": selectors.day_ranges(rows),
        "may_change": may_change_calendar(user),
        "today": timezone.localdate(),
        "console_section": SECTION,
    }
    return render(request, "workdays/calendar.html", context, status=status)


@require_GET
@officer_required
def calendar_year(request: HttpRequest) -> HttpResponse:
    year, year_form = _year(request)
    return _page(request, year, year_form, RangeForm())


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('console:workdays:calendar')}?year={year}")


@require_POST
@officer_required
def calendar_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RangeForm(request.POST)
    year = timezone.localdate().year
    if form.is_valid():
        data = form.cleaned_data
        year = data["first"].year
        try:
            saved = set_calendar_days(
                actor=user,
                data=RangeInput(first=data["first"], last=data["last"], kind=data["kind"], name=data["name"]),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d day has been entered.", "%(count)d days have been entered.", len(saved))
                % {"count": len(saved)},
            )
            return _back(year)
    return _page(request, year, YearForm(initial={"year": year}), form, status=422)


@require_POST
@officer_required
def calendar_remove(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RemoveForm(request.POST)
    year = timezone.localdate().year
    if not form.is_valid():
        messages.error(request, _("Choose the days to remove from the list."))
        return _back(year)
    year = form.cleaned_data["first"].year
    try:
        removed = remove_calendar_days(
            actor=user, first=form.cleaned_data["first"], last=form.cleaned_data["last"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d day is an ordinary day again.", "%(count)d days are ordinary days again.", removed
            )
            % {"count": removed},
        )
    return _back(year)


urlpatterns: list[URLPattern] = [
    path("", calendar_year, name="calendar"),
    path("add/", calendar_add, name="calendar_add"),
    path("remove/", calendar_remove, name="calendar_remove"),
]
