"""A member opens their electronic member card on a phone (scanning is tested in test_member_card)."""

from __future__ import annotations

import pytest

from gonghui.accounts.tests.factories import PASSWORD, make_member
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import OrgKind
from gonghui.orgs.tests.factories import add_org
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_opens_the_card_on_a_phone(live_server, phone):
    city = add_org(None, "C", "示范市总工会", OrgKind.FEDERATION, level="city")
    union = add_org(city, "C-1", "示范市甲公司工会")
    account = make_member("13800138000", display_name="李华")
    membership = member_row(union, name="李华明")
    membership.user = account
    membership.save()

    sign_in(phone, live_server.url, "13800138000", PASSWORD)
    phone.get_by_role("link", name="会员卡").first.click()
    assert phone.get_by_role("heading", level=1).inner_text() == "会员卡"
    assert "示范市甲公司工会" in phone.content()
    assert "李**" in phone.content()
    qr = phone.locator('img[src^="data:image/svg+xml"]').first
    qr.wait_for()
    assert qr.bounding_box()["width"] >= 160  # large enough for a scanner at arm's length
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    screenshot(phone, "portal-member-card")
    assert phone.console_errors == []
