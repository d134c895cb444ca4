"""Forms of the console's member registry: the list's search and filters, the export, editing a
member's details and adding one member. The forms only parse; the rules are the services'
(gonghui.members.services.records), whose errors `gonghui.core.forms.show_domain_error` puts
next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.inputs import CleanCharField
from gonghui.members.models import GigOccupation, Member, MemberStatus
from gonghui.members.selectors import MemberCategory
from gonghui.members.services.exports import ExportFormat
from gonghui.members.services.records import (
    EDITABLE_FIELDS,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PLATFORM_MAX_LENGTH,
    workplace_message,
    workplaces_for,
)
from gonghui.orgs.models import Workplace

ALL_STATUSES = "all"
# A select lists a union's workplaces up to this many; beyond, the officer types a credit code.
WORKPLACE_CHOICE_LIMIT = 300


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberFilterForm(forms.Form):
    """The search and filters of the member list; the export carries the same fields."""

    q = CleanCharField(
        label=_("Name, ID or mobile number"),
        required=False,
        max_length=60,
        help_text=_("The beginning of a name, or a complete ID number or mobile number"),
    )
    whole_name = forms.BooleanField(label=_("Whole name only"), required=False)
    org = CleanCharField(
        label=_("Organisation code"),
        required=False,
        max_length=32,
        help_text=_("Members of this organisation and everything under it"),
    )
    workplace = CleanCharField(
        label=_("Workplace"),
        required=False,
        max_length=120,
        help_text=_("Part of the workplace's name, or its credit code"),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *MemberCategory.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*MemberStatus.choices, (ALL_STATUSES, _("All statuses"))],
        initial=MemberStatus.ACTIVE,
    )

    def status_filter(self) -> str:
        """The status to list: active unless another (or all) was chosen."""
        status = self.cleaned_data.get("status") or MemberStatus.ACTIVE
        return "" if status == ALL_STATUSES else str(status)

    def carried(self) -> list[tuple[str, str]]:
        """(name, value) of the filters as given, to carry into the export form."""
        return [(name, str(self.data[name])) for name in self.fields if self.data.get(name)]


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("File type"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )
    full_numbers = forms.BooleanField(
        label=_("Full names, ID and mobile numbers (recorded in the audit log)"), required=False
    )


class _CategoryFields(forms.Form):
    is_gig_worker = forms.BooleanField(label=_("Gig worker (new forms of employment)"), required=False)
    gig_occupation = forms.ChoiceField(
        label=_("Platform work"),
        required=False,
        choices=[("", _("— not a gig worker —")), *GigOccupation.choices],
    )
    gig_platform = CleanCharField(
        label=_("Platform"),
        required=False,
        max_length=PLATFORM_MAX_LENGTH,
        help_text=_("For example Meituan, Ele.me, Didi"),
    )
    is_migrant_worker = forms.BooleanField(label=_("Migrant worker"), required=False)
    is_model_worker = forms.BooleanField(label=_("Model worker"), required=False)


class MemberEditForm(_CategoryFields):
    """A member's correctable details. The workplace is picked from those the member's union
    covers or has in its area, or typed as a credit code when there are too many to list."""

    name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=NAME_MAX_LENGTH)
    mobile = CleanCharField(
        label=_("Mobile number"),
        required=False,
        max_length=30,
        help_text=_("11 digits; leave empty if there is none"),
    )
    joined_on = forms.DateField(label=_("Join date"), widget=_date_input())
    note = CleanCharField(
        label=_("Reason for the change"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Kept in the member's history"),
    )

    field_order = [*EDITABLE_FIELDS, "note"]

    def __init__(self, *args: Any, member: Member, workplaces: list[Workplace] | None, **kwargs: Any) -> None:
        """`workplaces`: those to offer, or None when there are too many to list."""
        super().__init__(*args, **kwargs)
        self.member = member
        self.by_code = workplaces is None
        if workplaces is None:
            self.fields["workplace"] = CleanCharField(
                label=_("Workplace credit code"),
                required=False,
                max_length=40,
                help_text=_("Leave empty for none"),
            )
        else:
            self.fields["workplace"] = forms.ChoiceField(
                label=_("Workplace"),
                required=False,
                choices=[("", _("— none —")), *((str(w.pk), w.name) for w in workplaces)],
            )
        self.order_fields(self.field_order)

    def clean_workplace(self) -> int | None:
        """The id of the workplace chosen, or None for none."""
        value = self.cleaned_data["workplace"]
        if not value:
            return None
        if not self.by_code:
            return int(value)
        code = str(value).replace(" ", "").upper()
        found: int | None = (
            workplaces_for(self.member.org).filter(credit_code=code).values_list("id", flat=True).first()
        )
        if found is None:
            raise forms.ValidationError(workplace_message(self.member.org))
        return found

    @staticmethod
    def initial_for(member: Member, *, by_code: bool) -> dict[str, Any]:
        workplace = member.workplace
        chosen = ""
        if workplace is not None:
            chosen = workplace.credit_code if by_code else str(workplace.pk)
        return {
            "name": member.name,
            "mobile": member.mobile,
            "workplace": chosen,
            "is_gig_worker": member.is_gig_worker,
            "gig_occupation": member.gig_occupation,
            "gig_platform": member.gig_platform,
            "is_migrant_worker": member.is_migrant_worker,
            "is_model_worker": member.is_model_worker,
            "joined_on": member.joined_on,
        }


class MemberAddForm(_CategoryFields):
    org = CleanCharField(
        label=_("Union code"),
        max_length=32,
        help_text=_("The grassroots, joint or industry union the person joins"),
    )
    name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=NAME_MAX_LENGTH)
    id_number = CleanCharField(
        label=_("ID number"),
        max_length=40,
        help_text=_("18 characters (15 for an old ID card); birth date and sex are read from it"),
    )
    mobile = CleanCharField(label=_("Mobile number"), required=False, max_length=30)
    workplace = CleanCharField(
        label=_("Workplace credit code"),
        required=False,
        max_length=40,
        help_text=_("A workplace the union covers or that lies in its area; leave empty for none"),
    )
    joined_on = forms.DateField(
        label=_("Join date"), required=False, widget=_date_input(), help_text=_("Today when left empty")
    )
    note = CleanCharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)

    field_order = [
        "org",
        "name",
        "id_number",
        "mobile",
        "workplace",
        "is_gig_worker",
        "gig_occupation",
        "gig_platform",
        "is_migrant_worker",
        "is_model_worker",
        "joined_on",
        "note",
    ]
