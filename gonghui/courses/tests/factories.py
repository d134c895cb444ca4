"""Courses for tests: courses and terms in any state, sessions, enrolments and attendance as rows."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.courses.models import (
    Attendance,
    Course,
    CourseCategory,
    CourseEnrolment,
    CourseStatus,
    EnrolmentStatus,
    Session,
    Term,
    TermStatus,
)
from gonghui.members.models import Member
from gonghui.orgs.models import Org

__all__ = ["make_course", "make_enrolment", "make_member_with_account", "make_term"]


def make_course(org: Org, *, status: str = CourseStatus.PUBLISHED, **fields: Any) -> Course:
    values: dict[str, Any] = {
        "title": "电工技能提升班",
        "category": CourseCategory.SKILLS,
        "description": "低压电工实操与安全规范",
        "teachers": "王建国、李红",
        "fee": Decimal("300.00"),
        "member_fee": Decimal("120.00"),
        "places": 20,
        **fields,
    }
    return Course.objects.create(org=org, status=status, **values)


def make_term(
    course: Course,
    *,
    status: str = TermStatus.OPEN,
    places: int | None = None,
    sessions: int = 5,
    starts_in: int = 7,
    **fields: Any,
) -> Term:
    """A term starting `starts_in` days from today with one evening session a day."""
    starts_on = timezone.localdate() + timedelta(days=starts_in)
    term = Term.objects.create(
        course=course,
        name=fields.pop("name", "2027年春季班"),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=max(sessions, 1)),
        places=places or course.places,
        status=status,
        **fields,
    )
    Session.objects.bulk_create(
        Session(
            term=term,
            date=starts_on + timedelta(days=n),
            starts_at=time(19),
            ends_at=time(21),
            room="三楼教室",
        )
        for n in range(sessions)
    )
    return term


def make_enrolment(term: Term, member: Member, user: User, **fields: Any) -> CourseEnrolment:
    """An enrolment stored directly, taking one of the term's places."""
    Term.objects.filter(pk=term.pk).update(taken=term.taken + 1)
    term.taken += 1
    return CourseEnrolment.objects.create(
        term=term,
        member=member,
        org=member.org,
        person_index=member.id_number_index,
        user=user,
        status=fields.pop("status", EnrolmentStatus.ENROLLED),
        fee_due=fields.pop("fee_due", term.course.member_fee),
        member_price=fields.pop("member_price", True),
        **fields,
    )


def attend(enrolment: CourseEnrolment, sessions: int) -> None:
    """Mark the first `sessions` sessions of the term attended."""
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=enrolment)
        for session in Session.objects.filter(term_id=enrolment.term_id).order_by("date")[:sessions]
    )


def past_term(course: Course, *, sessions: int = 5, status: str = TermStatus.FINISHED) -> Term:
    """A term whose sessions are all in the past."""
    return make_term(course, status=status, sessions=sessions, starts_in=-(sessions + 2))


def today() -> date:
    return timezone.localdate()
