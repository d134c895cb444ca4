"""Showing a service's refusal on a Django form.

Services check what needs the database and raise a DomainError whose `fields` name the inputs
at fault. Views show it with `show_domain_error`, so every form places those messages the same
way: next to the field they name, and anything not about one of the form's fields above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from gonghui.core.errors import DomainError


def show_domain_error(form: forms.Form, error: DomainError, aliases: Mapping[str, str] | None = None) -> None:
    """Put `error` on `form`: each field message next to its field, the rest above the form.

    `aliases` maps a service's field name (or path, e.g. "answers.3") to the form field that
    stands for it, for forms whose fields are named differently from the service's arguments.
    A field listed without messages gets the error's own message, so a refusal never leaves the
    form looking valid; an error naming no field shows its message above the form."""
    shown = False
    for path, messages in error.fields.items():
        name = (aliases or {}).get(path, path)
        for message in messages or [error.message]:
            form.add_error(name if name in form.fields else None, message)
        shown = True
    if not shown:
        form.add_error(None, error.message)


class FilterForm(forms.Form):
    """A list's filters (GET): an invalid filter is dropped and shown as the field's error,
    never an error page."""

    def valid_data(self) -> dict[str, Any]:
        """The values that passed validation; the invalid ones stay on the form as errors."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }
