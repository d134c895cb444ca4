"""Portal pages: the annual pledges (十件实事), public — no sign-in.

`/pledges/` shows the published pledges of the city federation (the root org(s)) for a year
(`?year=`; the current year by default) or, with `?org=<id>`, of another federation; each with
its target, progress and latest update. `/pledges/<id>/` is one published pledge with its whole
update history. Unpublished pledges are never shown: a missing pledge and an unpublished one
answer the same 404."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.services.pledges import (
    FIRST_YEAR,
    current_year,
    plain_quantity,
    public_listing,
    public_pledge,
)
from gonghui.core.errors import NotFound
from gonghui.core.inputs import MAX_ID


@dataclass(frozen=True)
class PledgeCard:
    """A pledge as the portal shows it: quantities without trailing zeros, progress capped for
    the bar (a target may be exceeded: the figures say so, the bar is simply full)."""

    pledge: Pledge
    target: str
    progress: str
    bar_value: str
    bar_max: str
    percent: int
    exceeded: bool
    latest: PledgeUpdate | None
    updates: list[PledgeUpdate]
    history: list[tuple[PledgeUpdate, str]]  # each update with its value as shown


def card_of(pledge: Pledge) -> PledgeCard:
    updates: list[PledgeUpdate] = list(getattr(pledge, "update_list", []))
    target: Decimal = pledge.target_value
    progress: Decimal = pledge.progress_value
    return PledgeCard(
        pledge=pledge,
        target=plain_quantity(target, grouped=True),
        progress=plain_quantity(progress, grouped=True),
        bar_value=plain_quantity(min(progress, target)),
        bar_max=plain_quantity(target),
        percent=pledge.percent,
        exceeded=progress > target,
        latest=updates[0] if updates else None,
        updates=updates,
        history=[(update, plain_quantity(update.value, grouped=True)) for update in updates],
    )


def _int_param(request: HttpRequest, name: str, low: int, high: int) -> int | None:
    """A query parameter as an int in [low, high]; None when absent or not one (a bad year or
    org in a shared link shows the default page, never an error page)."""
    raw = request.GET.get(name, "").strip()
    if not raw.isdigit() or len(raw) > 12:
        return None
    value = int(raw)
    return value if low <= value <= high else None


@require_GET
def pledge_list(request: HttpRequest) -> HttpResponse:
    year = _int_param(request, "year", FIRST_YEAR, current_year() + 1)
    org_id = _int_param(request, "org", 1, MAX_ID)
    if request.GET.get("org") and org_id is None:
        raise Http404
    try:
        listing = public_listing(org_id=org_id, year=year)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    years = listing.years if listing.year in listing.years else sorted([*listing.years, listing.year])[::-1]
    context = {
        "listing": listing,
        "cards": [card_of(pledge) for pledge in listing.pledges],
        "years": years,
        "org_param": listing.org.pk if listing.org is not None else "",
        "publisher_names": "、".join(org.name for org in listing.publishers),
    }
    return render(request, "benefits/portal_pledge_list.html", context)


@require_GET
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        pledge = public_pledge(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "benefits/portal_pledge_detail.html", {"card": card_of(pledge)})


urlpatterns: list[URLPattern] = [
    path("pledges/", pledge_list, name="pledges"),
    path("pledges/<int:pk>/", pledge_detail, name="pledge_detail"),
]
