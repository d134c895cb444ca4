"""Authoring the workers' school: courses, their terms and sessions, and their status.

Each function takes the acting user as keyword-only `actor`, runs in one transaction, checks
permission first (a course outside the actor's scope is 404, exactly like a missing one; one the
actor may see but not change is 403), validates every field at once, writes and audits.

A course's fees may change at any time: an enrolment keeps the fee it was made at. A term's
places may go up, or down to no fewer than the people enrolled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import FieldErrors, Forbidden
from gonghui.core.money import MAX_AMOUNT, to_money
from gonghui.core.text import normalize_text
from gonghui.courses.models import (
    COURSE_TRANSITIONS,
    MAX_PLACES,
    TERM_TRANSITIONS,
    Course,
    CourseCategory,
    CourseHistory,
    CourseStatus,
    Session,
    Term,
    TermAction,
)
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

TITLE_MAX = 100
TEACHERS_MAX = 200
DESCRIPTION_MAX = 5000
TERM_NAME_MAX = 60
ROOM_MAX = 100
MAX_SESSIONS = 200
COURSE_FIELDS = (
    "title",
    "category",
    "description",
    "teachers",
    "fee",
    "member_fee",
    "places",
    "required_attendance",
)


@dataclass
class CourseData:
    title: str
    category: str
    teachers: str
    places: int | None
    fee: Decimal | None = Decimal("0.00")
    member_fee: Decimal | None = Decimal("0.00")
    description: str = ""
    required_attendance: int | None = 80


@dataclass
class SessionData:
    date: date | None
    starts_at: time | None
    ends_at: time | None
    room: str


@dataclass
class TermData:
    name: str
    starts_on: date | None
    ends_on: date | None
    places: int | None = None  # None: the course's places per term
    sessions: Sequence[SessionData] = field(default_factory=list)


def _text(errors: FieldErrors, name: str, value: str, maximum: int, required: str | None) -> str:
    text = (value or "").strip() if name == "description" else normalize_text(value or "")
    if not text and required:
        errors.add(name, required)
    elif len(text) > maximum:
        errors.add(name, _("At most %(max)s characters.") % {"max": maximum})
    return text


def _amount(errors: FieldErrors, name: str, value: Decimal | None) -> Decimal:
    amount = value if value is not None else Decimal("0.00")
    if amount < 0:
        errors.add(name, _("The fee cannot be negative."))
    elif amount > MAX_AMOUNT or to_money(amount) != amount:
        errors.add(name, _("The fee is an amount in yuan with at most two decimals."))
        return amount
    return to_money(amount) if amount >= 0 else amount


def _clean_course(data: CourseData, errors: FieldErrors) -> dict[str, Any]:
    title = _text(errors, "title", data.title, TITLE_MAX, _("Give the course a title."))
    teachers = _text(errors, "teachers", data.teachers, TEACHERS_MAX, _("Give the teachers' names."))
    description = _text(errors, "description", data.description, DESCRIPTION_MAX, None)
    if data.category not in CourseCategory.values:
        errors.add("category", _("Choose the category of the course."))
    fee = _amount(errors, "fee", data.fee)
    member_fee = _amount(errors, "member_fee", data.member_fee)
    if "fee" not in errors.fields and "member_fee" not in errors.fields and member_fee > fee:
        errors.add("member_fee", _("The member fee cannot be higher than the fee."))
    if data.places is None or not 1 <= data.places <= MAX_PLACES:
        errors.add("places", _("The places are a whole number from 1 to %(max)s.") % {"max": MAX_PLACES})
    required = data.required_attendance
    if required is None or not 1 <= required <= 100:
        errors.add("required_attendance", _("The required attendance is a percentage from 1 to 100."))
    return {
        "title": title,
        "category": data.category,
        "description": description,
        "teachers": teachers,
        "fee": fee,
        "member_fee": member_fee,
        "places": data.places,
        "required_attendance": required,
    }


def _require_change(actor: Any, org: Org) -> None:
    if not has_perm_at(actor, Perm.COURSES_CHANGE, org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may manage its courses.")
            % {"org": org.name}
        )


def _locked_course(course: Course | int, actor: Any) -> Course:
    pk = course.pk if isinstance(course, Course) else course
    return get_visible(
        Course.objects.select_for_update(of=("self",)).select_related("org"), actor, Perm.COURSES_VIEW, pk=pk
    )


@transaction.atomic
def create_course(org: Org, *, actor: Any, data: CourseData) -> Course:
    """A new course of the school run by `org` (a federation or a workplace union), in draft."""
    _require_change(actor, org)
    errors = FieldErrors()
    values = _clean_course(data, errors)
    errors.raise_if_any()
    course = Course.objects.create(org=org, created_by=actor, **values)
    CourseHistory.objects.create(course=course, from_status="", to_status=course.status, actor=actor)
    record_audit(actor=actor, action="courses.create_course", obj=course, org=org)
    return course


@transaction.atomic
def update_course(course: Course | int, *, actor: Any, data: CourseData) -> Course:
    course = _locked_course(course, actor)
    _require_change(actor, course.org)
    errors = FieldErrors()
    values = _clean_course(data, errors)
    errors.raise_if_any()
    before = snapshot(course, COURSE_FIELDS)
    for name, value in values.items():
        setattr(course, name, value)
    course.save()
    record_audit(
        actor=actor,
        action="courses.update_course",
        obj=course,
        org=course.org,
        changes=changes_between(before, snapshot(course, COURSE_FIELDS)),
    )
    return course


@transaction.atomic
def change_course_status(course: Course | int, *, actor: Any, action: str, comment: str = "") -> Course:
    """Publish a course (members see it in the catalogue) or withdraw it (they no longer do;
    enrolments already made stay)."""
    course = _locked_course(course, actor)
    COURSE_TRANSITIONS.lookup(action)
    _require_change(actor, course.org)
    transition = COURSE_TRANSITIONS.require(action, course.status)
    before = course.status
    course.status = transition.target
    course.save(update_fields=["status", "updated_at"])
    comment = normalize_text(comment or "")
    CourseHistory.objects.create(
        course=course, from_status=before, to_status=course.status, actor=actor, comment=comment
    )
    record_audit(
        actor=actor,
        action=f"courses.{action}_course",
        obj=course,
        org=course.org,
        changes={"status": [before, course.status]},
        note=comment,
    )
    return course


def _clean_sessions(data: TermData, errors: FieldErrors) -> list[tuple[date, time, time, str]]:
    """The sessions that passed every check, as (date, start, end, room)."""
    sessions = list(data.sessions)
    valid: list[tuple[date, time, time, str]] = []
    if len(sessions) > MAX_SESSIONS:
        errors.add("sessions", _("A term has at most %(max)s sessions.") % {"max": MAX_SESSIONS})
        return []
    slots: set[tuple[date, time]] = set()
    for number, session in enumerate(sessions, start=1):
        name = f"sessions.{number}"
        room = normalize_text(session.room or "")
        if session.date is None or session.starts_at is None or session.ends_at is None:
            errors.add(name, _("Session %(n)s: give its date, start and end time.") % {"n": number})
            continue
        if session.ends_at <= session.starts_at:
            errors.add(name, _("Session %(n)s: it must end after it starts.") % {"n": number})
        if data.starts_on and data.ends_on and not data.starts_on <= session.date <= data.ends_on:
            errors.add(name, _("Session %(n)s: its date is outside the term.") % {"n": number})
        if not room or len(room) > ROOM_MAX:
            errors.add(
                name,
                _("Session %(n)s: give the room (at most %(max)s characters).")
                % {"n": number, "max": ROOM_MAX},
            )
        if (session.date, session.starts_at) in slots:
            errors.add(name, _("Session %(n)s: another session starts at the same time.") % {"n": number})
        slots.add((session.date, session.starts_at))
        valid.append((session.date, session.starts_at, session.ends_at, room))
    return valid


@transaction.atomic
def create_term(course: Course | int, *, actor: Any, data: TermData) -> Term:
    """A new term of `course` with its sessions, in draft."""
    course = _locked_course(course, actor)
    _require_change(actor, course.org)
    errors = FieldErrors()
    name = _text(errors, "name", data.name, TERM_NAME_MAX, _("Give the term a name, such as “Spring 2027”."))
    if data.starts_on is None:
        errors.add("starts_on", _("Give the day the term starts."))
    if data.ends_on is None:
        errors.add("ends_on", _("Give the day the term ends."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", _("The term cannot end before it starts."))
    places = data.places if data.places is not None else course.places
    if not 1 <= places <= MAX_PLACES:
        errors.add("places", _("The places are a whole number from 1 to %(max)s.") % {"max": MAX_PLACES})
    sessions = _clean_sessions(data, errors)
    errors.raise_if_any()
    assert data.starts_on is not None  # checked above
    assert data.ends_on is not None
    term = Term.objects.create(
        course=course, name=name, starts_on=data.starts_on, ends_on=data.ends_on, places=places
    )
    Session.objects.bulk_create(
        Session(term=term, date=day, starts_at=start, ends_at=end, room=room)
        for day, start, end, room in sessions
    )
    record_audit(
        actor=actor,
        action="courses.create_term",
        obj=term,
        org=course.org,
        changes={"sessions": [0, len(sessions)]},
    )
    return term


def locked_term(term: Term | int, actor: Any) -> Term:
    pk = term.pk if isinstance(term, Term) else term
    return get_visible(
        Term.objects.select_for_update(of=("self",)).select_related("course__org"),
        actor,
        Perm.COURSES_VIEW,
        pk=pk,
    )


@transaction.atomic
def change_term_status(term: Term | int, *, actor: Any, action: str) -> Term:
    """Open a term for enrolment (the course must be published and the term have sessions),
    close enrolment, or finish the term (after which certificates can be issued)."""
    term = locked_term(term, actor)
    TERM_TRANSITIONS.lookup(action)
    _require_change(actor, term.course.org)
    transition = TERM_TRANSITIONS.require(action, term.status)
    if action == TermAction.OPEN:
        errors = FieldErrors()
        if term.course.status != CourseStatus.PUBLISHED:
            errors.add("course", _("Publish the course before opening a term for enrolment."))
        if not term.sessions.exists():
            errors.add("sessions", _("The term has no sessions yet."))
        errors.raise_if_any(_("The term cannot be opened yet. See the problems below."))
    before = term.status
    term.status = transition.target
    term.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=actor,
        action=f"courses.{action}_term",
        obj=term,
        org=term.course.org,
        changes={"status": [before, term.status]},
    )
    return term
