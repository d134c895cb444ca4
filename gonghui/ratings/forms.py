"""Console forms of the ratings app. They parse and check input; the services decide (see
`gonghui.core.forms.show_domain_error` for how a service's refusal is shown on a form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible
from gonghui.ratings.defaults import DEFAULT_THRESHOLDS, default_title
from gonghui.ratings.models import (
    MAX_ITEM_SCORE,
    MAX_YEAR,
    MIN_YEAR,
    SECTION_ORDER,
    STAR_LEVELS,
    AssessmentAnswer,
    AssessmentStatus,
    ChecklistItem,
    SixHaves,
)
from gonghui.ratings.selectors import Section, issuing_orgs, sections
from gonghui.ratings.services import (
    MAX_COMMENT,
    MAX_EVIDENCE,
    MAX_ITEM_TEXT,
    MAX_NOTE,
    MAX_OPINION,
    MAX_ORDER,
    MAX_THRESHOLD,
    MAX_TITLE,
    THRESHOLD_FIELDS,
    AnswerInput,
    ReviewInput,
)

# Org choices are offered for federations only: at city scale that is a few hundred, while
# every union would be tens of thousands. Other orgs are reached by drilling down.
MAX_ORG_CHOICES = 500


def _indented(org: Org, top_depth: int) -> str:
    indent: int = max(org.depth - top_depth, 0)
    return "\u3000" * indent + str(org.name)


def org_choices(orgs: list[Org]) -> list[tuple[Any, str]]:
    top = min((org.depth for org in orgs), default=1)
    return [(org.pk, _indented(org, top)) for org in orgs]


def _year_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


class AssessmentFilterForm(forms.Form):
    year = _year_field(required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *AssessmentStatus.choices]
    )
    min_stars = forms.TypedChoiceField(
        label=_("Published stars"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *((n, _("%(stars)s stars and above") % {"stars": n}) for n in STAR_LEVELS)],
    )
    org = forms.TypedChoiceField(
        label=_("Under organisation"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        paths = scope_paths(user, Perm.RATING_VIEW)
        offered = Q(kind=OrgKind.FEDERATION) | Q(path__in=paths or [])
        asked = str(self.data.get("org", ""))
        if asked.isdigit() and len(asked) < 19:
            offered |= Q(pk=int(asked))  # an org reached by drilling down, if the user may see it
        orgs = list(visible(Org, user, Perm.RATING_VIEW).filter(offered).order_by("path")[:MAX_ORG_CHOICES])
        field = self.fields["org"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Everything in my scope")), *org_choices(orgs)]
        self.orgs = {org.pk: org for org in orgs}

    def chosen_org(self) -> Org | None:
        return self.orgs.get(getattr(self, "cleaned_data", {}).get("org") or 0)


@dataclass(frozen=True)
class AnswerRow:
    number: int
    answer: AssessmentAnswer
    score: forms.BoundField
    text: forms.BoundField

    @property
    def item(self) -> ChecklistItem:
        return self.answer.item


class _ScoresForm(forms.Form):
    """One score field and one text field per checklist item, for the union or the reviewer."""

    score_label: Any  # with "{number}" for the item's number on the page
    text_label: Any
    text_limit: int
    list_name: str  # the service's name for the list in its field paths
    score_attr: str  # the answer's attributes the fields start from
    text_attr: str

    def __init__(self, *args: Any, answers: list[AssessmentAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Numbered in the order the page shows them, which the labels repeat ("score of item 3"),
        # so that each field has a name of its own for screen readers.
        self.answers = sorted(answers, key=lambda a: (SECTION_ORDER[a.item.section], a.item.order, a.item.pk))
        for number, answer in enumerate(self.answers, start=1):
            item = answer.item
            self.fields[f"score_{item.pk}"] = forms.IntegerField(
                label=format_lazy(self.score_label, number=number),
                required=False,
                min_value=0,
                max_value=item.max_score,
                initial=getattr(answer, self.score_attr),
                help_text=_("0 to %(max)s points") % {"max": item.max_score},
            )
            self.fields[f"text_{item.pk}"] = CleanCharField(
                label=format_lazy(self.text_label, number=number),
                required=False,
                max_length=self.text_limit,
                initial=getattr(answer, self.text_attr),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def sections(self) -> list[Section]:
        rows = [
            AnswerRow(number, answer, self[f"score_{answer.item.pk}"], self[f"text_{answer.item.pk}"])
            for number, answer in enumerate(self.answers, start=1)
        ]
        return sections(rows, item="item")

    def aliases(self) -> dict[str, str]:
        """The service reports `answers.3.self_score`: the fourth entry, which is this form's
        fourth item."""
        aliases = {}
        for index, answer in enumerate(self.answers):
            where = f"{self.list_name}.{index}"
            aliases[f"{where}.self_score"] = aliases[f"{where}.review_score"] = f"score_{answer.item.pk}"
            aliases[f"{where}.evidence"] = aliases[f"{where}.note"] = f"text_{answer.item.pk}"
        return aliases

    def score_of(self, answer: AssessmentAnswer) -> tuple[int | None, str]:
        return (
            self.cleaned_data.get(f"score_{answer.item.pk}"),
            self.cleaned_data.get(f"text_{answer.item.pk}") or "",
        )


class AnswersForm(_ScoresForm):
    score_label = _("Self-assessed score of item {number}")
    text_label = _("Evidence for item {number}")
    text_limit = MAX_EVIDENCE
    list_name = "answers"
    score_attr, text_attr = "self_score", "evidence"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.data.get("then") == "submit":  # say which items still need a score, item by item
            for answer in self.answers:
                name = f"score_{answer.item.pk}"
                if name in cleaned and cleaned[name] is None:
                    self.add_error(name, _("Give this item a score before submitting."))
        return cleaned

    def inputs(self) -> list[AnswerInput]:
        return [AnswerInput(answer.item.pk, *self.score_of(answer)) for answer in self.answers]


class ReviewForm(_ScoresForm):
    score_label = _("Reviewed score of item {number}")
    text_label = _("Note on item {number}")
    text_limit = MAX_NOTE
    list_name = "scores"
    score_attr, text_attr = "review_score", "review_note"

    def __init__(self, *args: Any, answers: list[AssessmentAnswer], opinion: str, **kwargs: Any) -> None:
        super().__init__(*args, answers=answers, **kwargs)
        self.fields["opinion"] = CleanCharField(
            label=_("Review opinion"),
            required=False,
            max_length=MAX_OPINION,
            initial=opinion,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Shown to the union with the published rating."),
        )

    def inputs(self) -> list[ReviewInput]:
        return [ReviewInput(answer.item.pk, *self.score_of(answer)) for answer in self.answers]


class ReturnForm(forms.Form):
    comment = CleanCharField(
        label=_("Reason for returning it"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The union sees this and reworks its self-assessment."),
    )


def _threshold_fields() -> dict[str, forms.IntegerField]:
    return {
        name: forms.IntegerField(
            label=_("Minimum score for %(stars)s stars") % {"stars": stars},
            min_value=1,
            max_value=MAX_THRESHOLD,
            initial=default,
        )
        for name, stars, default in zip(THRESHOLD_FIELDS, STAR_LEVELS, DEFAULT_THRESHOLDS, strict=True)
    }


class ChecklistEditForm(forms.Form):
    title = CleanCharField(label=_("Title"), max_length=MAX_TITLE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_threshold_fields())

    def thresholds(self) -> list[int]:
        return [self.cleaned_data[name] for name in THRESHOLD_FIELDS]


class ChecklistForm(ChecklistEditForm):
    """A new checklist: which federation issues it, for which year, and whether to start from the
    default six-haves items."""

    org = forms.TypedChoiceField(label=_("Issued by"), coerce=int, choices=[])
    year = _year_field()
    default_items = forms.BooleanField(
        label=_("Start from the default six-haves items (20 items, 100 points)"), required=False, initial=True
    )
    field_order = ["org", "year", "title", *THRESHOLD_FIELDS, "default_items"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuers = list(issuing_orgs(user).order_by("path")[:MAX_ORG_CHOICES])
        field = self.fields["org"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = org_choices(issuers)
        self.issuers = {org.pk: org for org in issuers}
        year = timezone.localdate().year
        self.fields["year"].initial = year
        self.fields["title"].initial = default_title(year)
        self.order_fields(self.field_order)

    def issuer(self) -> Org:
        return self.issuers[self.cleaned_data["org"]]


class ItemForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=SixHaves.choices)
    text = CleanCharField(
        label=_("Requirement"), max_length=MAX_ITEM_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    max_score = forms.IntegerField(label=_("Maximum score"), min_value=1, max_value=MAX_ITEM_SCORE)
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=MAX_ORDER,
        initial=0,
        help_text=_("Items are listed by section, then by this number."),
    )
