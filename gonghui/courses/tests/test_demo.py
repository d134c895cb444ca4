"""The demo's courses: published, each with a term open for enrolment; the reset removes them."""

from __future__ import annotations

import pytest

from gonghui.courses.demo import COURSES, reset_demo_courses, seed_demo_courses
from gonghui.courses.models import Course, CourseEnrolment, Term
from gonghui.courses.services.enrolments import enrol
from gonghui.courses.tests.factories import make_member_with_account

pytestmark = pytest.mark.django_db


def test_seed_and_reset(tree):
    seed_demo_courses(tree.city)
    assert Course.objects.listed().count() == len(COURSES)
    terms = list(Term.objects.listed())
    assert len(terms) == len(COURSES)
    assert all(term.sessions.count() >= 1 for term in terms)
    _member, user = make_member_with_account(tree.acme)
    assert enrol(terms[0].pk, actor=user).created
    reset_demo_courses(tree.city)
    assert not Course.objects.exists()
    assert not CourseEnrolment.objects.exists()
