"""REST API of the signed-in member's courses (/api/v1/courses/me): my enrolments, enrolling in
a term and cancelling before it starts.

Enrolling again in a term I am enrolled in answers 200 with that enrolment (a double tap enrols
once); a new enrolment is 201. Refusals: 409 `enrolment_closed`, `term_full`, `not_registered`,
`not_cancellable`, `started`. A refusal writes nothing. The fee due is the member fee for an
active member and the full fee otherwise; it is paid as the school says, not online.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PathId
from gonghui.courses.models import Certificate, CourseEnrolment, EnrolmentStatus
from gonghui.courses.services import enrolments as services

router = Router(tags=["courses"])


class MyEnrolmentOut(Schema):
    id: int
    status: EnrolmentStatus
    course_id: int
    course: str
    term_id: int
    term: str
    starts_on: date
    ends_on: date
    fee_due: Decimal
    member_price: bool
    created_at: datetime
    certificate_pdf: str = Field(description="Address of my certificate's PDF, or empty.")


class MyEnrolmentsOut(Schema):
    items: list[MyEnrolmentOut]


class EnrolIn(Schema):
    term: Id


def my_enrolment_out(enrolment: CourseEnrolment) -> dict[str, Any]:
    term = enrolment.term
    certificate: Certificate | None = getattr(enrolment, "certificate", None)
    return {
        "id": enrolment.pk,
        "status": enrolment.status,
        "course_id": term.course_id,
        "course": term.course.title,
        "term_id": term.pk,
        "term": term.name,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "fee_due": enrolment.fee_due,
        "member_price": enrolment.member_price,
        "created_at": enrolment.created_at,
        "certificate_pdf": reverse("portal:course_certificate_pdf", args=[certificate.pk])
        if certificate
        else "",
    }


def _mine(request: HttpRequest, enrolment_id: int) -> CourseEnrolment:
    return (
        CourseEnrolment.objects.select_related("term__course", "certificate")
        .filter(user=request_user(request))
        .get(pk=enrolment_id)
    )


@router.get("", response=MyEnrolmentsOut, summary="My enrolments, the latest terms first")
def my_enrolments(request: HttpRequest) -> dict[str, Any]:
    rows = (
        CourseEnrolment.objects.filter(user=request_user(request))
        .select_related("term__course", "certificate")
        .order_by("-term__starts_on", "-id")[:200]
    )
    return {"items": [my_enrolment_out(row) for row in rows]}


@router.post("/enrolments", response={200: MyEnrolmentOut, 201: MyEnrolmentOut}, summary="Enrol in a term")
def enrol(request: HttpRequest, payload: EnrolIn) -> Status[dict[str, Any]]:
    outcome = services.enrol(payload.term, actor=request_user(request))
    return Status(201 if outcome.created else 200, my_enrolment_out(_mine(request, outcome.enrolment.pk)))


@router.post("/enrolments/{enrolment_id}/cancel", response=MyEnrolmentOut, summary="Cancel my enrolment")
def cancel(request: HttpRequest, enrolment_id: PathId) -> dict[str, Any]:
    services.cancel_enrolment(enrolment_id, actor=request_user(request))
    return my_enrolment_out(_mine(request, enrolment_id))
