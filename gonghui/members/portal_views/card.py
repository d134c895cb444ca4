"""Member portal pages of the members app (phone first), mounted by gonghui/portal/urls.py."""

from __future__ import annotations

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.members import card
from gonghui.members.models import Member

HTMX_STOP_POLLING = 286


def _qr_context(member: Member) -> dict[str, object]:
    token = card.issue_card_token(member)
    qr = segno.make(token, error="m")
    return {
        "token": token,
        "qr_data_uri": qr.svg_data_uri(scale=6),
        "token_seconds": card.token_seconds(),
        "refresh_seconds": card.refresh_seconds(),
    }


# never_cache: a cached page would show a QR code that has long expired.
@require_GET
@never_cache
@member_area
def member_card(request: HttpRequest) -> HttpResponse:
    member = card.active_card_member(signed_in_user(request))
    context: dict[str, object] = {"member": member, "nav_section": "me"}
    if member is not None:
        context["card_number"] = card.card_number_display(card.card_number(member))
        context.update(_qr_context(member))
    return render(request, "members/card.html", context)


@require_GET
@never_cache
@member_area
def member_card_qr(request: HttpRequest) -> HttpResponse:
    """The QR code with a fresh token, polled by the card page (htmx)."""
    member = card.active_card_member(signed_in_user(request))
    if member is None:
        # The membership ended while the card was open: show the empty state in place of the
        # code, and stop polling (htmx stops a poll that is answered with status 286).
        return render(request, "members/_card_inactive.html", status=HTMX_STOP_POLLING)
    return render(request, "members/_card_qr.html", _qr_context(member))


urlpatterns: list[URLPattern] = [
    path("me/card/", member_card, name="member_card"),
    path("me/card/qr/", member_card_qr, name="member_card_qr"),
]
