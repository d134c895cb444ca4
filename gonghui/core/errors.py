"""Domain errors: the one family of exceptions services raise for people to read.

The API turns each into `{"code", "message", "fields"}` with its HTTP status; views show the
message (Chinese through gettext) next to the form or as a toast.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _


class DomainError(Exception):
    code = "invalid"
    status = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] = fields or {}


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class FieldErrors:
    """Field errors collected over a whole input, so that a person sees them all at once
    instead of correcting one field per round trip."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str | Promise) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def replace(self, field: str, message: str | Promise) -> None:
        """`message` as the field's only error: for a problem that makes the others moot."""
        self.fields[field] = [str(message)]

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, message: str | Promise | None = None) -> None:
        if self.fields:
            raise ValidationFailed(
                message or _("Some of the data is not valid. See the fields."), fields=self.fields
            )


class NotFound(DomainError):
    """Also raised for objects outside the actor's scope: the two must look the same."""

    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class Conflict(DomainError):
    code = "conflict"
    status = 409


class InvalidTransition(Conflict):
    code = "invalid_transition"
