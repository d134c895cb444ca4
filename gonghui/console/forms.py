"""Filter forms of console pages that belong to no single app."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.inputs import CleanCharField


class AuditFilterForm(forms.Form):
    """Filters of the audit log. Every field is optional; an invalid one is reported and the
    list is not filtered by it (an empty result would look like "nothing happened")."""

    actor = CleanCharField(label=_("Actor (username)"), required=False, max_length=40)
    org = CleanCharField(label=_("Organisation code"), required=False, max_length=32)
    action = CleanCharField(
        label=_("Action"),
        required=False,
        max_length=80,
        help_text=_("For example orgs.move, or orgs. for all"),
    )
    object_type = CleanCharField(label=_("Object type"), required=False, max_length=80)
    object_id = CleanCharField(label=_("Object ID"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since: date | None = data.get("since")
        until: date | None = data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", _("Give the object type with the object ID."))
        return data
