"""Forms of the counselling console pages (officers and the counsellor's desk)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from gonghui.core.inputs import CleanCharField
from gonghui.counselling.models import Mode
from gonghui.counselling.services import bookings, counsellors, slots

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CounsellorForm(forms.Form):
    org = CleanCharField(
        label=gettext_lazy("Code of the offering union"),
        max_length=32,
        help_text=gettext_lazy("Members of this union and of every union under it may book."),
    )
    display_name = CleanCharField(
        label=gettext_lazy("Name shown to members"), max_length=counsellors.DISPLAY_NAME_MAX
    )
    qualifications = CleanCharField(
        label=gettext_lazy("Qualifications"), max_length=counsellors.QUALIFICATIONS_MAX
    )
    offers_online = forms.BooleanField(
        label=gettext_lazy("Offers online sessions"), required=False, initial=True
    )
    offers_in_person = forms.BooleanField(
        label=gettext_lazy("Offers in-person sessions"), required=False, initial=True
    )
    username = CleanCharField(label=gettext_lazy("Username for signing in"), max_length=40)
    password = forms.CharField(
        label=gettext_lazy("Initial password"), max_length=128, widget=forms.PasswordInput(render_value=False)
    )


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"),
        min_value=slots.MIN_MINUTES,
        max_value=slots.MAX_MINUTES,
        initial=50,
    )
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=Mode.choices)
    location = CleanCharField(
        label=gettext_lazy("Location"),
        required=False,
        max_length=slots.LOCATION_MAX,
        help_text=gettext_lazy("For in-person sessions: the address and room."),
    )
    weeks = forms.IntegerField(
        label=gettext_lazy("Repeat weekly for"),
        min_value=1,
        max_value=slots.MAX_WEEKS,
        initial=1,
        help_text=gettext_lazy("1 for this date only; 4 for the same hour in each of the next four weeks."),
    )

    def data_for_service(self) -> slots.SlotInput:
        data = self.cleaned_data
        return slots.SlotInput(
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            mode=data["mode"],
            location=data["location"] or "",
            weeks=data["weeks"],
        )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("My notes"),
        max_length=bookings.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Only you can read these notes; the member and union officers cannot."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"),
        max_length=bookings.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "The member reads this in the portal; the SMS only says the session is cancelled."
        ),
    )
