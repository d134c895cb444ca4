"""The courses API: the public catalogue, the member's enrolments and the officers' operations;
refusals as `{code, message, fields}`, nothing written, no 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.courses.models import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseStatus,
    Term,
    TermStatus,
)
from gonghui.courses.tests.factories import (
    attend,
    make_course,
    make_enrolment,
    make_member_with_account,
    make_term,
    past_term,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/courses"
ME = "/api/v1/courses/me"


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_public_catalogue_shows_published_courses_and_listed_terms(tree, client):
    course = make_course(tree.east)
    make_term(course, name="春季班")
    make_term(course, name="草稿班", status=TermStatus.DRAFT)
    make_course(tree.east, title="未发布", status=CourseStatus.DRAFT)
    body = client.get(API).json()
    assert [item["title"] for item in body["items"]] == ["电工技能提升班"]
    item = body["items"][0]
    assert (item["fee"], item["member_fee"]) == ("300.00", "120.00")
    assert [term["name"] for term in item["terms"]] == ["春季班"]
    assert len(item["terms"][0]["sessions"]) == 5
    assert client.get(f"{API}/{course.pk}").status_code == 200
    hidden = Course.objects.get(status=CourseStatus.DRAFT)
    assert client.get(f"{API}/{hidden.pk}").status_code == 404
    assert client.get(f"{API}/0").status_code == 422
    assert client.get(f"{API}/abc").status_code == 422


def test_enrol_twice_then_cancel_and_my_list(tree):
    term = make_term(make_course(tree.east), places=1)
    (_a, first), (_b, second) = make_member_with_account(tree.acme), make_member_with_account(tree.acme)
    first_client, second_client = _client(first), _client(second)
    created = _send(first_client, "post", f"{ME}/enrolments", {"term": term.pk})
    assert created.status_code == 201
    assert (created.json()["fee_due"], created.json()["member_price"]) == ("120.00", True)
    assert _send(first_client, "post", f"{ME}/enrolments", {"term": term.pk}).status_code == 200
    full = _send(second_client, "post", f"{ME}/enrolments", {"term": term.pk})
    assert (full.status_code, full.json()["code"]) == (409, "term_full")
    enrolment_id = created.json()["id"]
    assert _send(second_client, "post", f"{ME}/enrolments/{enrolment_id}/cancel").status_code == 404
    cancelled = _send(first_client, "post", f"{ME}/enrolments/{enrolment_id}/cancel")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = _send(first_client, "post", f"{ME}/enrolments/{enrolment_id}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "not_cancellable")
    assert [row["status"] for row in first_client.get(ME).json()["items"]] == ["cancelled"]
    assert _send(second_client, "post", f"{ME}/enrolments", {"term": term.pk}).status_code == 201


@pytest.mark.parametrize("body", [{}, {"term": "x"}, {"term": 0}, {"term": 10**15}, {"term": 999999}])
def test_bad_enrolment_requests(tree, body):
    _member, user = make_member_with_account(tree.acme)
    response = _send(_client(user), "post", f"{ME}/enrolments", body)
    assert response.status_code in {404, 422}
    assert {"code", "message"} <= set(response.json())
    assert not CourseEnrolment.objects.exists()


def test_anonymous_cannot_enrol(tree, client):
    term = make_term(make_course(tree.east))
    assert _send(client, "post", f"{ME}/enrolments", {"term": term.pk}).status_code == 401


def _course_body(tree: Any, **changes: Any) -> dict[str, Any]:
    return {
        "school": tree.east.code,
        "title": "普通话提高班",
        "category": "culture",
        "teachers": "张老师",
        "fee": "200.00",
        "member_fee": "80.00",
        "places": 30,
        **changes,
    }


def test_officer_flow_create_publish_term_attendance_certificates(tree, east_admin):
    client = _client(east_admin)
    created = _send(client, "post", f"{API}/manage", _course_body(tree))
    assert created.status_code == 201
    course_id = created.json()["id"]
    assert _send(client, "post", f"{API}/manage/{course_id}/actions", {"action": "publish"}).json()[
        "status"
    ] == ("published")
    start = timezone.localdate() + timedelta(days=3)
    term = _send(
        client,
        "post",
        f"{API}/manage/{course_id}/terms",
        {
            "name": "春季班",
            "starts_on": f"{start}",
            "ends_on": f"{start + timedelta(days=7)}",
            "sessions": [{"date": f"{start}", "starts_at": "19:00", "ends_at": "21:00", "room": "301"}],
        },
    )
    assert term.status_code == 201
    assert term.json()["places"] == 30
    opened = _send(client, "post", f"{API}/manage/terms/{term.json()['id']}/actions", {"action": "open"})
    assert opened.json()["status"] == "open"
    # Attendance and certificates on a past term.
    past = past_term(Course.objects.get(), sessions=2)
    member, user = make_member_with_account(tree.acme)
    enrolment = make_enrolment(past, member, user)
    session = past.sessions.order_by("date")[0]
    marked = _send(
        client, "put", f"{API}/manage/sessions/{session.pk}/attendance", {"present": [enrolment.pk]}
    )
    assert marked.json() == {"present": 1}
    issued = _send(client, "post", f"{API}/manage/terms/{past.pk}/certificates")
    assert issued.json()["issued"] == 0  # 1 of 2 sessions is 50%
    attend_second = past.sessions.order_by("date")[1]
    _send(client, "put", f"{API}/manage/sessions/{attend_second.pk}/attendance", {"present": [enrolment.pk]})
    issued = _send(client, "post", f"{API}/manage/terms/{past.pk}/certificates").json()
    assert issued["issued"] == 1
    listing = client.get(f"{API}/manage/terms/{past.pk}/enrolments").json()["items"]
    assert (listing[0]["attended"], listing[0]["certificate"], listing[0]["status"]) == (
        2,
        issued["numbers"][0],
        "completed",
    )
    mine = _client(user).get(ME).json()["items"][0]
    pdf = _client(user).get(mine["certificate_pdf"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    # Someone else cannot download it.
    _other, stranger = make_member_with_account(tree.acme)
    assert _client(stranger).get(mine["certificate_pdf"]).status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"title": ""}, 422, "title"),
        ({"fee": "-1"}, 422, None),
        ({"fee": "1.001"}, 422, None),
        ({"member_fee": "500.00"}, 422, "member_fee"),
        ({"places": 0}, 422, None),
        ({"category": "cooking"}, 422, None),
        ({"school": "W"}, 422, "school"),
        ({"title": "a\u0000b"}, 422, None),
    ],
)
def test_bad_course_bodies(tree, east_admin, changes, status, field):
    response = _send(_client(east_admin), "post", f"{API}/manage", _course_body(tree, **changes))
    assert response.status_code == status
    body = response.json()
    assert {"code", "message"} <= set(body)
    if field:
        assert field in body["fields"]
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "sessions",
    [
        [{"date": "2027-02-30", "starts_at": "19:00", "ends_at": "21:00", "room": "301"}],
        [{"date": "2027-03-01", "starts_at": "21:00", "ends_at": "19:00", "room": "301"}],
        [{"date": "2030-03-01", "starts_at": "19:00", "ends_at": "21:00", "room": "301"}],
        [{"date": "2027-03-01", "starts_at": "19:00", "ends_at": "21:00", "room": ""}],
        [{"date": "2027-03-01", "starts_at": "19:00", "ends_at": "21:00", "room": "301"}] * 2,
    ],
)
def test_bad_terms(tree, east_admin, sessions):
    course = make_course(tree.east)
    response = _send(
        _client(east_admin),
        "post",
        f"{API}/manage/{course.pk}/terms",
        {"name": "春季班", "starts_on": "2027-03-01", "ends_on": "2027-03-31", "sessions": sessions},
    )
    assert response.status_code == 422
    assert not Term.objects.exists()


def test_attendance_refusals(tree, east_admin):
    client = _client(east_admin)
    future = make_term(make_course(tree.east))
    early = _send(
        client, "put", f"{API}/manage/sessions/{future.sessions.all()[0].pk}/attendance", {"present": []}
    )
    assert (early.status_code, early.json()["code"]) == (409, "not_yet")
    past = past_term(make_course(tree.east), status=TermStatus.CLOSED)
    for body in ({"present": [999999]}, {"present": ["x"]}, {"present": [0]}, {}):
        response = _send(client, "put", f"{API}/manage/sessions/{past.sessions.all()[0].pk}/attendance", body)
        assert response.status_code == 422
    assert not Attendance.objects.exists()
    not_finished = _send(client, "post", f"{API}/manage/terms/{past.pk}/certificates")
    assert (not_finished.status_code, not_finished.json()["code"]) == (409, "term_not_finished")
    assert not Certificate.objects.exists()


def test_verify_page_shows_only_validity_masked_name_course_and_date(tree, client, east_admin):
    term = past_term(make_course(tree.east), sessions=1)
    member, user = make_member_with_account(tree.acme)
    attend(make_enrolment(term, member, user), 1)
    _send(_client(east_admin), "post", f"{API}/manage/terms/{term.pk}/certificates")
    certificate = Certificate.objects.get()
    page = client.get(reverse("portal:course_certificate_verify", args=[certificate.token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert member.masked_name in text
    assert member.name not in text
    assert certificate.number not in text
    assert "电工技能提升班" in text
    assert 'data-certificate="valid"' in text
    missing = client.get(reverse("portal:course_certificate_verify", args=["not-a-token"]))
    assert missing.status_code == 404
    assert 'data-certificate="unknown"' in missing.content.decode()
