"""On a 390 px phone a member opens 职工学校, sees the fee and the member price, enrols in a
term at the member price and finds it under my courses. An officer ticks the attendance sheet of
a past session, finishes the term and issues the certificates; the member's certificate is
checked on the public verify page, which shows only the masked name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.courses.models import Certificate, CourseEnrolment
from gonghui.courses.tests.factories import (
    make_course,
    make_enrolment,
    make_member_with_account,
    make_term,
    past_term,
)
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def member_phone(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


@pytest.fixture
def officer_desktop(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": 1280, "height": 800})


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_enrol_take_attendance_issue_and_verify_a_certificate(
    live_server: Any, member_phone: Any, officer_desktop: Any
) -> None:
    tree = make_tree()
    course = make_course(tree.acme, title="低压电工技能提升班")
    make_term(course, name="2027年春季班", sessions=3)
    member, user = make_member_with_account(tree.acme, mobile="13912345001")
    finished = past_term(make_course(tree.acme, title="职工普通话提高班"), sessions=1, status="closed")
    earlier = make_enrolment(finished, member, user)
    officer_at(tree.acme, "acme.school")

    # 1. The catalogue shows both prices; the member enrols at the member price.
    sign_in(member_phone, live_server.url, "13912345001", "Member-pass-2026")
    member_phone.goto(f"{live_server.url}/courses/")
    member_phone.get_by_text("低压电工技能提升班").wait_for()
    fits_the_screen(member_phone)
    assert axe_violations(member_phone) == []
    screenshot(member_phone, "courses-1-catalogue")
    member_phone.get_by_role("link", name="低压电工技能提升班").click()
    member_phone.get_by_text("您享受会员价：¥120.00。").wait_for()
    member_phone.get_by_role("button", name="报名").click()
    member_phone.get_by_text("报名成功").wait_for()
    fits_the_screen(member_phone)
    assert axe_violations(member_phone) == []
    screenshot(member_phone, "courses-2-enrolled")
    assert CourseEnrolment.objects.get(term__course=course).fee_due == 120

    # 2. The officer ticks the attendance sheet, finishes the term and issues the certificates.
    sign_in(officer_desktop, live_server.url, "acme.school", PASSWORD)
    session = finished.sessions.get()
    officer_desktop.goto(f"{live_server.url}/console/courses/sessions/{session.pk}/attendance/")
    officer_desktop.get_by_label(member.masked_name, exact=False).check()
    assert axe_violations(officer_desktop) == []
    screenshot(officer_desktop, "courses-3-attendance-sheet")
    officer_desktop.get_by_role("button", name="保存签到").click()
    officer_desktop.get_by_text("签到已保存：到课 1 人。").wait_for()
    officer_desktop.get_by_role("button", name="本期结课").click()
    officer_desktop.get_by_role("button", name="颁发结业证书").click()
    officer_desktop.get_by_text("已颁发 1 份结业证书。").wait_for()
    assert axe_violations(officer_desktop) == []
    screenshot(officer_desktop, "courses-4-term")
    certificate = Certificate.objects.get(enrolment=earlier)

    # 3. The member finds the certificate; anyone can check it and sees only the masked name.
    member_phone.goto(f"{live_server.url}/courses/mine/")
    member_phone.get_by_text(certificate.number, exact=False).wait_for()
    screenshot(member_phone, "courses-5-my-courses")
    member_phone.goto(f"{live_server.url}/courses/verify/{certificate.token}/")
    member_phone.get_by_text("该证书真实有效。").wait_for()
    assert member.name not in member_phone.content()
    assert member.masked_name in member_phone.content()
    fits_the_screen(member_phone)
    assert axe_violations(member_phone) == []
    screenshot(member_phone, "courses-6-verify")
    assert member_phone.console_errors == officer_desktop.console_errors == []
