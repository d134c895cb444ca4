"""REST API of events (/api/v1/events).

Public (`auth=None`): `GET /events` lists the published events that have not ended, `GET
/events/{id}` is one of them (drafts are not found).

For officers (events.view to read, events.change to manage, on the organising union or
above), under `/events/manage`: the events in the caller's scope, creating and editing them,
their actions (publish, close, cancel, draw), the sign-up list, promoting or removing a sign-up
with a reason, check-in by member card, and the participation report. Out-of-scope events and
sign-ups are 404, exactly like missing ones. Errors are `{code, message, fields}`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.events.models import MAX_PLACES, Allocation, Event, EventKind, SignUp, SignUpStatus
from gonghui.events.selectors import participation, signup_list, upcoming_events, with_counts
from gonghui.events.services import events as services
from gonghui.events.services import signups as signup_services
from gonghui.members.categories import MemberCategory
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    kind: EventKind
    title: str
    description: str
    organiser: str = Field(description="The organising union's name.")
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    starts_at: datetime
    ends_at: datetime
    signup_opens_at: datetime
    signup_closes_at: datetime
    signup: str = Field(description="upcoming, open or ended.")
    places: int
    places_left: int
    waiting: int = Field(description="People on the waiting list.")
    fee: Decimal = Field(description="Yuan; 0 is free. Fees are paid on the spot, not online.")
    allocation: Allocation
    seed: str = Field(description="Lottery only: the published seed of the draw.")
    drawn: bool
    status: str


class EventListOut(PageOut):
    items: list[EventOut]


def event_out(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "organiser": event.org.name,
        "address": event.address,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "signup_opens_at": event.signup_opens_at,
        "signup_closes_at": event.signup_closes_at,
        "signup": event.signup_state(),
        "places": event.places,
        "places_left": event.places_left,
        "waiting": getattr(event, "waiting_count", 0),
        "fee": event.fee,
        "allocation": event.allocation,
        "seed": event.seed if event.is_lottery else "",
        "drawn": event.drawn_at is not None,
        "status": event.status,
    }


class PublicQuery(Schema):
    kind: EventKind | None = None


# --- for officers ---------------------------------------------------------------------------
# Declared before `/{event_id}` so that `/manage` is never read as an event id.


class EventIn(Schema):
    organiser: CleanText = Field(max_length=32, description="Code of the organising union.")
    kind: EventKind
    title: CleanText = Field(max_length=services.TITLE_MAX)
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    address: CleanText = Field(max_length=services.ADDRESS_MAX)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    starts_at: datetime
    ends_at: datetime
    signup_opens_at: datetime
    signup_closes_at: datetime
    places: int = Field(ge=1, le=MAX_PLACES)
    fee: Decimal = Field(Decimal("0.00"), ge=0, max_digits=14, decimal_places=2)
    allocation: Allocation
    eligible_org: CleanText = Field("", max_length=32, description="Code; empty: the organiser's subtree.")
    categories: list[MemberCategory] = Field(default_factory=list, max_length=len(MemberCategory))
    sex: Literal["", "male", "female"] = ""
    min_age: int | None = Field(None, ge=0, le=services.MAX_AGE)
    max_age: int | None = Field(None, ge=0, le=services.MAX_AGE)

    def data(self) -> services.EventData:
        return services.EventData(
            kind=self.kind,
            title=self.title,
            description=self.description,
            address=self.address,
            latitude=self.latitude,
            longitude=self.longitude,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            signup_opens_at=self.signup_opens_at,
            signup_closes_at=self.signup_closes_at,
            places=self.places,
            fee=self.fee,
            allocation=self.allocation,
            eligible_org=self.eligible_org,
            categories=[str(code) for code in self.categories],
            sex=self.sex,
            min_age=self.min_age,
            max_age=self.max_age,
        )


class EventUpdateIn(EventIn):
    organiser: CleanText = Field("", max_length=32, description="Ignored: the organiser does not change.")


class ActionIn(Schema):
    action: Literal["publish", "close", "cancel", "draw"]
    comment: CleanText = Field("", max_length=500)


class SignUpOut(Schema):
    id: int
    event_id: int
    name: str = Field(description="Masked.")
    union: str
    status: SignUpStatus
    queue_number: int | None
    code: str = Field(description="Lottery entry code (empty for first come).")
    reason: str
    created_at: datetime
    attended_at: datetime | None


class SignUpListOut(PageOut):
    items: list[SignUpOut]


class SignUpQuery(Schema):
    status: SignUpStatus | None = None


class ReasonIn(Schema):
    reason: CleanText = Field(max_length=signup_services.REASON_MAX)


class PromotionOut(Schema):
    promoted: SignUpOut | None = Field(description="Who got the freed place, if anyone.")


class CheckInIn(Schema):
    token: str = Field("", max_length=500, description="The member card's QR code, as scanned.")
    card_number: str = Field("", max_length=40, description="Or the card number, typed.")


class CheckInOut(Schema):
    signup: SignUpOut
    name: str


class FiguresOut(Schema):
    signups: int
    places: int
    attended: int
    no_show: int
    waiting: int
    cancelled: int


class RowOut(Schema):
    label: str
    figures: FiguresOut


class ReportOut(Schema):
    year: int
    totals: FiguresOut
    events: list[RowOut]
    kinds: list[RowOut]
    orgs: list[RowOut]
    categories: list[RowOut]


class ReportQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


def signup_out(signup: SignUp) -> dict[str, Any]:
    return {
        "id": signup.pk,
        "event_id": signup.event_id,
        "name": signup.member.masked_name,
        "union": signup.org.name,
        "status": signup.status,
        "queue_number": signup.queue_number,
        "code": signup.code,
        "reason": signup.reason,
        "created_at": signup.created_at,
        "attended_at": signup.attended_at,
    }


def _event(request: HttpRequest, event_id: int) -> Event:
    return get_visible(
        with_counts(Event.objects.select_related("org")),
        request_user(request),
        Perm.EVENTS_VIEW,
        pk=event_id,
    )


def _organiser(request: HttpRequest, code: str) -> Org:
    return org_in_scope(request_user(request), Perm.EVENTS_VIEW, code, field="organiser")


@router.get("/manage", response=EventListOut, summary="Events in my scope (officers)")
def manage_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = with_counts(visible(Event, request_user(request), Perm.EVENTS_VIEW).select_related("org"))
    header, items = page_of(rows.order_by("-starts_at", "-id"), page)
    return {**header, "items": [event_out(event) for event in items]}


@router.post("/manage", response={201: EventOut}, summary="Create an event (draft)")
def manage_create(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    org = _organiser(request, payload.organiser)
    event = services.create_event(org, actor=request_user(request), data=payload.data())
    return Status(201, event_out(event))


@router.get(
    "/manage/report", response=ReportOut, summary="Participation by event, kind, organiser and category"
)
def manage_report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    events = visible(Event, request_user(request), Perm.EVENTS_VIEW)
    report = participation(events, query.year or timezone.localdate().year)
    return {
        "year": report.year,
        "totals": report.totals,
        "events": report.events,
        "kinds": report.kinds,
        "orgs": report.orgs,
        "categories": report.categories,
    }


@router.get("/manage/{event_id}", response=EventOut, summary="One event in my scope")
def manage_detail(request: HttpRequest, event_id: PathId) -> dict[str, Any]:
    return event_out(_event(request, event_id))


@router.put("/manage/{event_id}", response=EventOut, summary="Change an event")
def manage_update(request: HttpRequest, event_id: PathId, payload: EventUpdateIn) -> dict[str, Any]:
    event = services.update_event(_event(request, event_id), actor=request_user(request), data=payload.data())
    return event_out(_event(request, event.pk))


@router.post("/manage/{event_id}/actions", response=EventOut, summary="Publish, close, cancel or draw")
def manage_action(request: HttpRequest, event_id: PathId, payload: ActionIn) -> dict[str, Any]:
    event = _event(request, event_id)
    actor = request_user(request)
    if payload.action == "publish":
        services.publish_event(event, actor=actor, comment=payload.comment)
    elif payload.action == "close":
        services.close_event(event, actor=actor, comment=payload.comment)
    elif payload.action == "cancel":
        services.cancel_event(event, actor=actor, comment=payload.comment)
    else:
        signup_services.draw_event(event, actor=actor)
    return event_out(_event(request, event_id))


@router.get("/manage/{event_id}/signups", response=SignUpListOut, summary="The sign-ups of an event")
def manage_signups(
    request: HttpRequest, event_id: PathId, query: Query[SignUpQuery], page: PageNumber = 1
) -> dict[str, Any]:
    event = _event(request, event_id)
    header, rows = page_of(signup_list(event, query.status or ""), page)
    return {**header, "items": [signup_out(signup) for signup in rows]}


@router.post("/manage/{event_id}/check-in", response=CheckInOut, summary="Check a member in by their card")
def manage_check_in(request: HttpRequest, event_id: PathId, payload: CheckInIn) -> dict[str, Any]:
    event = _event(request, event_id)
    done = signup_services.check_in(
        event, actor=request_user(request), token=payload.token, card_number=payload.card_number
    )
    signup = SignUp.objects.select_related("member", "org").get(pk=done.signup.pk)
    return {"signup": signup_out(signup), "name": done.member_name}


def _promoted(signup: SignUp | None) -> dict[str, Any]:
    if signup is None:
        return {"promoted": None}
    return {"promoted": signup_out(SignUp.objects.select_related("member", "org").get(pk=signup.pk))}


@router.post(
    "/manage/signups/{signup_id}/promote", response=SignUpOut, summary="Give a waiting person a place"
)
def manage_promote(request: HttpRequest, signup_id: PathId, payload: ReasonIn) -> dict[str, Any]:
    signup = signup_services.promote_signup(signup_id, actor=request_user(request), reason=payload.reason)
    return signup_out(SignUp.objects.select_related("member", "org").get(pk=signup.pk))


@router.post("/manage/signups/{signup_id}/remove", response=PromotionOut, summary="Remove a sign-up")
def manage_remove(request: HttpRequest, signup_id: PathId, payload: ReasonIn) -> dict[str, Any]:
    promoted = signup_services.remove_signup(signup_id, actor=request_user(request), reason=payload.reason)
    return _promoted(promoted)


# --- public ------------------------------------------------------------------------------------


@router.get("", response=EventListOut, auth=None, summary="Upcoming events (public)")
def list_events(request: HttpRequest, query: Query[PublicQuery], page: PageNumber = 1) -> dict[str, Any]:
    header, rows = page_of(upcoming_events(None, query.kind or ""), page)
    return {**header, "items": [event_out(event) for event in rows]}


@router.get("/{event_id}", response=EventOut, auth=None, summary="One published event (public)")
def get_event(request: HttpRequest, event_id: PathId) -> dict[str, Any]:
    return event_out(
        get_object_or_404(with_counts(Event.objects.listed().select_related("org")), pk=event_id)
    )
