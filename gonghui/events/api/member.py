"""REST API of the signed-in member's events (/api/v1/events/me): my sign-ups, signing up,
cancelling, rating an event I attended, and my personal calendar address (.ics).

Signing up again for an event I am already signed up for answers 200 with that sign-up (a
double tap signs up once); a new sign-up is 201. Refusals: 409 `signup_not_open`,
`signup_closed`, `yearly_quota`, `not_cancellable`, `started`, `already_rated`, `not_attended`;
422 `not_eligible` with the reason; 429 `rate_limited`. A refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PathId
from gonghui.core.inputs import CleanText
from gonghui.events.api.events import EventOut, event_out
from gonghui.events.models import Event, SignUp, SignUpStatus
from gonghui.events.selectors import with_counts
from gonghui.events.services import calendar, feedback
from gonghui.events.services import signups as services

router = Router(tags=["events"])


class MySignUpOut(Schema):
    id: int
    status: SignUpStatus
    waiting_position: int | None = Field(description="1 for the first person waiting; null otherwise.")
    code: str = Field(description="Lottery entry code (empty for first come).")
    created_at: datetime
    attended_at: datetime | None
    rated: bool
    event: EventOut


class MySignUpsOut(Schema):
    items: list[MySignUpOut]


class SignUpIn(Schema):
    event: Id


class FeedbackIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: CleanText = Field("", max_length=feedback.COMMENT_MAX)


class FeedbackOut(Schema):
    rating: int
    comment: str
    created_at: datetime


class CalendarOut(Schema):
    url: str = Field(description="The personal .ics address; keep it private. A new one revokes the old.")


def my_signup_out(signup: SignUp, event: Event | None = None) -> dict[str, Any]:
    event = event or with_counts(Event.objects.select_related("org")).get(pk=signup.event_id)
    return {
        "id": signup.pk,
        "status": signup.status,
        "waiting_position": services.waiting_position(signup),
        "code": signup.code,
        "created_at": signup.created_at,
        "attended_at": signup.attended_at,
        "rated": hasattr(signup, "feedback"),
        "event": event_out(event),
    }


@router.get("", response=MySignUpsOut, summary="My sign-ups, the latest events first")
def my_signups(request: HttpRequest) -> dict[str, Any]:
    rows = list(
        SignUp.objects.filter(user=request_user(request))
        .select_related("feedback")
        .order_by("-event__starts_at", "-id")[:200]
    )
    events = with_counts(Event.objects.select_related("org")).in_bulk({signup.event_id for signup in rows})
    return {"items": [my_signup_out(signup, events[signup.event_id]) for signup in rows]}


@router.post("/signups", response={200: MySignUpOut, 201: MySignUpOut}, summary="Sign up for an event")
def sign_up(request: HttpRequest, payload: SignUpIn) -> Status[dict[str, Any]]:
    outcome = services.sign_up(payload.event, actor=request_user(request))
    return Status(201 if outcome.created else 200, my_signup_out(outcome.signup))


@router.post("/signups/{signup_id}/cancel", response=MySignUpOut, summary="Cancel my sign-up")
def cancel(request: HttpRequest, signup_id: PathId) -> dict[str, Any]:
    user = request_user(request)
    services.cancel_signup(signup_id, actor=user)
    return my_signup_out(SignUp.objects.get(pk=signup_id, user=user))


@router.post("/signups/{signup_id}/feedback", response={201: FeedbackOut}, summary="Rate an event I attended")
def rate(request: HttpRequest, signup_id: PathId, payload: FeedbackIn) -> Status[dict[str, Any]]:
    given = feedback.give_feedback(
        signup_id, actor=request_user(request), rating=payload.rating, comment=payload.comment
    )
    return Status(201, {"rating": given.rating, "comment": given.comment, "created_at": given.created_at})


@router.post("/calendar", response={201: CalendarOut}, summary="A new personal calendar address")
def renew_calendar(request: HttpRequest) -> Status[dict[str, Any]]:
    feed = calendar.renew_calendar_feed(actor=request_user(request))
    url = request.build_absolute_uri(reverse("portal:event_calendar_feed", args=[feed.token]))
    return Status(201, {"url": url})


@router.delete("/calendar", response={204: None}, summary="Stop my calendar address working")
def revoke_calendar(request: HttpRequest) -> Status[None]:
    calendar.revoke_calendar_feed(actor=request_user(request))
    return Status(204, None)
