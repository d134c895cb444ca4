"""Console pages: the deadline rules, a due-date calculator, and the form that edits a rule.

Every officer reads them; only `calendar.change` on the root federation edits, which the service
checks again. An edit changes new deadlines only: cases keep the date computed when they opened."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.workdays.deadlines import all_rules, describe, due_date, get_rule
from gonghui.workdays.models import DeadlineRule, DeadlineUnit
from gonghui.workdays.services import RuleInput, change_rule, may_change_calendar
from gonghui.workdays.services.calendar import FIRST_YEAR, LAST_YEAR
from gonghui.workdays.services.rules import MAX_DAYS

SECTION = "calendar"  # the key of the console sidebar item


class CalculatorForm(forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("Rule"))
    start = forms.DateField(
        label=gettext_lazy("Counted from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The day of receipt, conclusion or expiry; the period starts the next day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(rule.code, rule.label) for rule in all_rules()]

    def clean_start(self) -> Any:
        start = self.cleaned_data["start"]
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Enter a day between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return start


class RuleForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        min_value=-MAX_DAYS,
        max_value=MAX_DAYS,
        help_text=gettext_lazy("Negative for a date before the start, e.g. a reminder before an expiry."),
    )
    unit = forms.ChoiceField(label=gettext_lazy("Counted in"), choices=DeadlineUnit.choices)
    roll_to_working_day = forms.BooleanField(
        label=gettext_lazy("When the last day is a rest day, move it to the next working day"),
        required=False,
        help_text=gettext_lazy("Calendar days only: a working-day period always ends on a working day."),
    )


@require_GET
@officer_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    calculator = CalculatorForm(request.GET or None)
    result = None
    if calculator.is_bound and calculator.is_valid():
        code, start = calculator.cleaned_data["rule"], calculator.cleaned_data["start"]
        result = {"rule": get_rule(code), "start": start, "due": due_date(code, start)}
    rules = list(DeadlineRule.objects.select_related("updated_by"))
    context = {
        "rows": [{"rule": rule, "description": describe(get_rule(rule.code))} for rule in rules],
        "calculator": calculator,
        "result": result,
        "may_change": may_change_calendar(user),
        "console_section": SECTION,
    }
    return render(request, "workdays/rules.html", context, status=422 if calculator.errors else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    if not may_change_calendar(user):
        raise Http404
    rule = DeadlineRule.objects.filter(code=code).first()
    if rule is None:
        raise Http404
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                change_rule(
                    code,
                    actor=user,
                    data=RuleInput(
                        days=data["days"], unit=data["unit"], roll_to_working_day=data["roll_to_working_day"]
                    ),
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The rule has been changed. It applies to new deadlines."))
                return redirect(reverse("console:workdays:rules"))
    else:
        form = RuleForm(
            initial={"days": rule.days, "unit": rule.unit, "roll_to_working_day": rule.roll_to_working_day}
        )
    context = {"form": form, "rule": rule, "console_section": SECTION}
    return render(request, "workdays/rule_form.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("rules/", rule_list, name="rules"),
    path("rules/<str:code>/edit/", rule_edit, name="rule_edit"),
]
