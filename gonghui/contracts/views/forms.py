"""Forms of the contracts console pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from gonghui.contracts.models import (
    ContractKind,
    ContractScope,
    ContractStatus,
    ReviewResult,
    TopicCategory,
    TopicStatus,
)
from gonghui.contracts.services import contracts, topics
from gonghui.contracts.services.contracts import ClauseInput, ContractInput
from gonghui.core.forms import FilterForm, documents_field
from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import Industry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, help_text=help_text)


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class ContractFilterForm(FilterForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=_blank(ContractKind.choices), required=False)
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope of the contract"), choices=_blank(ContractScope.choices), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=_blank(ContractStatus.choices), required=False
    )
    expiring = forms.BooleanField(label=gettext_lazy("Expiring soon (reminder due)"), required=False)


class ContractForm(forms.Form):
    """Registering a contract; a renewal leaves out the union, the scope and the kind, which
    the renewed contract keeps."""

    org = CleanCharField(
        label=gettext_lazy("Code of the registering union"),
        max_length=32,
        help_text=gettext_lazy(
            "The union that signed the contract, or the federation that registers a regional one."
        ),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope of the contract"), choices=ContractScope.choices)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ContractKind.choices)
    title = CleanCharField(label=gettext_lazy("Title"), max_length=contracts.TITLE_MAX)
    number = CleanCharField(
        label=gettext_lazy("Registration number"), max_length=contracts.NUMBER_MAX, required=False
    )
    signed_on = _date(gettext_lazy("Signed on"))
    term_start = _date(gettext_lazy("Term starts"))
    term_end = _date(
        gettext_lazy("Term ends"),
        help_text=gettext_lazy("A collective contract runs for one to three years."),
    )
    workers_covered = forms.IntegerField(
        label=gettext_lazy("Workers covered"), min_value=1, max_value=contracts.MAX_WORKERS
    )
    wage_increase = forms.DecimalField(
        label=gettext_lazy("Agreed wage increase (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("Wage agreements only."),
    )
    minimum_wage = forms.DecimalField(
        label=gettext_lazy("Minimum wage in the agreement (yuan a month)"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("Wage agreements only; optional."),
    )
    area_description = CleanCharField(
        label=gettext_lazy("Covered area or industry"),
        max_length=contracts.AREA_MAX,
        required=False,
        help_text=gettext_lazy(
            "Regional and industry contracts: e.g. “small firms of the Donghu street area”."
        ),
    )
    industry = forms.ChoiceField(
        label=gettext_lazy("Industry"),
        choices=_blank(Industry.choices),
        required=False,
        help_text=gettext_lazy("Industry contracts only."),
    )
    employer_representative = CleanCharField(
        label=gettext_lazy("Employer representative"), max_length=contracts.REPRESENTATIVE_MAX
    )
    union_representative = CleanCharField(
        label=gettext_lazy("Union representative"), max_length=contracts.REPRESENTATIVE_MAX
    )
    workplaces = forms.CharField(
        label=gettext_lazy("Covered workplaces"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=contracts.MAX_WORKPLACES * 20,
        help_text=gettext_lazy(
            "The unified social credit codes of the covered workplaces, one a line "
            "(or separated by spaces or commas)."
        ),
    )

    def __init__(self, *args: Any, renewal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if renewal:
            for name in ("org", "scope", "kind"):
                del self.fields[name]

    def to_input(self, clauses: list[ClauseInput], *, scope: str = "", kind: str = "") -> ContractInput:
        data = self.cleaned_data
        codes = data["workplaces"].replace(",", " ").replace("，", " ").replace("、", " ").split()
        return ContractInput(
            scope=data.get("scope", scope),
            kind=data.get("kind", kind),
            title=data["title"],
            number=data["number"] or "",
            signed_on=data["signed_on"],
            term_start=data["term_start"],
            term_end=data["term_end"],
            workers_covered=data["workers_covered"],
            wage_increase=data["wage_increase"],
            minimum_wage=data["minimum_wage"],
            area_description=data["area_description"] or "",
            industry=data["industry"],
            employer_representative=data["employer_representative"],
            union_representative=data["union_representative"],
            workplace_codes=codes,
            clauses=clauses,
        )


class ClauseForm(forms.Form):
    topic = forms.ChoiceField(
        label=gettext_lazy("Clause topic"), choices=_blank(TopicCategory.choices), required=False
    )
    text = forms.CharField(
        label=gettext_lazy("Clause"),
        max_length=contracts.CLAUSE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ClauseFormSet = forms.formset_factory(ClauseForm, extra=5, max_num=contracts.MAX_CLAUSES, validate_max=True)


def clause_inputs(formset: Any) -> list[ClauseInput]:
    """The rows the officer filled in (a row with neither topic nor text is left out)."""
    rows = [form.cleaned_data for form in formset.forms if getattr(form, "cleaned_data", None)]
    return [
        ClauseInput(topic=row.get("topic", ""), text=row.get("text", ""))
        for row in rows
        if row.get("topic") or (row.get("text") or "").strip()
    ]


class TerminateForm(forms.Form):
    ended_on = _date(gettext_lazy("Ended on"))
    reason = CleanCharField(
        label=gettext_lazy("Reason"),
        max_length=contracts.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FilingForm(forms.Form):
    filed_on = _date(gettext_lazy("Filed with the labour administration on"))
    review_result = forms.ChoiceField(
        label=gettext_lazy("Review result"), choices=ReviewResult.choices, required=False
    )
    review_note = CleanCharField(
        label=gettext_lazy("Review note"), max_length=contracts.REVIEW_NOTE_MAX, required=False
    )


class TopicFilterForm(FilterForm):
    category = forms.ChoiceField(
        label=gettext_lazy("Category"), choices=_blank(TopicCategory.choices), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=_blank(TopicStatus.choices), required=False
    )


ANSWER_CHOICES = [
    (TopicStatus.ADOPTED.value, TopicStatus.ADOPTED.label),
    (TopicStatus.NOT_ADOPTED.value, TopicStatus.NOT_ADOPTED.label),
]


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Adopt the topic?"), choices=ANSWER_CHOICES, widget=forms.RadioSelect
    )
    reply = forms.CharField(
        label=gettext_lazy("Answer to the member"),
        max_length=topics.REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentForm(forms.Form):
    documents = documents_field(gettext_lazy("Signed contract (PDF or photos)"), required=True)
