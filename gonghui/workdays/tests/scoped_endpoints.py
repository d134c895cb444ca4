"""The workdays app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping). None is scoped: the calendar and the rules are the whole city's,
read by every officer and changed only with `calendar.change` on the root (test_access.py)."""

from __future__ import annotations

from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []

_CITY = "the city's one calendar, not an org's: every officer reads it"
_ROOT = "the city's one calendar: writes need calendar.change on the root org (test_access.py)"
UNSCOPED: dict[str, str] = {
    "console:workdays:calendar": _CITY,
    "console:workdays:rules": _CITY,
    "console:workdays:calendar_add": _ROOT,
    "console:workdays:calendar_remove": _ROOT,
    "console:workdays:rule_edit": _ROOT,
    "GET /api/v1/calendar/days": _CITY,
    "GET /api/v1/calendar/rules": _CITY,
    "GET /api/v1/calendar/due-date": _CITY,
    "POST /api/v1/calendar/days": _ROOT,
    "DELETE /api/v1/calendar/days": _ROOT,
    "PUT /api/v1/calendar/rules/{code}": _ROOT,
}
