"""Scoped endpoints: the officers' counselling console pages (counsellors, their hours, the
counts). Every counsellor belongs to the own union; the parent district's officers see and
manage it, the sibling district's get 404 as for a missing one (or, creating one, the form's
refusal of the union code)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from gonghui.counselling.models import Booking, Counsellor
from gonghui.counselling.tests.endpoints.counselling import _booking, _open_slot
from gonghui.counselling.tests.factories import make_counsellor
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/counselling"


def _form(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "display_name": "王老师",
        "qualifications": "国家二级心理咨询师",
        "offers_online": "on",
        "username": "scope.counsellor",
        "password": "Quiet-harbour-2026",
    }


def _slot_form(world: ScopeWorld, counsellor: Any) -> dict[str, Any]:
    starts = timezone.localtime(timezone.now() + timedelta(days=3))
    return {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 50,
        "mode": "online",
        "weeks": 1,
    }


def _counted(response: HttpResponse, booking: Booking) -> bool:
    return f"<td data-org>{booking.slot.counsellor.org.name}</td>" in response.content.decode()


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:counselling:counsellor_list",
        action="list",
        url=lambda counsellor: f"{CONSOLE}/",
        make=make_counsellor,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:counselling:counsellor_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=_form,
        model=Counsellor,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:counselling:counsellor_detail",
        action="detail",
        url=lambda counsellor: f"{CONSOLE}/{counsellor.pk}/",
        make=make_counsellor,
    ),
    ScopedEndpoint(
        covers="console:counselling:counsellor_slots",
        action="update",
        method="POST",
        url=lambda counsellor: f"{CONSOLE}/{counsellor.pk}/slots/",
        make=make_counsellor,
        data=_slot_form,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:counselling:counsellor_deactivate",
        action="update",
        method="POST",
        url=lambda counsellor: f"{CONSOLE}/{counsellor.pk}/deactivate/",
        make=make_counsellor,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:counselling:slot_withdraw",
        action="update",
        method="POST",
        url=lambda slot: f"{CONSOLE}/slots/{slot.pk}/withdraw/",
        make=_open_slot,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:counselling:report",
        action="list",
        url=lambda booking: f"{CONSOLE}/report/",
        make=_booking,
        listed=_counted,
    ),
]
UNSCOPED: dict[str, str] = {
    "console:counselling:desk": "the counsellor's own desk: found by the caller's account (test_console)",
    "console:counselling:desk_withdraw": "one of the calling counsellor's own slots (test_console)",
    "console:counselling:desk_booking": "one of the calling counsellor's own bookings (test_console)",
}
