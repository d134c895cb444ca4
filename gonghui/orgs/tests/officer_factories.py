"""Officer terms for the officer and role tests: real rows, dates relative to today."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from gonghui.orgs.models import OfficerPosition, OfficerTerm, Org

TERM_DAYS = 5 * 365


def today() -> date:
    return timezone.localdate()


def make_term(
    org: Org,
    name: str = "王建国",
    position: str = OfficerPosition.CHAIR,
    *,
    days_left: int = 400,
    start: date | None = None,
    end: date | None = None,
    ended_on: date | None = None,
    elected_on: date | None = None,
) -> OfficerTerm:
    """A term ending in `days_left` days (or from `start` to `end`), stored as-is: the services'
    rules are what the tests check, so the rows they start from do not go through them."""
    term_end = end or today() + timedelta(days=days_left)
    term_start = start or term_end - timedelta(days=TERM_DAYS)
    return OfficerTerm.objects.create(
        org=org,
        name=name,
        position=position,
        term_start=term_start,
        term_end=term_end,
        ended_on=ended_on,
        elected_on=elected_on,
    )
