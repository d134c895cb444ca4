"""Scoped endpoints: the officers' counselling API (counsellors, their hours, the counts report).
Every counsellor belongs to the own union; the parent district's officers see and manage it,
the sibling district's get 404 as for a missing one (or, creating one, a refusal on the org
field). The report is a list of counts: the sibling sees none of the own union's."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from gonghui.counselling.models import Booking, Counsellor, Slot
from gonghui.counselling.tests.factories import (
    make_booking,
    make_counsellor,
    make_member_with_account,
    make_slot,
)
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld

API = "/api/v1/counselling"


def _counsellor_data(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "username": "scope.counsellor",
        "password": "Quiet-harbour-2026",
        "display_name": "王老师",
        "qualifications": "国家二级心理咨询师",
    }


def _slot_data(world: ScopeWorld, counsellor: Any) -> dict[str, Any]:
    return {
        "starts_at": (timezone.now() + timedelta(days=3)).replace(microsecond=0).isoformat(),
        "duration_minutes": 50,
        "mode": "online",
    }


def _open_slot(org: Org) -> Slot:
    return make_slot(make_counsellor(org))


def _booking(org: Org) -> Booking:
    member, user = make_member_with_account(org)
    return make_booking(_open_slot(org), member, user)


def _counted(response: HttpResponse, booking: Booking) -> bool:
    rows = json.loads(response.content)["rows"]
    return any(row["org"] == booking.slot.counsellor.org.name and row["count"] >= 1 for row in rows)


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers=f"GET {API}/counsellors",
        action="list",
        url=lambda obj: f"{API}/counsellors",
        make=make_counsellor,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/counsellors",
        action="create",
        method="POST",
        url=lambda org: f"{API}/counsellors",
        data=_counsellor_data,
        model=Counsellor,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/counsellors/{{counsellor_id}}",
        action="detail",
        url=lambda counsellor: f"{API}/counsellors/{counsellor.pk}",
        make=make_counsellor,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/counsellors/{{counsellor_id}}/deactivate",
        action="update",
        method="POST",
        url=lambda counsellor: f"{API}/counsellors/{counsellor.pk}/deactivate",
        make=make_counsellor,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/counsellors/{{counsellor_id}}/slots",
        action="update",
        method="POST",
        url=lambda counsellor: f"{API}/counsellors/{counsellor.pk}/slots",
        make=make_counsellor,
        data=_slot_data,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/slots", action="list", url=lambda slot: f"{API}/slots", make=_open_slot
    ),
    ScopedEndpoint(
        covers=f"POST {API}/slots/{{slot_id}}/withdraw",
        action="update",
        method="POST",
        url=lambda slot: f"{API}/slots/{slot.pk}/withdraw",
        make=_open_slot,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/report",
        action="list",
        url=lambda booking: f"{API}/report",
        make=_booking,
        listed=_counted,
    ),
]
UNSCOPED: dict[str, str] = {}
