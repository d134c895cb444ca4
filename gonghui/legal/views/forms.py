"""Forms of the legal console pages, the lawyer's desk and the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.documents import MAX_DOCUMENT_BYTES, check_document, too_many_documents
from gonghui.core.errors import ValidationFailed
from gonghui.core.forms import FilterForm, documents_field
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanCharField
from gonghui.legal.models import MAX_NAME, MAX_REASON, MAX_TEXT, AidStatus, Channel, Lawyer, Outcome, Topic
from gonghui.legal.services import aid as aid_services
from gonghui.legal.services import lawyers as lawyer_services
from gonghui.legal.services.consultations import OFFICER_CHANNELS

TEXTAREA = {"rows": 5}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


# --- consultations ------------------------------------------------------------------------------


class ConsultationFilterForm(FilterForm):
    queue = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("awaiting", gettext_lazy("Waiting for an answer")),
            ("overdue", gettext_lazy("Overdue")),
        ],
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False, choices=_blank(Topic.choices))
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), required=False, choices=_blank(Channel.choices)
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)


class ConsultationLogForm(forms.Form):
    org = CleanCharField(label=gettext_lazy("Code of the union"), max_length=32)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=[(c.value, c.label) for c in Channel if c in OFFICER_CHANNELS]
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), choices=Topic.choices)
    asked_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE_INPUT)
    asker_name = CleanCharField(label=gettext_lazy("Name of the worker"), max_length=MAX_NAME, required=False)
    asker_mobile = CleanCharField(label=gettext_lazy("Mobile number"), max_length=20, required=False)
    question = forms.CharField(
        label=gettext_lazy("Question"), max_length=MAX_TEXT, widget=forms.Textarea(TEXTAREA)
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer given"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(TEXTAREA),
        help_text=gettext_lazy("Leave empty if the question still needs an answer: it goes into the queue."),
    )
    lawyer = forms.ModelChoiceField(
        label=gettext_lazy("Answered by a volunteer lawyer"),
        queryset=Lawyer.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty when you answered yourself."),
    )

    def __init__(self, *args: Any, lawyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = lawyers  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Answer"), max_length=MAX_TEXT, widget=forms.Textarea(TEXTAREA))


class ReferForm(forms.Form):
    lawyer = forms.ModelChoiceField(
        label=gettext_lazy("Refer to a volunteer lawyer"),
        queryset=Lawyer.objects.none(),
        required=False,
        help_text=gettext_lazy("Empty: take the referral back."),
    )

    def __init__(self, *args: Any, lawyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = lawyers  # type: ignore[attr-defined]


class AskForm(forms.Form):
    topic = forms.ChoiceField(label=gettext_lazy("What is your question about?"), choices=Topic.choices)
    question = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 6}),
        help_text=gettext_lazy(
            "Describe what happened and what you want to know. Only the union's handlers read it."
        ),
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ask a follow-up question"),
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 4}),
    )


# --- documents ---------------------------------------------------------------------------------


def read_documents(files: list[UploadedFile], already: int = 0) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The files' names and bytes, and one message per refused file naming it."""
    if already + len(files) > aid_services.MAX_DOCUMENTS:
        return [], [too_many_documents(aid_services.MAX_DOCUMENTS).message]
    documents: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for upload in files:
        name = upload.name or _("(no name)")
        try:
            content = read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)
            check_document(content)
        except FileTooLarge:
            reason = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
                "size": MAX_DOCUMENT_BYTES // 2**20
            }
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": reason})
            continue
        except ValidationFailed as error:
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": error.message})
            continue
        documents.append((name, content))
    return documents, problems


class DocumentForm(forms.Form):
    documents = documents_field(gettext_lazy("Add documents"), required=True)


# --- legal aid ---------------------------------------------------------------------------------


class AidFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=_blank(AidStatus.choices)
    )
    matter_type = forms.ChoiceField(
        label=gettext_lazy("Type of matter"), required=False, choices=_blank(Topic.choices)
    )
    overdue = forms.BooleanField(label=gettext_lazy("Review overdue only"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)


class AidForm(forms.Form):
    """What a worker (portal) or an officer for them (console) writes in an application."""

    matter_type = forms.ChoiceField(label=gettext_lazy("Type of matter"), choices=Topic.choices)
    description = forms.CharField(
        label=gettext_lazy("Description of the matter"),
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 6}),
    )
    employer_name = CleanCharField(label=gettext_lazy("Employer (the opposing party)"), max_length=120)
    amount_at_stake = CleanCharField(
        label=gettext_lazy("Amount at stake (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    household_size = forms.IntegerField(
        label=gettext_lazy("People in your household"),
        min_value=1,
        max_value=aid_services.MAX_HOUSEHOLD,
        required=False,
        help_text=gettext_lazy(
            "With the household income, this checks the low-income ground. Optional for members."
        ),
    )
    household_monthly_income = CleanCharField(
        label=gettext_lazy("Monthly household income (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    applicant_mobile = CleanCharField(label=gettext_lazy("Mobile number"), max_length=20, required=False)
    documents = documents_field(gettext_lazy("Documents (contract, pay slips, photos)"))

    def aid_input(self, *, applicant_name: str = "") -> aid_services.AidInput:
        data = self.cleaned_data
        return aid_services.AidInput(
            matter_type=data["matter_type"],
            description=data["description"],
            employer_name=data["employer_name"],
            amount_at_stake=data.get("amount_at_stake") or "",
            household_size=data.get("household_size"),
            household_monthly_income=data.get("household_monthly_income") or "",
            applicant_name=applicant_name,
            applicant_mobile=data.get("applicant_mobile") or "",
        )


class OfficerAidForm(AidForm):
    org = CleanCharField(label=gettext_lazy("Code of the union"), max_length=32)
    applicant_name = CleanCharField(label=gettext_lazy("Applicant"), max_length=MAX_NAME)
    member_id_number = CleanCharField(
        label=gettext_lazy("Member's ID number (if a member)"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["org", "applicant_name", "applicant_mobile", "member_id_number"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=MAX_REASON, widget=forms.Textarea({"rows": 2})
    )


class AssignForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=gettext_lazy("Volunteer lawyer"), queryset=Lawyer.objects.none())

    def __init__(self, *args: Any, lawyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = lawyers  # type: ignore[attr-defined]


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices)
    amount_recovered = CleanCharField(
        label=gettext_lazy("Amount recovered (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), max_length=MAX_TEXT, widget=forms.Textarea(TEXTAREA)
    )


class ReassignForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=gettext_lazy("New lawyer"), queryset=Lawyer.objects.none())
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=MAX_REASON, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, lawyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = lawyers  # type: ignore[attr-defined]


class FactsForm(forms.Form):
    """The facts eligibility rests on, corrected by an officer before the decision."""

    household_size = forms.IntegerField(
        label=gettext_lazy("People in the household"),
        min_value=1,
        max_value=aid_services.MAX_HOUSEHOLD,
        required=False,
    )
    household_monthly_income = CleanCharField(
        label=gettext_lazy("Monthly household income (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    member_id_number = CleanCharField(
        label=gettext_lazy("Member's ID number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("To link the applicant's membership. Empty: keep the current link."),
    )
    comment = CleanCharField(label=gettext_lazy("Comment (optional)"), max_length=MAX_REASON, required=False)


class DeactivateForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=gettext_lazy("Lawyer who takes the open cases over"),
        queryset=Lawyer.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, lawyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = lawyers  # type: ignore[attr-defined]


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message"), max_length=MAX_TEXT, widget=forms.Textarea({"rows": 3})
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you?"),
        coerce=int,
        choices=[(5, "5 ★★★★★"), (4, "4 ★★★★"), (3, "3 ★★★"), (2, "2 ★★"), (1, "1 ★")],
        widget=forms.RadioSelect,
    )
    comment = CleanCharField(label=gettext_lazy("Comment (optional)"), max_length=MAX_REASON, required=False)


# --- lawyers -----------------------------------------------------------------------------------


class LawyerForm(forms.Form):
    name = CleanCharField(label=gettext_lazy("Name"), max_length=MAX_NAME)
    law_firm = CleanCharField(label=gettext_lazy("Law firm"), max_length=lawyer_services.LAW_FIRM_MAX)
    licence_number = CleanCharField(label=gettext_lazy("Licence number"), max_length=24)
    practice_areas = CleanCharField(
        label=gettext_lazy("Practice areas"),
        max_length=lawyer_services.PRACTICE_AREAS_MAX,
        help_text=gettext_lazy("For example: labour disputes, work injury, social insurance."),
    )

    def lawyer_input(self) -> lawyer_services.LawyerInput:
        data = self.cleaned_data
        return lawyer_services.LawyerInput(
            name=data["name"],
            law_firm=data["law_firm"],
            licence_number=data["licence_number"],
            practice_areas=data["practice_areas"],
        )


class NewLawyerForm(LawyerForm):
    org = CleanCharField(
        label=gettext_lazy("Code of the union served"),
        max_length=32,
        help_text=gettext_lazy("The lawyer takes cases of this union and of every union under it."),
    )
    field_order = ["org"]


class AccountForm(forms.Form):
    username = CleanCharField(label=gettext_lazy("Username for signing in"), max_length=40)
    password = forms.CharField(
        label=gettext_lazy("Initial password"), max_length=128, widget=forms.PasswordInput(render_value=False)
    )
