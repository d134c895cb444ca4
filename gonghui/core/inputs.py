"""Text input as people type it, made clean once for forms and API schemas alike.

Every free-text field goes through `normalize_text` (full-width ASCII to half-width, runs of
whitespace to one space, trimmed) and refuses control characters, which cannot be shown and
which PostgreSQL refuses outright (NUL). Forms use `CleanCharField`; ninja schemas `CleanText`.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator

from gonghui.core.text import normalize_text


def _normalized(value: Any) -> Any:
    # Anything but a string is left for the field or pydantic to refuse with its type error.
    return normalize_text(value) if isinstance(value, str) else value


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cs"} for char in value)


def text_problem(text: str, *, max_length: int, required: bool) -> str | None:
    """What is wrong with an already normalised text for a field, in words for the person; None if nothing."""
    if has_control_characters(text):
        return _("Use letters, digits, spaces and punctuation only.")
    if required and not text:
        return _("This field is required.")
    if len(text) > max_length:
        return _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
    return None


def clean_multiline(value: Any, *, field: str, max_length: int, errors: Any) -> str:
    """A text of several lines (a description): each line normalised, blank lines at either end
    dropped; problems noted in `errors` (a FieldErrors) under `field`."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    lines = [normalize_text(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    if has_control_characters(text.replace("\n", "")):
        errors.add(field, _("Use letters, digits, spaces and punctuation only."))
    elif len(text) > max_length:
        errors.add(field, _("Enter at most %(max_length)s characters.") % {"max_length": max_length})
    return text


def _printable(value: str) -> str:
    if has_control_characters(value):
        raise ValueError(_("Use letters, digits, spaces and punctuation only."))
    return value


# Ids are BigAutoField: a larger number typed into a form or an API call would overflow the
# database driver (an error, not just a miss), so inputs refuse it before it gets there.
MAX_ID = 2**63 - 1

CleanText = Annotated[str, BeforeValidator(_normalized), AfterValidator(_printable)]


class CleanCharField(forms.CharField):
    def to_python(self, value: Any) -> str | None:
        text = super().to_python(_normalized(value))
        if text and has_control_characters(text):
            message = _("Use letters, digits, spaces and punctuation only.")
            raise ValidationError(message, code="control_characters")
        return text
