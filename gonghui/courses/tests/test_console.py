"""The officers' console: courses, terms with their sessions, the attendance sheet, certificates;
every bad input shown on the form, nothing written, no 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.courses.models import Attendance, Certificate, Course, CourseStatus, Term, TermStatus
from gonghui.courses.tests.factories import make_course, make_enrolment, make_member_with_account, past_term

pytestmark = pytest.mark.django_db
BASE = "/console/courses"


def _course_form(tree: Any, **changes: Any) -> dict[str, Any]:
    return {
        "school": tree.east.code,
        "title": "电工技能提升班",
        "category": "skills",
        "teachers": "王建国、李红",
        "fee": "300",
        "member_fee": "120.50",
        "places": "20",
        "required_attendance": "80",
        **changes,
    }


def test_create_publish_and_add_a_term(tree, east_client):
    response = east_client.post(f"{BASE}/new/", _course_form(tree))
    assert response.status_code == 302
    course = Course.objects.get()
    assert str(course.member_fee) == "120.50"
    assert east_client.post(f"{BASE}/{course.pk}/action/", {"action": "publish"}).status_code == 302
    assert Course.objects.get().status == CourseStatus.PUBLISHED
    start = timezone.localdate() + timedelta(days=10)
    sessions = (
        f"{start:%Y-%m-%d} 19:00-21:00 三楼301\n{start + timedelta(days=7):%Y-%m-%d} 19:00-21:00 三楼301"
    )
    response = east_client.post(
        f"{BASE}/{course.pk}/terms/new/",
        {
            "name": "2027年春季班",
            "starts_on": f"{start}",
            "ends_on": f"{start + timedelta(days=14)}",
            "sessions": sessions,
        },
    )
    assert response.status_code == 302
    term = Term.objects.get()
    assert (term.places, term.sessions.count()) == (20, 2)
    assert east_client.post(f"{BASE}/terms/{term.pk}/action/", {"action": "open"}).status_code == 302
    assert Term.objects.get().status == TermStatus.OPEN
    page = east_client.get(f"{BASE}/terms/{term.pk}/")
    assert page.status_code == 200
    assert "2027年春季班" in page.content.decode()
    assert east_client.get(f"{BASE}/").status_code == 200
    assert east_client.get(f"{BASE}/{course.pk}/").status_code == 200
    assert east_client.get(f"{BASE}/{course.pk}/edit/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"fee": "abc"}, "fee"),
        ({"fee": "100", "member_fee": "200"}, "member_fee"),
        ({"places": "0"}, "places"),
        ({"required_attendance": "120"}, "required_attendance"),
        ({"school": "NOPE"}, "school"),
        ({"school": "W"}, "school"),
        ({"category": "x"}, "category"),
        ({"title": "a\x00b"}, "title"),
    ],
)
def test_bad_course_input_is_shown_and_changes_nothing(tree, east_client, changes, field):
    response = east_client.post(f"{BASE}/new/", _course_form(tree, **changes))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "sessions",
    [
        "tomorrow evening",
        "2027-02-30 19:00-21:00 教室",
        "2027-03-01 21:00-19:00 教室",
        "2030-01-01 19:00-21:00 教室",
    ],
)
def test_bad_sessions_are_shown_and_change_nothing(tree, east_client, sessions):
    course = make_course(tree.east)
    response = east_client.post(
        f"{BASE}/{course.pk}/terms/new/",
        {"name": "春季班", "starts_on": "2027-03-01", "ends_on": "2027-03-31", "sessions": sessions},
    )
    assert response.status_code == 422
    assert "sessions" in response.context["form"].errors
    assert not Term.objects.exists()


def test_attendance_sheet_and_certificates(tree, east_client):
    term = past_term(make_course(tree.east), sessions=2, status=TermStatus.CLOSED)
    people = [make_member_with_account(tree.acme) for _ in range(2)]
    rows = [make_enrolment(term, member, user) for member, user in people]
    session = term.sessions.order_by("date")[0]
    sheet = east_client.get(f"{BASE}/sessions/{session.pk}/attendance/")
    assert sheet.status_code == 200
    assert people[0][0].masked_name in sheet.content.decode()
    assert (
        east_client.post(f"{BASE}/sessions/{session.pk}/attendance/", {"present": [rows[0].pk]}).status_code
        == 302
    )
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [rows[0].pk]
    for bad in (["x"], ["99999999"]):
        assert (
            east_client.post(f"{BASE}/sessions/{session.pk}/attendance/", {"present": bad}).status_code == 422
        )
    assert Attendance.objects.count() == 1
    # Not finished yet: the refusal is a message, nothing issued.
    assert east_client.post(f"{BASE}/terms/{term.pk}/certificates/").status_code == 302
    assert not Certificate.objects.exists()
    Term.objects.filter(pk=term.pk).update(status=TermStatus.FINISHED)
    Attendance.objects.create(session=term.sessions.order_by("date")[1], enrolment=rows[0])
    assert east_client.post(f"{BASE}/terms/{term.pk}/certificates/").status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.enrolment_id == rows[0].pk
    pdf = east_client.get(f"{BASE}/certificates/{certificate.pk}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_officers_elsewhere_get_404(tree, client):
    from gonghui.accounts.tests.factories import sign_in_verified
    from gonghui.orgs.tests.factories import officer_at

    sign_in_verified(client, officer_at(tree.west, "west.admin"))
    course = make_course(tree.east)
    term = past_term(course)
    session = term.sessions.all()[0]
    for url in (
        f"{BASE}/{course.pk}/",
        f"{BASE}/{course.pk}/edit/",
        f"{BASE}/terms/{term.pk}/",
        f"{BASE}/sessions/{session.pk}/attendance/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"{BASE}/{course.pk}/action/", {"action": "withdraw"}).status_code == 404
    assert Course.objects.get().status == CourseStatus.PUBLISHED
