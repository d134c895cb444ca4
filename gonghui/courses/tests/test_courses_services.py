"""Authoring courses and terms, enrolling, attendance and certificates through the services."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from gonghui.core.errors import Conflict, DomainError, Forbidden, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.courses.models import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseStatus,
    EnrolmentStatus,
    Session,
    Term,
    TermStatus,
)
from gonghui.courses.services import certificates, enrolments
from gonghui.courses.services import courses as services
from gonghui.courses.tests.factories import (
    attend,
    make_course,
    make_enrolment,
    make_member_with_account,
    make_term,
    past_term,
)
from gonghui.members.models import MemberStatus
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


def _data(**overrides: object) -> services.CourseData:
    values: dict[str, object] = {
        "title": "  电工技能提升班 ",
        "category": "skills",
        "teachers": "王建国",
        "places": 20,
        "fee": Decimal("300.00"),
        "member_fee": Decimal("120.00"),
    }
    values.update(overrides)
    return services.CourseData(**values)  # type: ignore[arg-type]


def _term_data(course_start_in: int = 7, **overrides: object) -> services.TermData:
    start = timezone.localdate() + timedelta(days=course_start_in)
    values: dict[str, object] = {
        "name": "2027年春季班",
        "starts_on": start,
        "ends_on": start + timedelta(days=14),
        "sessions": [
            services.SessionData(date=start, starts_at=time(19), ends_at=time(21), room="三楼教室"),
            services.SessionData(
                date=start + timedelta(days=7), starts_at=time(19), ends_at=time(21), room="三楼教室"
            ),
        ],
    }
    values.update(overrides)
    return services.TermData(**values)  # type: ignore[arg-type]


def test_create_course_cleans_text_and_audits(tree, east_admin):
    course = services.create_course(tree.east, actor=east_admin, data=_data())
    assert (course.title, course.status, course.fee, course.member_fee) == (
        "电工技能提升班",
        CourseStatus.DRAFT,
        Decimal("300.00"),
        Decimal("120.00"),
    )
    assert AuditEvent.objects.filter(action="courses.create_course").count() == 1


def test_course_bad_input_reports_every_field_and_writes_nothing(tree, east_admin):
    bad = _data(
        title=" ",
        category="cooking",
        teachers="",
        places=0,
        fee=Decimal("-1"),
        member_fee=Decimal("0.001"),
        required_attendance=101,
    )
    with pytest.raises(ValidationFailed) as caught:
        services.create_course(tree.east, actor=east_admin, data=bad)
    assert set(caught.value.fields) == {
        "title",
        "category",
        "teachers",
        "places",
        "fee",
        "member_fee",
        "required_attendance",
    }
    assert not Course.objects.exists()


def test_member_fee_cannot_exceed_the_fee(tree, east_admin):
    with pytest.raises(ValidationFailed) as caught:
        services.create_course(tree.east, actor=east_admin, data=_data(member_fee=Decimal("301")))
    assert list(caught.value.fields) == ["member_fee"]


def test_officers_elsewhere_cannot_create_or_see(tree):
    west = officer_at(tree.west, "west.admin")
    with pytest.raises(Forbidden):
        services.create_course(tree.east, actor=west, data=_data())
    course = make_course(tree.east)
    with pytest.raises(Http404):
        services.update_course(course, actor=west, data=_data())
    viewer = officer_at(tree.east, "east.viewer", Role.AUDITOR)
    with pytest.raises(Forbidden):
        services.update_course(course, actor=viewer, data=_data(title="改名"))
    course.refresh_from_db()
    assert course.title == "电工技能提升班"


def test_publish_and_withdraw(tree, east_admin):
    course = make_course(tree.east, status=CourseStatus.DRAFT)
    services.change_course_status(course, actor=east_admin, action="publish")
    assert Course.objects.get().status == CourseStatus.PUBLISHED
    with pytest.raises(InvalidTransition):
        services.change_course_status(course, actor=east_admin, action="publish")
    with pytest.raises(ValidationFailed):
        services.change_course_status(course, actor=east_admin, action="delete")
    services.change_course_status(course, actor=east_admin, action="withdraw")
    assert Course.objects.get().status == CourseStatus.WITHDRAWN


def test_create_term_with_sessions_and_the_course_places(tree, east_admin):
    course = make_course(tree.east)
    term = services.create_term(course, actor=east_admin, data=_term_data())
    assert (term.places, term.status, term.sessions.count()) == (20, TermStatus.DRAFT, 2)


def test_term_bad_input_writes_nothing(tree, east_admin):
    course = make_course(tree.east)
    start = timezone.localdate()
    data = _term_data(
        name="",
        ends_on=start - timedelta(days=1),
        starts_on=start,
        places=0,
        sessions=[
            services.SessionData(
                date=start + timedelta(days=30), starts_at=time(19), ends_at=time(18), room=""
            ),
            services.SessionData(date=None, starts_at=None, ends_at=None, room="教室"),
        ],
    )
    with pytest.raises(ValidationFailed) as caught:
        services.create_term(course, actor=east_admin, data=data)
    assert {"name", "ends_on", "places", "sessions.1", "sessions.2"} <= set(caught.value.fields)
    assert not Term.objects.exists()
    assert not Session.objects.exists()


def test_a_term_opens_only_for_a_published_course_with_sessions(tree, east_admin):
    course = make_course(tree.east, status=CourseStatus.DRAFT)
    term = make_term(course, status=TermStatus.DRAFT)
    with pytest.raises(ValidationFailed) as caught:
        services.change_term_status(term, actor=east_admin, action="open")
    assert "course" in caught.value.fields
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.PUBLISHED)
    services.change_term_status(term, actor=east_admin, action="open")
    assert Term.objects.get().status == TermStatus.OPEN


# --- enrolment ---------------------------------------------------------------------------------


def test_active_member_pays_the_member_fee_and_a_double_tap_enrols_once(tree):
    term = make_term(make_course(tree.east))
    _member, user = make_member_with_account(tree.acme)
    first = enrolments.enrol(term.pk, actor=user)
    again = enrolments.enrol(term.pk, actor=user)
    assert first.created
    assert not again.created
    assert again.enrolment.pk == first.enrolment.pk
    assert (first.enrolment.fee_due, first.enrolment.member_price) == (Decimal("120.00"), True)
    assert Term.objects.get().taken == 1


def test_a_former_member_pays_the_full_fee(tree):
    term = make_term(make_course(tree.east))
    member, user = make_member_with_account(tree.acme)
    member.status = MemberStatus.LEFT
    member.save(update_fields=["status"])
    enrolment = enrolments.enrol(term.pk, actor=user).enrolment
    assert (enrolment.fee_due, enrolment.member_price) == (Decimal("300.00"), False)


def test_someone_not_registered_is_refused(tree):
    from gonghui.accounts.tests.factories import make_member

    term = make_term(make_course(tree.east))
    with pytest.raises(Conflict) as caught:
        enrolments.enrol(term.pk, actor=make_member("13911112222"))
    assert caught.value.code == "not_registered"
    assert not CourseEnrolment.objects.exists()


def test_a_full_term_refuses_and_a_cancellation_frees_the_place(tree):
    term = make_term(make_course(tree.east), places=1)
    (_a, first), (_b, second) = make_member_with_account(tree.acme), make_member_with_account(tree.acme)
    held = enrolments.enrol(term.pk, actor=first).enrolment
    with pytest.raises(Conflict) as caught:
        enrolments.enrol(term.pk, actor=second)
    assert caught.value.code == "term_full"
    assert CourseEnrolment.objects.count() == 1
    enrolments.cancel_enrolment(held.pk, actor=first)
    assert Term.objects.get().taken == 0
    assert enrolments.enrol(term.pk, actor=second).created
    # The first person may enrol again after cancelling, once the place is free again.
    with pytest.raises(Conflict):
        enrolments.enrol(term.pk, actor=first)


@pytest.mark.parametrize(
    ("course_status", "term_status", "code"),
    [
        (CourseStatus.DRAFT, TermStatus.OPEN, "not_found"),
        (CourseStatus.PUBLISHED, TermStatus.DRAFT, "not_found"),
        (CourseStatus.PUBLISHED, TermStatus.CLOSED, "enrolment_closed"),
        (CourseStatus.PUBLISHED, TermStatus.FINISHED, "enrolment_closed"),
    ],
)
def test_enrolment_only_while_open(tree, course_status, term_status, code):
    term = make_term(make_course(tree.east, status=course_status), status=term_status)
    _member, user = make_member_with_account(tree.acme)
    with pytest.raises(DomainError) as caught:
        enrolments.enrol(term.pk, actor=user)
    assert caught.value.code == code
    assert not CourseEnrolment.objects.exists()


def test_cancel_refusals(tree):
    term = make_term(make_course(tree.east), starts_in=0)
    member, user = make_member_with_account(tree.acme)
    enrolment = make_enrolment(term, member, user)
    with pytest.raises(Conflict) as caught:
        enrolments.cancel_enrolment(enrolment.pk, actor=user)
    assert caught.value.code == "started"
    _other, stranger = make_member_with_account(tree.acme)
    with pytest.raises(DomainError) as missing:
        enrolments.cancel_enrolment(enrolment.pk, actor=stranger)
    assert missing.value.code == "not_found"
    assert CourseEnrolment.objects.get().status == EnrolmentStatus.ENROLLED


# --- attendance and certificates ------------------------------------------------------------------


def _finished_term_with(tree, attended: list[int], sessions: int = 10) -> tuple[Term, list[CourseEnrolment]]:
    term = past_term(make_course(tree.east), sessions=sessions)
    rows = []
    for count in attended:
        member, user = make_member_with_account(tree.acme)
        enrolment = make_enrolment(term, member, user)
        attend(enrolment, count)
        rows.append(enrolment)
    return term, rows


def test_attendance_sheet_sets_exactly_the_ticked_people(tree, east_admin):
    term = past_term(make_course(tree.east), status=TermStatus.CLOSED)
    people = [make_member_with_account(tree.acme) for _ in range(3)]
    rows = [make_enrolment(term, member, user) for member, user in people]
    session = term.sessions.all()[0]
    assert enrolments.mark_attendance(session.pk, actor=east_admin, present={rows[0].pk, rows[1].pk}) == 2
    assert enrolments.mark_attendance(session.pk, actor=east_admin, present={rows[1].pk, rows[2].pk}) == 2
    assert set(Attendance.objects.values_list("enrolment_id", flat=True)) == {rows[1].pk, rows[2].pk}


def test_attendance_refusals_change_nothing(tree, east_admin):
    term = make_term(make_course(tree.east))
    other = past_term(make_course(tree.east, title="普通话"))
    member, user = make_member_with_account(tree.acme)
    stranger_row = make_enrolment(other, member, user)
    with pytest.raises(Conflict) as early:
        enrolments.mark_attendance(term.sessions.all()[0].pk, actor=east_admin, present=set())
    assert early.value.code == "not_yet"
    past_session = past_term(make_course(tree.east, title="法律")).sessions.all()[0]
    with pytest.raises(ValidationFailed):
        enrolments.mark_attendance(past_session.pk, actor=east_admin, present={stranger_row.pk})
    with pytest.raises(Http404):
        enrolments.mark_attendance(past_session.pk, actor=officer_at(tree.west, "west.admin"), present=set())
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("attended", "sessions", "required", "meets"),
    [
        (8, 10, 80, True),
        (7, 10, 80, False),
        (7, 9, 80, False),
        (8, 9, 80, True),
        (1, 1, 100, True),
        (0, 0, 80, False),
    ],
)
def test_attendance_rule(attended, sessions, required, meets):
    assert enrolments.meets_rule(attended, sessions, required) is meets


def test_certificates_go_to_those_meeting_the_rule_once(tree, east_admin):
    term, rows = _finished_term_with(tree, [10, 8, 7, 0])
    issued = enrolments.issue_certificates(term, actor=east_admin)
    assert {c.enrolment_id for c in issued} == {rows[0].pk, rows[1].pk}
    assert len({c.number for c in issued}) == 2
    assert set(
        CourseEnrolment.objects.filter(status=EnrolmentStatus.COMPLETED).values_list("pk", flat=True)
    ) == {
        rows[0].pk,
        rows[1].pk,
    }
    attend_more = Session.objects.filter(term=term).order_by("-date")[0]
    Attendance.objects.create(session=attend_more, enrolment=rows[2])
    again = enrolments.issue_certificates(term, actor=east_admin)
    assert [c.enrolment_id for c in again] == [rows[2].pk]
    assert Certificate.objects.count() == 3


def test_certificates_wait_for_the_term_to_finish(tree, east_admin):
    term = past_term(make_course(tree.east), status=TermStatus.CLOSED)
    with pytest.raises(Conflict) as caught:
        enrolments.issue_certificates(term, actor=east_admin)
    assert caught.value.code == "term_not_finished"


def test_certificate_pdf_and_verification_mask_the_name(tree, east_admin):
    term, rows = _finished_term_with(tree, [10], sessions=2)
    certificate = enrolments.issue_certificates(term, actor=east_admin)[0]
    pdf = certificates.render_certificate_pdf(
        certificates.certificate_with_relations(certificate.pk), "https://example.org/verify/x/"
    )
    assert pdf.startswith(b"%PDF")
    verified = certificates.verify_certificate(certificate.token)
    member = rows[0].member
    assert verified.masked_name == member.masked_name != member.name
    assert verified.course == "电工技能提升班"
    with pytest.raises(DomainError):
        certificates.verify_certificate("no-such-token")
