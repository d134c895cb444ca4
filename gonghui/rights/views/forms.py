"""Forms of the rights pages (console, desk and portal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gonghui.core.forms import FilterForm, documents_field
from gonghui.core.inputs import CleanCharField
from gonghui.rights.models import (
    MAX_NAME,
    MAX_REASON,
    MAX_SUMMARY,
    MAX_TEXT,
    OFFICER_CHANNELS,
    CentreKind,
    ClaimItem,
    ClaimType,
    DisputeStatus,
    IntakeChannel,
    MediationCentre,
    Mediator,
    ReferralBody,
)
from gonghui.rights.services import centres as centre_services
from gonghui.rights.services import disputes as services

MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(options: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *options]


class DisputeFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=_choices(DisputeStatus.choices)
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Intake channel"), required=False, choices=_choices(IntakeChannel.choices)
    )
    claim_type = forms.ChoiceField(
        label=pgettext_lazy("dispute", "Claim"), required=False, choices=_choices(ClaimType.choices)
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"), required=False, queryset=MediationCentre.objects.none()
    )
    overdue = forms.BooleanField(label=gettext_lazy("Past the time limit"), required=False)
    collective = forms.BooleanField(label=gettext_lazy("Collective disputes"), required=False)
    q = CleanCharField(label=gettext_lazy("Number or employer"), required=False, max_length=60)

    def __init__(self, *args: Any, centres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]


class IntakeForm(forms.Form):
    org = CleanCharField(
        label=gettext_lazy("Code of the handling union"),
        max_length=32,
        help_text=gettext_lazy("The union or federation that receives and handles the dispute."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Intake channel"),
        choices=[(value, label) for value, label in IntakeChannel.choices if value in OFFICER_CHANNELS],
    )
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=date_input())
    credit_code = CleanCharField(
        label=gettext_lazy("Employer's unified social credit code"),
        required=False,
        max_length=18,
        help_text=gettext_lazy("Links the dispute to the workplace in the registry, if it is there."),
    )
    employer_name = CleanCharField(
        label=gettext_lazy("Employer as reported"), required=False, max_length=MAX_NAME
    )
    summary = CleanCharField(label=gettext_lazy("Summary"), max_length=MAX_SUMMARY)
    description = forms.CharField(
        label=gettext_lazy("What happened"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    workers_count = forms.IntegerField(
        label=gettext_lazy("Number of workers concerned"),
        min_value=1,
        max_value=100_000,
        initial=1,
        help_text=gettext_lazy(
            "10 or more make a collective dispute; the superior union is alerted at once."
        ),
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"), required=False, queryset=MediationCentre.objects.none()
    )
    mediator = forms.ModelChoiceField(
        label=gettext_lazy("Mediator"), required=False, queryset=Mediator.objects.none()
    )

    def __init__(self, *args: Any, centres: Any, mediators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["mediator"].queryset = mediators  # type: ignore[attr-defined]


class PartyForm(forms.Form):
    name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=services.PARTY_NAME_MAX)
    id_number = CleanCharField(
        label=gettext_lazy("ID number"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    mobile = CleanCharField(
        label=gettext_lazy("Mobile number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def data_for_service(self) -> services.PartyInput:
        data = self.cleaned_data
        return services.PartyInput(
            name=data["name"], id_number=data["id_number"] or "", mobile=data["mobile"] or ""
        )


class ClaimForm(forms.Form):
    type = forms.ChoiceField(label=pgettext_lazy("dispute", "Claim"), choices=_choices(ClaimType.choices))
    amount_claimed = CleanCharField(
        label=gettext_lazy("Amount claimed (yuan)"), max_length=20, widget=forms.TextInput(attrs=MONEY_ATTRS)
    )


PartyFormSet = forms.formset_factory(PartyForm, extra=3, max_num=services.MAX_PARTIES)
ClaimFormSet = forms.formset_factory(ClaimForm, extra=3, max_num=services.MAX_CLAIMS)


def filled(formset: Any) -> list[Any]:
    """The forms of a formset the person filled in (blank rows are left out)."""
    return [form for form in formset.forms if form.has_changed()]


class AssignForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"), required=False, queryset=MediationCentre.objects.none()
    )
    mediator = forms.ModelChoiceField(
        label=gettext_lazy("Mediator"), required=False, queryset=Mediator.objects.none()
    )
    comment = CleanCharField(label=gettext_lazy("Comment"), required=False, max_length=MAX_REASON)

    def __init__(self, *args: Any, centres: Any, mediators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["mediator"].queryset = mediators  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    mediator = forms.ModelChoiceField(label=gettext_lazy("Hand over to"), queryset=Mediator.objects.none())
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, mediators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = mediators  # type: ignore[attr-defined]


class DeactivateMediatorForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=gettext_lazy("Hand the disputes in hand over to"),
        required=False,
        queryset=Mediator.objects.none(),
        help_text=gettext_lazy("Required while the mediator has disputes in hand."),
    )

    def __init__(self, *args: Any, mediators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = mediators  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmountsMixin:
    """One field per claim item: the amount agreed and/or recovered."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_amounts(self, claims: Sequence[ClaimItem], *, agreed: bool) -> None:
        self.claims = list(claims)
        self.agreed = agreed
        for claim in self.claims:
            label = claim.get_type_display()
            if agreed:
                self.fields[f"agreed_{claim.pk}"] = CleanCharField(
                    label=_("%(claim)s: amount agreed (yuan; claimed %(amount)s)")
                    % {"claim": label, "amount": claim.amount_claimed},
                    max_length=20,
                    widget=forms.TextInput(attrs=MONEY_ATTRS),
                )
            self.fields[f"recovered_{claim.pk}"] = CleanCharField(
                label=_("%(claim)s: amount already recovered (yuan)") % {"claim": label},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs=MONEY_ATTRS),
            )

    def amounts(self) -> list[services.AmountInput]:
        return [
            services.AmountInput(
                claim_id=claim.pk,
                amount_agreed=self.cleaned_data.get(f"agreed_{claim.pk}") if self.agreed else None,
                amount_recovered=self.cleaned_data.get(f"recovered_{claim.pk}") or None,
            )
            for claim in self.claims
        ]

    @staticmethod
    def aliases(claims: Sequence[ClaimItem]) -> dict[str, str]:
        names: dict[str, str] = {}
        for claim in claims:
            names[f"amounts.{claim.pk}.amount_agreed"] = f"agreed_{claim.pk}"
            names[f"amounts.{claim.pk}.amount_recovered"] = f"recovered_{claim.pk}"
        return names


class SettleForm(AmountsMixin, forms.Form):
    terms = forms.CharField(
        label=gettext_lazy("Terms agreed by the parties"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=date_input())
    payment_due = forms.DateField(label=gettext_lazy("Payment due by"), required=False, widget=date_input())

    def __init__(self, *args: Any, claims: Sequence[ClaimItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_amounts(claims, agreed=True)


class ReferForm(forms.Form):
    referred_to = forms.ChoiceField(
        label=pgettext_lazy("dispute", "Referred to"), choices=ReferralBody.choices
    )
    body = CleanCharField(
        label=gettext_lazy("Receiving body"),
        max_length=MAX_NAME,
        help_text=gettext_lazy("E.g. the district labour dispute arbitration commission."),
    )
    referred_on = forms.DateField(label=gettext_lazy("Referred on"), widget=date_input())


class CloseForm(AmountsMixin, forms.Form):
    followup_on = forms.DateField(label=gettext_lazy("Follow-up visit on"), widget=date_input())
    note = forms.CharField(
        label=gettext_lazy("What the follow-up found"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, claims: Sequence[ClaimItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_amounts(claims, agreed=False)


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=gettext_lazy("New deadline"), widget=date_input())
    agreed_by = CleanCharField(
        label=gettext_lazy("Agreed by"),
        max_length=services.AGREED_BY_MAX,
        help_text=gettext_lazy("The parties who agreed, e.g. the worker and the employer's representative."),
    )
    note = CleanCharField(label=gettext_lazy("Note"), required=False, max_length=MAX_REASON)


class WorkersForm(forms.Form):
    workers_count = forms.IntegerField(
        label=gettext_lazy("Number of workers concerned"), min_value=1, max_value=100_000
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DocumentForm(forms.Form):
    attachments = documents_field(required=True)


class CentreForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CentreKind.choices)
    name = CleanCharField(label=gettext_lazy("Name"), max_length=MAX_NAME)
    address = CleanCharField(
        label=gettext_lazy("Address"), required=False, max_length=centre_services.ADDRESS_MAX
    )
    phone = CleanCharField(label=gettext_lazy("Phone"), required=False, max_length=centre_services.PHONE_MAX)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def data_for_service(self) -> centre_services.CentreInput:
        data = self.cleaned_data
        return centre_services.CentreInput(
            kind=data["kind"],
            name=data["name"],
            address=data["address"] or "",
            phone=data["phone"] or "",
            active=data["active"],
        )


class NewCentreForm(CentreForm):
    org = CleanCharField(label=gettext_lazy("Code of the union running it"), max_length=32)
    field_order = ["org", "kind", "name", "address", "phone", "active"]


class MediatorForm(forms.Form):
    name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=centre_services.MEDIATOR_NAME_MAX)
    phone = CleanCharField(
        label=gettext_lazy("Work phone"), required=False, max_length=centre_services.PHONE_MAX
    )
    username = CleanCharField(
        label=gettext_lazy("Username for signing in"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Leave empty for a mediator without a sign-in."),
    )
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with the handling?"),
        coerce=int,
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = CleanCharField(label=gettext_lazy("Comment (optional)"), required=False, max_length=MAX_REASON)
