"""Console forms of the orgs app. Forms only parse and check input; services do the writing and
the rules that need the database (`gonghui.core.forms.show_domain_error` shows their refusals)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Field, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.errors import DomainError
from gonghui.core.forms import FilterForm, show_domain_error
from gonghui.core.inputs import MAX_ID, CleanCharField
from gonghui.core.spreadsheets import file_suffix_format, unsupported_file_message
from gonghui.orgs.models import (
    FederationLevel,
    ImportKind,
    ImportMode,
    Industry,
    JointUnionArea,
    OfficerPosition,
    OfficerTerm,
    OfficerTermState,
    Org,
    OrgKind,
    Ownership,
    Role,
    Workplace,
)
from gonghui.orgs.services.imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from gonghui.orgs.services.tree import normalize_code
from gonghui.orgs.services.workplaces import MAX_EMPLOYEES, WORKPLACE_SORTS, WorkplaceData


def _label(field: str) -> Any:
    model_field = Org._meta.get_field(field)
    assert isinstance(model_field, Field)
    return model_field.verbose_name


# --- the tree ------------------------------------------------------------------------------


class OrgForm(forms.Form):
    """An organisation's details, for adding one and for editing one."""

    code = CleanCharField(
        label=_label("code"),
        max_length=32,
        help_text=_("Letters, digits and hyphens; no two organisations share a code."),
    )
    name = CleanCharField(label=_label("name"), max_length=120)
    short_name = CleanCharField(label=_label("short_name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_label("kind"), choices=OrgKind.choices)
    level = forms.ChoiceField(
        label=_label("level"),
        choices=[("", _("Not a federation")), *FederationLevel.choices],
        required=False,
        help_text=_("Federations only."),
    )
    area = forms.ChoiceField(
        label=_label("area"),
        choices=[("", _("Not a joint union")), *JointUnionArea.choices],
        required=False,
        help_text=_("Joint unions only."),
    )
    district = CleanCharField(label=_label("district"), max_length=40, required=False)
    address = CleanCharField(label=_label("address"), max_length=200, required=False)
    contact_name = CleanCharField(label=_label("contact_name"), max_length=40, required=False)
    contact_phone = CleanCharField(label=_label("contact_phone"), max_length=20, required=False)
    founded_on = forms.DateField(
        label=_label("founded_on"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @classmethod
    def initial_for(cls, org: Org) -> dict[str, Any]:
        return {name: getattr(org, name) for name in cls.base_fields}


class OrgByCodeField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An org chosen by typing its code; only orgs in the given (scoped) queryset are found,
    and one outside it reads exactly like one that does not exist."""

    default_error_messages = {"invalid_choice": _("There is no such organisation in your area.")}

    def __init__(self, queryset: QuerySet[Org], **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(queryset, to_field_name="code", **kwargs)

    def to_python(self, value: Any) -> Org | None:
        if isinstance(value, str):
            value = normalize_code(value)
        org: Org | None = super().to_python(value)
        return org


class MoveOrgForm(forms.Form):
    new_parent = OrgByCodeField(
        Org.objects.none(),
        label=_("Code of the new superior organisation"),
        help_text=_("Search below to find the code."),
    )
    note = CleanCharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, destinations: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        assert isinstance(field, OrgByCodeField)
        field.queryset = destinations


class MergeOrgForm(forms.Form):
    target = OrgByCodeField(
        Org.objects.none(),
        label=_("Code of the union to merge into"),
        help_text=_("Search below to find the code."),
    )
    note = CleanCharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, targets: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, OrgByCodeField)
        field.queryset = targets


class DissolveOrgForm(forms.Form):
    note = CleanCharField(label=_("Reason"), max_length=500, required=False)


# --- officers and roles -------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


_DATE_ERRORS = {"invalid": _("Enter a date such as 2026-11-25.")}


class OfficerTermForm(forms.Form):
    name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=60)
    position = forms.ChoiceField(label=_("Position"), choices=OfficerPosition.choices)
    elected_on = forms.DateField(
        label=_("Election date"), required=False, widget=DateInput(), error_messages=_DATE_ERRORS
    )
    term_start = forms.DateField(label=_("Term start"), widget=DateInput(), error_messages=_DATE_ERRORS)
    term_end = forms.DateField(
        label=_("Term end"),
        widget=DateInput(),
        error_messages=_DATE_ERRORS,
        help_text=_("Federations are reminded 90 days before a term ends."),
    )
    contact_phone = CleanCharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        help_text=_("Mobile number, or landline with area code such as 0574-87654321."),
    )
    username = CleanCharField(
        label=_("Console account"),
        max_length=40,
        required=False,
        help_text=_("The username of the officer's console account, if they have one."),
    )

    @classmethod
    def for_term(cls, term: OfficerTerm, data: Any = None) -> OfficerTermForm:
        initial = {
            "name": term.name,
            "position": term.position,
            "elected_on": term.elected_on,
            "term_start": term.term_start,
            "term_end": term.term_end,
            "contact_phone": term.contact_phone,
            "username": term.user.username if term.user is not None else "",
        }
        return cls(data, initial=initial)


class OfficerTermEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Left office on"), widget=DateInput(), error_messages=_DATE_ERRORS)
    reason = CleanCharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example: re-election held, resigned, retired, moved to another workplace."),
    )


class OfficerFilterForm(forms.Form):
    """The filters of the officer list; anything invalid is ignored rather than refused."""

    STATE_ALL = "all"

    q = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=60, required=False)
    position = forms.ChoiceField(
        label=_("Position"), choices=[("", _("All positions")), *OfficerPosition.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[*OfficerTermState.choices, (STATE_ALL, _("All"))],
        required=False,
    )
    org = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)


class RoleGrantForm(forms.Form):
    username = CleanCharField(
        label=_("Username"),
        max_length=40,
        help_text=_("The console account of the person, for example zhang.san."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class OfficerAccountForm(forms.Form):
    username = CleanCharField(
        label=_("Username"),
        max_length=40,
        help_text=_("3 to 40 letters, digits, '_', '.' or '-', starting with a letter, e.g. zhang.san."),
    )
    display_name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=60)
    mobile = CleanCharField(label=_("Mobile number"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


# --- workplaces ----------------------------------------------------------------------------------

# "C 制造业": the GB/T 4754 section letter, which officers also meet in registry extracts.
INDUSTRY_CHOICES = [(value, format_lazy("{} {}", value, label)) for value, label in Industry.choices]


class WorkplaceForm(forms.Form):
    """A workplace's details, for registering one and for editing one. The area and the union are
    typed as org codes and found only among the orgs the view passes (the officer's scope)."""

    name = CleanCharField(label=_("Name"), max_length=120)
    credit_code = CleanCharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as printed on the business licence."),
    )
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "---------"), *INDUSTRY_CHOICES])
    ownership = forms.ChoiceField(label=_("Ownership"), choices=[("", "---------"), *Ownership.choices])
    employee_count = forms.IntegerField(label=_("Number of employees"), min_value=0, max_value=MAX_EMPLOYEES)
    address = CleanCharField(label=_("Address"), max_length=200, required=False)
    district = CleanCharField(label=_("District"), max_length=40, required=False)
    jurisdiction = OrgByCodeField(
        Org.objects.none(),
        label=_("Area federation (code)"),
        help_text=_("The code of the township or street federation, or joint union, whose area it lies in."),
    )
    union = OrgByCodeField(
        Org.objects.none(),
        label=_("Covering union (code)"),
        required=False,
        help_text=_("Leave empty while the workplace has no union."),
    )

    # Field names of the service (and the API) that differ from this form's.
    SERVICE_FIELDS = {"jurisdiction_id": "jurisdiction", "union_id": "union"}

    def __init__(self, *args: Any, areas: QuerySet[Org], unions: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("jurisdiction", areas), ("union", unions)):
            field = self.fields[name]
            assert isinstance(field, OrgByCodeField)
            field.queryset = queryset

    @staticmethod
    def initial_for(workplace: Workplace) -> dict[str, Any]:
        return {
            "name": workplace.name,
            "credit_code": workplace.credit_code,
            "industry": workplace.industry,
            "ownership": workplace.ownership,
            "employee_count": workplace.employee_count,
            "address": workplace.address,
            "district": workplace.district,
            "jurisdiction": workplace.jurisdiction.code if workplace.jurisdiction else "",
            "union": workplace.union.code if workplace.union else "",
        }

    def workplace_data(self) -> WorkplaceData:
        data = self.cleaned_data
        union: Org | None = data.get("union")
        return WorkplaceData(
            credit_code=data["credit_code"],
            name=data["name"],
            industry=data["industry"],
            ownership=data["ownership"],
            employee_count=data["employee_count"],
            address=data.get("address") or "",
            district=data.get("district") or "",
            jurisdiction_id=data["jurisdiction"].pk,
            union_id=union.pk if union is not None else None,
        )

    def apply_service_error(self, error: DomainError) -> None:
        show_domain_error(self, error, self.SERVICE_FIELDS)


class WorkplaceFilterForm(FilterForm):
    """The filters of the workplace list. An invalid filter is reported and not applied."""

    q = CleanCharField(label=_("Name or credit code"), max_length=120, required=False)
    district = CleanCharField(label=_("District"), max_length=40, required=False)
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("All industries")), *INDUSTRY_CHOICES], required=False
    )
    ownership = forms.ChoiceField(
        label=_("Ownership"), choices=[("", _("All ownership types")), *Ownership.choices], required=False
    )
    unionised = forms.ChoiceField(
        label=_("Union status"),
        choices=[("", _("With or without")), ("yes", _("Has a union")), ("no", _("No union yet"))],
        required=False,
    )
    union = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)
    area = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        choices=[(key, key) for key in WORKPLACE_SORTS], required=False, widget=forms.HiddenInput
    )


# --- importing lists ------------------------------------------------------------------------------


class ListImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The list holds"),
        choices=ImportKind.choices,
        initial=ImportKind.WORKPLACES,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("An .xlsx workbook or a .csv file (UTF-8 or GBK), at most {size} MB and {rows} rows."),
            size=MAX_IMPORT_BYTES // (1024 * 1024),
            rows=f"{MAX_IMPORT_ROWS:,}",
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("When some rows have problems"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split the list."),
                params={
                    "size": f"{upload.size / (1024 * 1024):.1f}",
                    "limit": MAX_IMPORT_BYTES // (1024 * 1024),
                },
            )
        if file_suffix_format(upload.name or "") is None:
            raise ValidationError(unsupported_file_message())
        return upload
