"""What the portal's "I need help" page lists of a worker's own cases, whatever app holds them.

Each app with cases a worker follows (disputes, legal consultations, legal aid applications)
offers `portal_cases(user) -> list[PortalCase]` in its `portal_cases.py`; the page merges them,
newest first. A case is found by the caller's account (or their member record), never by org.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class PortalCase:
    kind: str | Promise  # what sort of case, for people: "Labour dispute", "Legal aid" ...
    title: str  # what the worker wrote it was about (their own words, already short)
    status: str | Promise  # the status label
    updated_at: datetime  # the last change of status or the last message
    url: str  # the case's portal page
    needs_reply: bool = False  # the handlers asked the worker something, or it waits for a rating


# The apps whose cases a worker follows; each module has `portal_cases(user)`.
CASE_SOURCES: tuple[str, ...] = ("gonghui.rights.portal_cases", "gonghui.legal.portal_cases")


def cases_of(user: Any) -> list[PortalCase]:
    """The worker's own cases from every app, the most recently changed first."""
    cases = [case for source in CASE_SOURCES for case in import_module(source).portal_cases(user)]
    return sorted(cases, key=lambda case: case.updated_at, reverse=True)
