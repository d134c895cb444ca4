"""REST API of the workers' school (/api/v1/courses).

Public (`auth=None`): `GET /courses` is the catalogue (published courses with their terms that
are open, closed or finished), `GET /courses/{id}` one of them.

For officers (courses.view to read, courses.change to manage, on the school's federation or
above), under `/courses/manage`: courses in the caller's scope, creating and editing them,
publishing or withdrawing, creating terms with their sessions, opening, closing and finishing a
term, its enrolments, the attendance sheet of a session and issuing certificates. Out-of-scope
objects are 404, exactly like missing ones. Errors are `{code, message, fields}`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.courses.models import (
    MAX_PLACES,
    Certificate,
    Course,
    CourseCategory,
    CourseEnrolment,
    EnrolmentStatus,
    Session,
    Term,
)
from gonghui.courses.services import courses as services
from gonghui.courses.services import enrolments as enrolment_services
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["courses"])


class SessionOut(Schema):
    id: int
    date: date
    starts_at: time
    ends_at: time
    room: str


class TermOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    places: int
    places_left: int
    status: str
    sessions: list[SessionOut]


class CourseOut(Schema):
    id: int
    title: str
    category: CourseCategory
    description: str
    teachers: str
    school: str = Field(description="The federation that runs the school.")
    fee: Decimal = Field(description="Yuan, for anyone who is not an active member.")
    member_fee: Decimal = Field(description="Yuan, for active members.")
    places: int = Field(description="Places per term.")
    required_attendance: int = Field(description="Percent of sessions attended for a certificate.")
    status: str
    terms: list[TermOut]


class CourseListOut(PageOut):
    items: list[CourseOut]


def session_out(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "date": session.date,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "room": session.room,
    }


def term_out(term: Term) -> dict[str, Any]:
    return {
        "id": term.pk,
        "name": term.name,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "places": term.places,
        "places_left": term.places_left,
        "status": term.status,
        "sessions": [session_out(s) for s in term.sessions.all()],
    }


def course_out(course: Course, terms: list[Term] | None = None) -> dict[str, Any]:
    shown = terms if terms is not None else list(course.terms.prefetch_related("sessions"))
    return {
        "id": course.pk,
        "title": course.title,
        "category": course.category,
        "description": course.description,
        "teachers": course.teachers,
        "school": course.org.name,
        "fee": course.fee,
        "member_fee": course.member_fee,
        "places": course.places,
        "required_attendance": course.required_attendance,
        "status": course.status,
        "terms": [term_out(term) for term in shown],
    }


def _catalogue() -> Any:
    listed_terms = Term.objects.listed().prefetch_related("sessions").order_by("starts_on", "id")
    return (
        Course.objects.listed()
        .select_related("org")
        .prefetch_related(Prefetch("terms", queryset=listed_terms, to_attr="listed_terms"))
        .order_by("title", "id")
    )


class CourseIn(Schema):
    school: CleanText = Field(max_length=32, description="Code of the federation that runs the school.")
    title: CleanText = Field(max_length=services.TITLE_MAX)
    category: CourseCategory
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    teachers: CleanText = Field(max_length=services.TEACHERS_MAX)
    fee: Decimal = Field(Decimal("0.00"), ge=0, max_digits=14, decimal_places=2)
    member_fee: Decimal = Field(Decimal("0.00"), ge=0, max_digits=14, decimal_places=2)
    places: int = Field(ge=1, le=MAX_PLACES)
    required_attendance: int = Field(80, ge=1, le=100)

    def data(self) -> services.CourseData:
        return services.CourseData(
            title=self.title,
            category=self.category,
            description=self.description,
            teachers=self.teachers,
            fee=self.fee,
            member_fee=self.member_fee,
            places=self.places,
            required_attendance=self.required_attendance,
        )


class CourseUpdateIn(CourseIn):
    school: CleanText = Field("", max_length=32, description="Ignored: the school does not change.")


class SessionIn(Schema):
    date: date
    starts_at: time
    ends_at: time
    room: CleanText = Field(max_length=services.ROOM_MAX)


class TermIn(Schema):
    name: CleanText = Field(max_length=services.TERM_NAME_MAX)
    starts_on: date
    ends_on: date
    places: int | None = Field(None, ge=1, le=MAX_PLACES, description="Empty: the course's places per term.")
    sessions: list[SessionIn] = Field(default_factory=list, max_length=services.MAX_SESSIONS)


class CourseActionIn(Schema):
    action: Literal["publish", "withdraw"]
    comment: CleanText = Field("", max_length=500)


class TermActionIn(Schema):
    action: Literal["open", "close", "finish"]


class EnrolmentOut(Schema):
    id: int
    term_id: int
    name: str = Field(description="Masked.")
    union: str
    status: EnrolmentStatus
    fee_due: Decimal
    member_price: bool
    attended: int
    certificate: str = Field(description="The certificate number, or empty.")
    created_at: datetime


class EnrolmentListOut(PageOut):
    items: list[EnrolmentOut]


class AttendanceIn(Schema):
    present: list[Id] = Field(max_length=MAX_PLACES, description="The enrolments that attended.")


class AttendanceOut(Schema):
    present: int


class IssuedOut(Schema):
    issued: int
    numbers: list[str]


def _course(request: HttpRequest, course_id: int) -> Course:
    return get_visible(
        Course.objects.select_related("org"), request_user(request), Perm.COURSES_VIEW, pk=course_id
    )


def _term(request: HttpRequest, term_id: int) -> Term:
    return get_visible(
        Term.objects.select_related("course__org"), request_user(request), Perm.COURSES_VIEW, pk=term_id
    )


def _school(request: HttpRequest, code: str) -> Org:
    return org_in_scope(request_user(request), Perm.COURSES_VIEW, code, field="school")


def enrolment_out(enrolment: CourseEnrolment, attended: int) -> dict[str, Any]:
    certificate: Certificate | None = getattr(enrolment, "certificate", None)
    return {
        "id": enrolment.pk,
        "term_id": enrolment.term_id,
        "name": enrolment.member.masked_name,
        "union": enrolment.org.name,
        "status": enrolment.status,
        "fee_due": enrolment.fee_due,
        "member_price": enrolment.member_price,
        "attended": attended,
        "certificate": certificate.number if certificate else "",
        "created_at": enrolment.created_at,
    }


# --- for officers ---------------------------------------------------------------------------
# Declared before `/{course_id}` so that `/manage` is never read as a course id.


@router.get("/manage", response=CourseListOut, summary="Courses in my scope (officers)")
def manage_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = visible(Course, request_user(request), Perm.COURSES_VIEW).select_related("org")
    header, items = page_of(rows.order_by("title", "id"), page)
    return {**header, "items": [course_out(course) for course in items]}


@router.post("/manage", response={201: CourseOut}, summary="Create a course (draft)")
def manage_create(request: HttpRequest, payload: CourseIn) -> Status[dict[str, Any]]:
    org = _school(request, payload.school)
    course = services.create_course(org, actor=request_user(request), data=payload.data())
    return Status(201, course_out(course))


@router.get("/manage/{course_id}", response=CourseOut, summary="One course in my scope")
def manage_detail(request: HttpRequest, course_id: PathId) -> dict[str, Any]:
    return course_out(_course(request, course_id))


@router.put("/manage/{course_id}", response=CourseOut, summary="Change a course")
def manage_update(request: HttpRequest, course_id: PathId, payload: CourseUpdateIn) -> dict[str, Any]:
    course = services.update_course(
        _course(request, course_id), actor=request_user(request), data=payload.data()
    )
    return course_out(_course(request, course.pk))


@router.post("/manage/{course_id}/actions", response=CourseOut, summary="Publish or withdraw a course")
def manage_course_action(request: HttpRequest, course_id: PathId, payload: CourseActionIn) -> dict[str, Any]:
    course = _course(request, course_id)
    services.change_course_status(
        course, actor=request_user(request), action=payload.action, comment=payload.comment
    )
    return course_out(_course(request, course_id))


@router.post("/manage/{course_id}/terms", response={201: TermOut}, summary="Add a term with its sessions")
def manage_create_term(request: HttpRequest, course_id: PathId, payload: TermIn) -> Status[dict[str, Any]]:
    course = _course(request, course_id)
    data = services.TermData(
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        places=payload.places,
        sessions=[
            services.SessionData(date=s.date, starts_at=s.starts_at, ends_at=s.ends_at, room=s.room)
            for s in payload.sessions
        ],
    )
    term = services.create_term(course, actor=request_user(request), data=data)
    return Status(201, term_out(term))


@router.post("/manage/terms/{term_id}/actions", response=TermOut, summary="Open, close or finish a term")
def manage_term_action(request: HttpRequest, term_id: PathId, payload: TermActionIn) -> dict[str, Any]:
    term = _term(request, term_id)
    services.change_term_status(term, actor=request_user(request), action=payload.action)
    return term_out(_term(request, term_id))


@router.get(
    "/manage/terms/{term_id}/enrolments", response=EnrolmentListOut, summary="The enrolments of a term"
)
def manage_enrolments(request: HttpRequest, term_id: PathId, page: PageNumber = 1) -> dict[str, Any]:
    term = _term(request, term_id)
    counts = enrolment_services.attendance_counts(term)
    rows = (
        CourseEnrolment.objects.filter(term=term)
        .select_related("member", "org", "certificate")
        .order_by("created_at", "id")
    )
    header, items = page_of(rows, page)
    return {**header, "items": [enrolment_out(e, counts.get(e.pk, 0)) for e in items]}


@router.put(
    "/manage/sessions/{session_id}/attendance",
    response=AttendanceOut,
    summary="The attendance sheet of a session",
)
def manage_attendance(request: HttpRequest, session_id: PathId, payload: AttendanceIn) -> dict[str, Any]:
    present = enrolment_services.mark_attendance(
        session_id, actor=request_user(request), present=set(payload.present)
    )
    return {"present": present}


@router.post(
    "/manage/terms/{term_id}/certificates",
    response=IssuedOut,
    summary="Issue the certificates of a finished term",
)
def manage_certificates(request: HttpRequest, term_id: PathId) -> dict[str, Any]:
    issued = enrolment_services.issue_certificates(_term(request, term_id), actor=request_user(request))
    return {"issued": len(issued), "numbers": [c.number for c in issued]}


# --- public ------------------------------------------------------------------------------------


@router.get("", response=CourseListOut, auth=None, summary="The catalogue (public)")
def list_courses(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, rows = page_of(_catalogue(), page)
    return {**header, "items": [course_out(course, course.listed_terms) for course in rows]}


@router.get("/{course_id}", response=CourseOut, auth=None, summary="One published course (public)")
def get_course(request: HttpRequest, course_id: PathId) -> dict[str, Any]:
    course = get_object_or_404(_catalogue(), pk=course_id)
    return course_out(course, course.listed_terms)
