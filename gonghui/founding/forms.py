"""Forms of the founding pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.inputs import CleanCharField
from gonghui.founding.models import (
    ApplicationAction,
    ApplicationStatus,
    DeliveryMethod,
    Initiator,
    NoticeStatus,
    UnionKind,
)
from gonghui.founding.selectors import UNFOUNDED_SORTS
from gonghui.orgs.models import Industry, JointUnionArea, Org, Ownership

# How long a workplace is given to answer a notice unless the officer says otherwise.
DEFAULT_RESPONSE_DAYS = 30


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrgChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Org) -> str:
        return obj.name


class UnfoundedFilterForm(forms.Form):
    """Filters of the unfounded-workplaces list; all optional. An invalid value is reported and
    not applied."""

    q = CleanCharField(label=_("Name or credit code"), required=False, max_length=60)
    district = forms.ChoiceField(label=_("District"), required=False)
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=_blank(_("All industries")) + list(Industry.choices)
    )
    ownership = forms.ChoiceField(
        label=_("Ownership"), required=False, choices=_blank(_("All kinds")) + list(Ownership.choices)
    )
    min_employees = forms.IntegerField(
        label=_("At least this many employees"), required=False, min_value=0, max_value=1_000_000
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in UNFOUNDED_SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, districts: list[str], threshold: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        assert isinstance(district, forms.ChoiceField)
        district.choices = _blank(_("All districts")) + [(name, name) for name in districts]
        self.fields["min_employees"].widget.attrs["placeholder"] = str(threshold)
        self.fields["min_employees"].help_text = _(
            "Empty: %(count)s, the founding threshold. 0: all sizes."
        ) % {"count": threshold}


class NoticeForm(forms.Form):
    issuing_org = OrgChoiceField(label=_("Issued by"), queryset=Org.objects.none(), empty_label=None)
    response_deadline = forms.DateField(label=_("Respond by"), widget=_date_input())
    contact_name = CleanCharField(label=_("Contact person"), max_length=40)
    contact_phone = CleanCharField(label=_("Contact phone"), max_length=20)

    def __init__(self, *args: Any, issuers: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["issuing_org"]
        assert isinstance(field, OrgChoiceField)
        field.queryset = Org.objects.filter(pk__in=[org.pk for org in issuers])
        if not self.is_bound and issuers:
            first = issuers[0]
            self.initial.setdefault("issuing_org", first.pk)
            self.initial.setdefault("contact_name", first.contact_name)
            self.initial.setdefault("contact_phone", first.contact_phone)
            self.initial.setdefault(
                "response_deadline", timezone.localdate() + timedelta(days=DEFAULT_RESPONSE_DAYS)
            )


class NoticeFilterForm(forms.Form):
    q = CleanCharField(label=_("Notice number or workplace"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("All")) + list(NoticeStatus.choices)
    )


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=_date_input())
    delivery_method = forms.ChoiceField(label=_("Delivery method"), choices=DeliveryMethod.choices)
    recipient_name = CleanCharField(label=_("Received by"), max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("delivered_on", timezone.localdate())


class ApplicationFilterForm(forms.Form):
    q = CleanCharField(label=_("Union or workplace name"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("All")) + list(ApplicationStatus.choices)
    )
    mine = forms.BooleanField(label=_("Only those waiting for my decision"), required=False)


class ApplicationForm(forms.Form):
    union_name = CleanCharField(label=_("Proposed union name"), max_length=120)
    union_kind = forms.ChoiceField(label=_("Kind of union"), choices=UnionKind.choices)
    area = forms.ChoiceField(
        label=_("Joint union area"),
        required=False,
        choices=_blank(_("Not a joint union")) + list(JointUnionArea.choices),
        help_text=_("Only for a joint union."),
    )
    parent = OrgChoiceField(
        label=_("Superior organisation"),
        queryset=Org.objects.none(),
        empty_label=None,
        help_text=_("The organisation the new union will sit under."),
    )
    initiated_by = forms.ChoiceField(label=_("Initiated by"), choices=Initiator.choices)
    employee_count = forms.IntegerField(label=_("Number of employees"), min_value=1, max_value=1_000_000)
    members_expected = forms.IntegerField(label=_("Expected members"), min_value=1, max_value=1_000_000)
    contact_name = CleanCharField(label=_("Contact person"), max_length=40)
    contact_phone = CleanCharField(label=_("Contact phone"), max_length=20)
    preparatory_note = CleanCharField(
        label=_("Preparatory committee"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who prepares the founding, and what has been done so far."),
    )

    def __init__(self, *args: Any, parents: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, OrgChoiceField)
        field.queryset = Org.objects.filter(pk__in=[org.pk for org in parents])
        if not self.is_bound and parents:
            self.initial.setdefault("parent", parents[0].pk)


class TransitionForm(forms.Form):
    """One step of the workflow; which fields matter depends on the action (see the detail page)."""

    action = forms.ChoiceField(choices=ApplicationAction.choices)
    comment = CleanCharField(label=_("Comment"), required=False, max_length=1000)
    reason = CleanCharField(
        label=_("Reason for rejection"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    union_code = CleanCharField(
        label=_("Code of the new union"),
        required=False,
        max_length=32,
        help_text=_("Leave empty to have one generated."),
    )


class SearchForm(forms.Form):
    q = CleanCharField(label=_("Name or code"), required=False, max_length=60)


class AuthorityForm(forms.Form):
    holds_founding_authority = forms.BooleanField(required=False)
