"""On a 390 px phone a member opens 活动报名, signs up for a health check and gets the last place,
a second member joins the waiting list, the first cancels, and the second gets the place (with an
SMS) and sees it on the event page; the month calendar shows it. An officer's sign-up list and
check-in page are photographed too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.core.sms import outbox_messages
from gonghui.events.models import SignUp
from gonghui.events.tests.factories import make_event, make_member_with_account
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def first_phone(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


@pytest.fixture
def second_phone(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


@pytest.fixture
def officer_desktop(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": 1280, "height": 800})


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_sign_up_cancel_and_the_first_waiting_member_gets_the_place(
    live_server: Any, first_phone: Any, second_phone: Any, officer_desktop: Any
) -> None:
    tree = make_tree()
    event = make_event(tree.acme, places=1, title="2026年职工免费健康体检", address="东区人民医院体检中心")
    make_event(tree.acme, title="女职工两癌免费筛查", kind="cancer_screening", sex="female")
    make_member_with_account(tree.acme, mobile="13912340001")
    second, _user = make_member_with_account(tree.acme, mobile="13912340002")
    officer_at(tree.acme, "acme.events")

    # 1. The first member finds the health check in the list: open, for them, first.
    sign_in(first_phone, live_server.url, "13912340001", "Member-pass-2026")
    first_phone.goto(f"{live_server.url}/events/")
    first_phone.get_by_text("2026年职工免费健康体检").wait_for()
    fits_the_screen(first_phone)
    assert axe_violations(first_phone) == []
    screenshot(first_phone, "events-1-list")

    # 2. They open it and sign up: the last place is theirs.
    first_phone.get_by_role("link", name="2026年职工免费健康体检").click()
    first_phone.get_by_role("button", name="我要报名").click()
    first_phone.get_by_text("报名成功").wait_for()
    fits_the_screen(first_phone)
    assert axe_violations(first_phone) == []
    screenshot(first_phone, "events-2-signed-up")

    # 3. The second member can only join the waiting list.
    sign_in(second_phone, live_server.url, "13912340002", "Member-pass-2026")
    second_phone.goto(f"{live_server.url}/events/{event.pk}/")
    second_phone.get_by_role("button", name="报名候补").click()
    second_phone.get_by_text("候补第 1 位").first.wait_for()
    screenshot(second_phone, "events-3-waiting")

    # 4. The first member cancels; the place moves up at once.
    first_phone.get_by_role("button", name="放弃名额").click()
    first_phone.get_by_text("您的报名已取消").wait_for()
    assert SignUp.objects.get(member=second).status == "confirmed"
    assert "2026年职工免费健康体检" in outbox_messages(second.mobile)[0]

    # 5. The second member sees the place, and it is in their calendar.
    second_phone.reload()
    second_phone.get_by_text("已获名额").first.wait_for()
    second_phone.goto(f"{live_server.url}/events/mine/")
    second_phone.get_by_role("button", name="获取日历订阅地址").click()
    second_phone.locator("[data-feed-url]").wait_for()
    fits_the_screen(second_phone)
    assert axe_violations(second_phone) == []
    screenshot(second_phone, "events-4-my-events")

    # 6. The officer's sign-up list and check-in page.
    sign_in(officer_desktop, live_server.url, "acme.events", PASSWORD)
    officer_desktop.goto(f"{live_server.url}/console/events/{event.pk}/signups/")
    officer_desktop.get_by_role("heading", name="2026年职工免费健康体检").wait_for()
    screenshot(officer_desktop, "events-5-console-signups")
    officer_desktop.goto(f"{live_server.url}/console/events/{event.pk}/check-in/")
    officer_desktop.get_by_label("或输入会员卡号").fill("GH 0000 0000 0010")
    officer_desktop.get_by_role("button", name="签到").click()
    officer_desktop.get_by_text("开放签到").wait_for()
    screenshot(officer_desktop, "events-6-console-check-in")
    assert first_phone.console_errors == second_phone.console_errors == []
    # The refused check-in answers 409, which the browser logs; nothing else may be logged.
    assert all("409" in error for error in officer_desktop.console_errors)
