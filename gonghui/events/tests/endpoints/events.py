"""Scoped endpoints: event authoring and the event console pages and API (list, new, detail,
edit, actions). Every event belongs to the own union; the parent district's officers see and
change it, the sibling district's get 404 as for a missing event (or, creating one, a refusal on
the organiser field)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.http import HttpResponse
from python_calamine import CalamineWorkbook

from gonghui.events.models import Event
from gonghui.events.tests.endpoints._objects import draft, event_with_signup, form_data, report_year
from gonghui.events.tests.factories import make_event
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/events"
API = "/api/v1/events/manage"


def _api_data(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    data = form_data(world, obj)
    return {**data, "places": 30, "fee": "0.00"}


def _title_in_workbook(response: HttpResponse, event: Event) -> bool:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    return any(event.title in str(cell) for row in rows for cell in row)


def _title_in_report(response: HttpResponse, event: Event) -> bool:
    if response["Content-Type"].startswith("application/json"):
        return event.title in [row["label"] for row in json.loads(response.content)["events"]]
    return event.title in response.content.decode()


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:events:event_list",
        action="list",
        url=lambda event: f"{CONSOLE}/",
        make=make_event,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:events:event_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=form_data,
        model=Event,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:events:event_detail",
        action="detail",
        url=lambda event: f"{CONSOLE}/{event.pk}/",
        make=make_event,
    ),
    ScopedEndpoint(
        covers="console:events:event_edit",
        action="detail",
        url=lambda event: f"{CONSOLE}/{event.pk}/edit/",
        make=draft,
    ),
    ScopedEndpoint(
        covers="console:events:event_edit",
        action="update",
        method="POST",
        url=lambda event: f"{CONSOLE}/{event.pk}/edit/",
        make=draft,
        data=lambda world, event: form_data(world, event, organiser=False),
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:events:event_action",
        action="update",
        method="POST",
        url=lambda event: f"{CONSOLE}/{event.pk}/action/",
        make=draft,
        data=lambda world, event: {"action": "cancel", "comment": ""},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:events:participation",
        action="list",
        url=lambda event: f"{CONSOLE}/report/?year={report_year(event)}",
        make=event_with_signup,
        listed=_title_in_report,
    ),
    ScopedEndpoint(
        covers="console:events:participation_xlsx",
        action="list",
        url=lambda event: f"{CONSOLE}/report.xlsx?year={report_year(event)}",
        make=event_with_signup,
        listed=_title_in_workbook,
    ),
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda event: API, make=make_event),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        data=_api_data,
        model=Event,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/report",
        action="list",
        url=lambda event: f"{API}/report?year={report_year(event)}",
        make=event_with_signup,
        listed=_title_in_report,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{event_id}}",
        action="detail",
        url=lambda event: f"{API}/{event.pk}",
        make=make_event,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/{{event_id}}",
        action="update",
        method="PUT",
        url=lambda event: f"{API}/{event.pk}",
        make=draft,
        data=lambda world, event: {**_api_data(world, event), "title": "2027年职工体检（改）"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{event_id}}/actions",
        action="update",
        method="POST",
        url=lambda event: f"{API}/{event.pk}/actions",
        make=draft,
        data=lambda world, event: {"action": "cancel"},
    ),
]
UNSCOPED: dict[str, str] = {
    "GET /api/v1/events": "public: published events only, the same for everyone (test_api)",
    "GET /api/v1/events/{event_id}": "public: one published event (test_api)",
}
