"""In Chromium: a member books a counselling session on a phone and sees it in "my bookings";
the counsellor opens it at the desk and writes notes. Both pages pass axe under the CSP."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.counselling.models import Booking, SessionNote
from gonghui.counselling.tests.factories import PASSWORD as COUNSELLOR_PASSWORD
from gonghui.counselling.tests.factories import make_counsellor, make_member_with_account, make_slot
from gonghui.orgs.tests.factories import make_tree
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_on_a_phone_and_take_notes_at_the_desk(live_server: Any, phone: Any, desktop: Any) -> None:
    tree = make_tree()
    counsellor = make_counsellor(tree.east, display_name="李老师")
    slot = make_slot(counsellor)
    make_member_with_account(tree.acme, "13700003333")
    member_password = "Member-pass-2026"

    sign_in(phone, live_server.url, "13700003333", member_password)
    phone.goto(f"{live_server.url}/counselling/")
    assert phone.get_by_role("heading", level=1).inner_text() == "心理咨询"
    assert axe_violations(phone) == []
    screenshot(phone, "portal-counselling-slots")
    phone.locator(f'[data-slot-id="{slot.pk}"] a').click()
    phone.get_by_label("您想聊哪方面的问题？").select_option("work_stress")
    phone.get_by_label("想对咨询师说的话（选填）").fill("最近加班多，睡不好")
    screenshot(phone, "portal-counselling-book")
    phone.get_by_role("button", name="确认预约").click()
    phone.wait_for_load_state("networkidle")
    assert "预约成功" in phone.content()
    assert axe_violations(phone) == []
    screenshot(phone, "portal-counselling-mine")
    booking = Booking.objects.get()
    assert phone.console_errors == []

    sign_in(desktop, live_server.url, counsellor.user.username, COUNSELLOR_PASSWORD)
    desktop.goto(f"{live_server.url}/console/counselling/desk/")
    assert "最近加班多，睡不好" in desktop.content()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-counselling-desk")
    desktop.goto(f"{live_server.url}/console/counselling/desk/bookings/{booking.pk}/")
    desktop.get_by_label("我的咨询记录").fill("首次来访，压力较大")
    desktop.get_by_role("button", name="保存记录").click()
    desktop.wait_for_load_state("networkidle")
    assert SessionNote.objects.get(booking=booking).text == "首次来访，压力较大"
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-counselling-booking")
    assert desktop.console_errors == []
