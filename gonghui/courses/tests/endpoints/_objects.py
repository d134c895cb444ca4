"""The objects the scoped endpoints act on: courses, terms, sessions and certificates of the
scoping world's own union."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from gonghui.courses.models import Certificate, Course, CourseStatus, Session, Term, TermStatus
from gonghui.courses.tests.factories import (
    attend,
    make_course,
    make_enrolment,
    make_member_with_account,
    make_term,
    past_term,
)
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopeWorld


def draft_course(org: Org) -> Course:
    return make_course(org, status=CourseStatus.DRAFT)


def draft_term(org: Org) -> Term:
    return make_term(make_course(org), status=TermStatus.DRAFT)


def open_term(org: Org) -> Term:
    term = make_term(make_course(org))
    member, user = make_member_with_account(org)
    make_enrolment(term, member, user)
    return term


def attended_session(org: Org) -> Session:
    """The first session of a past, closed term with one enrolment."""
    term = past_term(make_course(org), sessions=2, status=TermStatus.CLOSED)
    member, user = make_member_with_account(org)
    make_enrolment(term, member, user)
    return term.sessions.order_by("date")[0]


def finished_term(org: Org) -> Term:
    """A finished term with one enrolment that attended every session (no certificate yet)."""
    term = past_term(make_course(org), sessions=2)
    member, user = make_member_with_account(org)
    attend(make_enrolment(term, member, user), 2)
    return term


def certificate(org: Org) -> Certificate:
    term = finished_term(org)
    return Certificate.objects.create(
        enrolment=term.enrolments.get(),
        number=f"KC{term.pk:012d}",
        token=secrets.token_urlsafe(18),
        attended=2,
        sessions=2,
        issued_on=timezone.localdate(),
    )


def present(world: ScopeWorld, session: Session) -> dict[str, Any]:
    return {"present": [session.term.enrolments.get().pk]}


def course_form(world: ScopeWorld, obj: Any, *, school: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "电工技能提升班",
        "category": "skills",
        "teachers": "王建国",
        "fee": "300",
        "member_fee": "120",
        "places": "20",
        "required_attendance": "80",
    }
    if school:
        data["school"] = world.own.code
    return data


def course_api(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    return {
        **course_form(world, obj),
        "places": 20,
        "required_attendance": 80,
        "fee": "300.00",
        "member_fee": "120.00",
    }


def term_form(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    start = timezone.localdate()
    return {
        "name": "2027年春季班",
        "starts_on": f"{start}",
        "ends_on": f"{start}",
        "sessions": f"{start} 19:00-21:00 三楼301",
    }


def term_api(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    start = f"{timezone.localdate()}"
    return {
        "name": "2027年春季班",
        "starts_on": start,
        "ends_on": start,
        "sessions": [{"date": start, "starts_at": "19:00", "ends_at": "21:00", "room": "三楼301"}],
    }
