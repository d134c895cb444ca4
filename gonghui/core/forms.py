"""Showing a service's refusal on a Django form.

Services check what needs the database and raise a DomainError whose `fields` name the inputs
at fault. Views show it with `show_domain_error`, so every form places those messages the same
way: next to the field they name, and anything not about one of the form's fields above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from gonghui.core.documents import MAX_DOCUMENT_BYTES
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files from one input. Each one's type and size are checked by the service that
    stores it (gonghui.core.documents), from the bytes."""

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        clean_one = super().clean  # a comprehension has no zero-argument super() of its own
        return [clean_one(item, initial) for item in files]


def documents_field(label: Any = None, *, required: bool = False, help_text: Any = None) -> DocumentsField:
    """A field for case documents: photos or PDFs, several at once."""
    return DocumentsField(
        label=label or gettext_lazy("Photos or PDF files"),
        required=required,
        help_text=help_text
        or gettext_lazy("Photos (JPEG, PNG, WebP) or PDF files, at most %(size)s MB each.")
        % {"size": MAX_DOCUMENT_BYTES // 2**20},
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}),
    )
