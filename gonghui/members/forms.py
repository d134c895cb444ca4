"""Filter form of the console member list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.inputs import CleanCharField
from gonghui.members.models import MemberStatus

ALL_STATUSES = "all"


class MemberFilterForm(forms.Form):
    org = CleanCharField(
        label=_("Organisation code"),
        required=False,
        max_length=32,
        help_text=_("Members of this organisation and everything under it"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*MemberStatus.choices, (ALL_STATUSES, _("All statuses"))],
        initial=MemberStatus.ACTIVE,
    )
    q = CleanCharField(
        label=_("ID or mobile number"),
        required=False,
        max_length=40,
        help_text=_("The complete number; names cannot be searched"),
    )

    def status_filter(self) -> str:
        """The status to list: active unless another (or all) was chosen."""
        status = self.cleaned_data.get("status") or MemberStatus.ACTIVE
        return "" if status == ALL_STATUSES else str(status)
