"""Scoped endpoints: an event's sign-ups in the console and the API (list, export, promote,
remove, check-in). The event belongs to the own union; officers elsewhere get 404."""

from __future__ import annotations

from gonghui.events.models import SignUp
from gonghui.events.tests.endpoints._objects import signup, started_signup, waiting
from gonghui.events.tests.factories import make_event
from gonghui.members.card import issue_card_token
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld

CONSOLE = "/console/events"
API = "/api/v1/events/manage"
REASON = {"reason": "困难职工优先"}


def _token(world: ScopeWorld, row: SignUp) -> dict[str, str]:
    return {"token": issue_card_token(row.member)}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:events:signup_list",
        action="detail",
        url=lambda event: f"{CONSOLE}/{event.pk}/signups/",
        make=make_event,
    ),
    ScopedEndpoint(
        covers="console:events:signup_export",
        action="detail",
        url=lambda event: f"{CONSOLE}/{event.pk}/signups.xlsx",
        make=make_event,
    ),
    ScopedEndpoint(
        covers="console:events:signup_promote",
        action="update",
        method="POST",
        url=lambda row: f"{CONSOLE}/{row.event_id}/signups/{row.pk}/promote/",
        make=waiting,
        data=lambda world, row: REASON,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:events:signup_remove",
        action="update",
        method="POST",
        url=lambda row: f"{CONSOLE}/{row.event_id}/signups/{row.pk}/remove/",
        make=signup,
        data=lambda world, row: REASON,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:events:check_in",
        action="detail",
        url=lambda event: f"{CONSOLE}/{event.pk}/check-in/",
        make=make_event,
    ),
    ScopedEndpoint(
        covers="console:events:check_in",
        action="update",
        method="POST",
        url=lambda row: f"{CONSOLE}/{row.event_id}/check-in/",
        make=started_signup,
        data=_token,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{event_id}}/signups",
        action="detail",
        url=lambda event: f"{API}/{event.pk}/signups",
        make=lambda org: signup(org).event,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{event_id}}/check-in",
        action="update",
        method="POST",
        url=lambda row: f"{API}/{row.event_id}/check-in",
        make=started_signup,
        data=_token,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/signups/{{signup_id}}/promote",
        action="update",
        method="POST",
        url=lambda row: f"{API}/signups/{row.pk}/promote",
        make=waiting,
        data=lambda world, row: REASON,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/signups/{{signup_id}}/remove",
        action="update",
        method="POST",
        url=lambda row: f"{API}/signups/{row.pk}/remove",
        make=signup,
        data=lambda world, row: REASON,
    ),
]
UNSCOPED: dict[str, str] = {}
