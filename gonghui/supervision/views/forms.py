"""The console's forms for supervision. They check types and lengths; the services check the
rest (scope, dates against the record, the workflow) and their errors are put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.documents import MAX_DOCUMENT_BYTES
from gonghui.core.forms import DocumentsField, FilterForm, MultipleFileInput
from gonghui.core.inputs import CleanCharField
from gonghui.supervision.models import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    Finding,
    FollowUpResult,
    InspectionKind,
    InspectionStatus,
    NoticeKind,
    ScopeItem,
    Severity,
    Supervisor,
)
from gonghui.supervision.services import interviews, supervisors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple


class SupervisorChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.org.short_name or obj.org.name}）"


class FindingChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_item_display()}：{obj.finding}"


def org_code_field(label: Any) -> CleanCharField:
    return CleanCharField(label=label, max_length=32, help_text=_("The code of the union, e.g. MZ."))


class InspectionFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *InspectionStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *InspectionKind.choices]
    )
    district = forms.ChoiceField(label=_("District"), required=False, choices=[("", _("All"))])
    overdue = forms.BooleanField(label=_("Only with an overdue notice"), required=False)

    def __init__(self, *args: Any, districts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *((name, name) for name in districts)]


class InspectionDetailsForm(forms.Form):
    """What can be corrected on an inspection while its findings are open."""

    inspected_on = forms.DateField(label=_("Inspection date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    campaign = CleanCharField(
        label=_("Campaign name"),
        max_length=60,
        required=False,
        help_text=_("For a special campaign, e.g. 根治欠薪专项行动."),
    )
    scope_items = forms.MultipleChoiceField(
        label=_("Items checked"), choices=ScopeItem.choices, widget=CHECKBOXES
    )
    supervisors = SupervisorChoiceField(
        label=_("Supervisors present"), queryset=Supervisor.objects.none(), required=False, widget=CHECKBOXES
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=MAX_LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, supervisor_choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supervisors"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = supervisor_choices

    def details(self) -> dict[str, Any]:
        """The valid form's fields of `InspectionDetails`, as keyword arguments."""
        data = self.cleaned_data
        return {
            "inspected_on": data["inspected_on"],
            "kind": data["kind"],
            "scope_items": data["scope_items"],
            "supervisors": [supervisor.pk for supervisor in data["supervisors"]],
            "campaign": data["campaign"] or "",
            "summary": data["summary"],
        }


class InspectionForm(InspectionDetailsForm):
    org = org_code_field(_("Inspecting union"))
    credit_code = CleanCharField(
        label=_("Workplace's unified social credit code"),
        max_length=24,
        help_text=_("The 18 characters on its business licence."),
    )

    field_order = ["org", "credit_code"]


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, max_length=32)
    comment = CleanCharField(label=_("Comment"), max_length=500, required=False)


class FindingForm(forms.Form):
    item = forms.ChoiceField(label=_("Item checked"), choices=ScopeItem.choices)
    finding = forms.CharField(
        label=_("Finding"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. 《劳动合同法》第三十条."),
    )

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in ScopeItem.choices if value in items]


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of notice"), choices=NoticeKind.choices)
    findings = FindingChoiceField(
        label=_("Findings cited"), queryset=Finding.objects.none(), widget=CHECKBOXES
    )
    requirements = forms.CharField(
        label=_("Requirements"), max_length=MAX_LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    issued_on = forms.DateField(label=_("Date of issue"), widget=DATE)
    rectification_deadline = forms.DateField(
        label=_("Rectify by"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for the usual time limit: %(rule)s from the date of issue."),
    )

    def __init__(self, *args: Any, findings: Any, rule: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["findings"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = findings
        deadline = self.fields["rectification_deadline"]
        deadline.help_text = str(deadline.help_text) % {"rule": rule}


class FollowUpForm(forms.Form):
    checked_on = forms.DateField(label=_("Follow-up date"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=FollowUpResult.choices)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = DocumentsField(
        label=_("Evidence"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP) or PDF files, at most %(size)s MB each.")
        % {"size": MAX_DOCUMENT_BYTES // 2**20},
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}),
    )


class InterviewForm(forms.Form):
    org = org_code_field(_("Union"))
    credit_code = CleanCharField(label=_("Workplace's unified social credit code"), max_length=24)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    representative = CleanCharField(
        label=_("Employer's representative"),
        max_length=interviews.REPRESENTATIVE_MAX,
        help_text=_("Name and position, e.g. 张伟（总经理）."),
    )
    attendees = forms.CharField(
        label=_("Attendees"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject = CleanCharField(label=_("Subject"), max_length=interviews.SUBJECT_MAX)
    record = forms.CharField(
        label=_("Record"), max_length=MAX_LONG_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    commitments = forms.CharField(
        label=_("Commitments"),
        max_length=MAX_LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    inspection = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class SupervisorForm(forms.Form):
    org = org_code_field(_("Union"))
    name = CleanCharField(label=_("Supervisor's name"), max_length=supervisors.NAME_MAX)
    certificate_number = CleanCharField(label=_("Certificate number"), max_length=supervisors.CERTIFICATE_MAX)
    mobile = CleanCharField(label=_("Mobile"), max_length=20, required=False)
    username = CleanCharField(
        label=_("Officer account (username)"),
        max_length=40,
        required=False,
        help_text=_("When the supervisor is also an officer with an account here."),
    )
    is_active = forms.BooleanField(label=_("On the committee"), required=False, initial=True)

    def service_input(self, org_id: int) -> supervisors.SupervisorInput:
        data = self.cleaned_data
        return supervisors.SupervisorInput(
            org=org_id,
            name=data["name"],
            certificate_number=data["certificate_number"],
            mobile=data["mobile"] or "",
            username=data["username"] or "",
            is_active=data["is_active"],
        )
