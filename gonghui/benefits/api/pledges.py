"""API: the annual pledges (十件实事), public (`auth=None`): what the portal's pages show.

`GET /api/v1/benefits/pledges` lists the published pledges of the city federation (the root
org(s)) or, with `org`, of another federation, for `year` (default: the current year when it has
published pledges, else the latest year that has), with the years that have any.
`GET /api/v1/benefits/pledges/{id}` is one published pledge with its whole update history.
Unpublished pledges are not found. Quantities are decimal strings, never floats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.services.pledges import FIRST_YEAR, public_listing, public_pledge
from gonghui.core.api_types import Id, OrgRef, PathId

router = Router(tags=["benefits"])


class PledgeQuery(Schema):
    year: int | None = Field(
        None, ge=FIRST_YEAR, le=2100, description="The year; default: the current year if it has pledges."
    )
    org: Id | None = Field(None, description="A federation's id; default: the city federation.")


class PledgeUpdateOut(Schema):
    reported_on: date
    value: Decimal = Field(description="The cumulative value reached by that date.")
    note: str


class PledgeOut(Schema):
    id: int
    org: OrgRef
    year: int
    number: int
    title: str
    description: str
    target_value: Decimal
    unit: str
    progress_value: Decimal
    percent: int = Field(description="Progress in whole percent, at most 100.")
    owner_org: OrgRef
    latest_update: PledgeUpdateOut | None
    portal_url: str


class PledgeDetailOut(PledgeOut):
    updates: list[PledgeUpdateOut] = Field(description="Latest first.")


class PledgeListOut(Schema):
    year: int
    years: list[int] = Field(description="The years with published pledges, latest first.")
    org: OrgRef | None = Field(description="The federation asked for; null for the city federation.")
    items: list[PledgeOut]


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _update(update: PledgeUpdate) -> dict[str, Any]:
    return {"reported_on": update.reported_on, "value": update.value, "note": update.note}


def _out(pledge: Pledge, *, with_updates: bool = False) -> dict[str, Any]:
    updates: list[PledgeUpdate] = list(getattr(pledge, "update_list", []))
    out: dict[str, Any] = {
        "id": pledge.pk,
        "org": _org(pledge.org),
        "year": pledge.year,
        "number": pledge.number,
        "title": pledge.title,
        "description": pledge.description,
        "target_value": pledge.target_value,
        "unit": pledge.unit,
        "progress_value": pledge.progress_value,
        "percent": pledge.percent,
        "owner_org": _org(pledge.owner_org),
        "latest_update": _update(updates[0]) if updates else None,
        "portal_url": reverse("portal:pledge_detail", args=[pledge.pk]),
    }
    if with_updates:
        out["updates"] = [_update(update) for update in updates]
    return out


@router.get("", response=PledgeListOut, auth=None, summary="Annual pledges (public)")
def list_pledges(request: HttpRequest, filters: Query[PledgeQuery]) -> dict[str, Any]:
    listing = public_listing(org_id=filters.org, year=filters.year)
    return {
        "year": listing.year,
        "years": listing.years,
        "org": _org(listing.org) if listing.org is not None else None,
        "items": [_out(pledge) for pledge in listing.pledges],
    }


@router.get("/{int:pledge_id}", response=PledgeDetailOut, auth=None, summary="One annual pledge (public)")
def get_pledge(request: HttpRequest, pledge_id: PathId) -> dict[str, Any]:
    return _out(public_pledge(pledge_id), with_updates=True)
