"""The member portal: the catalogue with fees and the member price, enrolling and cancelling on
a course's page, my courses with my certificate; every refusal shown, nothing written, no 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.courses.models import (
    Certificate,
    CourseEnrolment,
    CourseStatus,
    EnrolmentStatus,
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


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_catalogue_shows_published_courses_with_both_prices(tree, client):
    make_term(make_course(tree.east))
    make_course(tree.east, title="草稿课程", status=CourseStatus.DRAFT)
    page = client.get(reverse("portal:courses"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "电工技能提升班" in text
    assert "草稿课程" not in text
    assert "300.00" in text
    assert "120.00" in text


def test_enrol_and_cancel_on_the_course_page(tree):
    course = make_course(tree.east)
    term = make_term(course)
    _member, user = make_member_with_account(tree.acme)
    client = _client(user)
    url = reverse("portal:course_detail", args=[course.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "120.00" in page.content.decode()
    assert client.post(url, {"action": "enrol", "term": term.pk}).status_code == 302
    enrolment = CourseEnrolment.objects.get()
    assert enrolment.fee_due == 120
    assert client.post(url, {"action": "enrol", "term": term.pk}).status_code == 302
    assert CourseEnrolment.objects.count() == 1
    assert 'data-enrolment-status="enrolled"' in client.get(url).content.decode()
    assert client.post(url, {"action": "cancel", "term": term.pk}).status_code == 302
    assert CourseEnrolment.objects.get().status == EnrolmentStatus.CANCELLED
    assert Term.objects.get().taken == 0


@pytest.mark.parametrize(
    "data",
    [
        {"action": "enrol"},
        {"action": "enrol", "term": "x"},
        {"action": "fly", "term": "1"},
        {"action": "cancel"},
    ],
)
def test_bad_posts_are_refused_without_writing(tree, data):
    course = make_course(tree.east)
    make_term(course)
    _member, user = make_member_with_account(tree.acme)
    response = _client(user).post(reverse("portal:course_detail", args=[course.pk]), data)
    assert response.status_code in {404, 409, 422}
    assert not CourseEnrolment.objects.exists()


def test_a_term_of_another_course_or_a_full_one_is_refused(tree):
    course = make_course(tree.east)
    other_term = make_term(make_course(tree.east, title="普通话"))
    full = make_term(course, places=1)
    holder, holder_user = make_member_with_account(tree.acme)
    make_enrolment(full, holder, holder_user)
    _member, user = make_member_with_account(tree.acme)
    client = _client(user)
    url = reverse("portal:course_detail", args=[course.pk])
    assert client.post(url, {"action": "enrol", "term": other_term.pk}).status_code == 404
    response = client.post(url, {"action": "enrol", "term": full.pk})
    assert response.status_code == 409
    assert CourseEnrolment.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(tree, client):
    course = make_course(tree.east)
    term = make_term(course)
    response = client.post(
        reverse("portal:course_detail", args=[course.pk]), {"action": "enrol", "term": term.pk}
    )
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert client.get(reverse("portal:my_courses")).status_code == 302
    assert not CourseEnrolment.objects.exists()


def test_a_draft_course_is_not_found(tree, client):
    course = make_course(tree.east, status=CourseStatus.DRAFT)
    assert client.get(reverse("portal:course_detail", args=[course.pk])).status_code == 404


def test_my_courses_offers_my_certificate(tree, east_admin):
    from gonghui.courses.services.enrolments import issue_certificates

    term = past_term(make_course(tree.east), sessions=1, status=TermStatus.FINISHED)
    member, user = make_member_with_account(tree.acme)
    attend(make_enrolment(term, member, user), 1)
    issue_certificates(term, actor=east_admin)
    certificate = Certificate.objects.get()
    page = _client(user).get(reverse("portal:my_courses"))
    assert page.status_code == 200
    assert certificate.number in page.content.decode()
    pdf = _client(user).get(reverse("portal:course_certificate_pdf", args=[certificate.pk]))
    assert pdf.content.startswith(b"%PDF")
