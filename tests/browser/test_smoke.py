"""What a person sees: members on a phone, officers on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_signs_in_on_a_phone_and_sees_the_portal_home(live_server, phone):
    make_member("13800138000", display_name="李华")
    sign_in(phone, live_server.url, "138 0013 8000", PASSWORD)
    assert phone.url.rstrip("/") == live_server.url
    assert phone.get_by_role("heading", level=1).is_visible()
    nav = phone.get_by_role("navigation", name="主导航")
    for label in ["首页", "服务", "福利", "我的"]:
        assert nav.get_by_role("link", name=label).is_visible()
    # Usable at 360 px: nothing forces sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "portal-home-member")
    nav.get_by_role("link", name="我的", exact=True).click()
    # The click only starts the navigation: wait until the new page shows the name.
    expect(phone.get_by_text("李华").first).to_be_visible()
    assert "李华" in phone.content()
    assert "138****8000" in phone.content()
    assert "13800138000" not in phone.content()
    screenshot(phone, "portal-me")
    assert phone.console_errors == []


def test_an_officer_signs_in_and_sees_the_console(live_server, desktop):
    make_officer("zhang.san", display_name="张三")
    sign_in(desktop, live_server.url, "zhang.san", PASSWORD)
    assert desktop.url.startswith(f"{live_server.url}/console/")
    assert desktop.get_by_role("navigation", name="后台导航").is_visible()
    assert "张三" in desktop.content()
    screenshot(desktop, "console-home-officer")
    assert desktop.console_errors == []


def test_a_wrong_password_is_explained_in_chinese(live_server, phone):
    make_member("13800138000")
    sign_in(phone, live_server.url, "13800138000", "not-the-password")
    assert phone.get_by_text("手机号、用户名或密码不正确").is_visible()
    screenshot(phone, "login-error")


def test_the_portal_first_page_transfers_under_100_kb(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    total = 0
    for request in responses:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    assert responses, "the page loaded nothing"
    assert total < 100 * 1024, f"portal home transferred {total} bytes"


def test_large_font_mode_makes_text_bigger_and_is_remembered(live_server, phone):
    phone.goto(live_server.url + "/")
    before = phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    phone.get_by_role("button", name="大字模式").first.click()
    phone.wait_for_load_state("networkidle")
    after = phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert after >= before * 1.2
    phone.goto(live_server.url + "/services/")
    assert phone.evaluate("document.documentElement.classList.contains('large-font')")
    screenshot(phone, "portal-large-font")


@pytest.mark.parametrize("path", ["/", "/services/", "/benefits/", "/accounts/login/"])
def test_portal_pages_have_no_serious_accessibility_violations(live_server, phone, path):
    phone.goto(live_server.url + path)
    assert axe_violations(phone) == []


@pytest.mark.parametrize("path", ["/", "/me/", "/accounts/tokens/", "/accounts/password/"])
def test_member_pages_have_no_serious_accessibility_violations(live_server, phone, path):
    make_member("13800138000")
    sign_in(phone, live_server.url, "13800138000", PASSWORD)
    phone.goto(live_server.url + path)
    assert axe_violations(phone) == []


@pytest.mark.parametrize(
    "path", ["/console/", "/console/audit/", "/console/reports/", "/console/jobs/", "/accounts/two-factor/"]
)
def test_console_pages_have_no_serious_accessibility_violations(live_server, desktop, path):
    from gonghui.accounts.models import User

    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)
    desktop.goto(live_server.url + path)
    assert axe_violations(desktop) == []
    screenshot(desktop, "console" + path.strip("/").replace("/", "-"))


def test_the_interactive_api_docs_work_under_our_csp_without_any_cdn(live_server, desktop):
    make_officer("zhang.san")
    sign_in(desktop, live_server.url, "zhang.san", PASSWORD)
    requested: list[str] = []
    desktop.on("request", lambda request: requested.append(request.url))
    desktop.goto(live_server.url + "/api/v1/docs")
    desktop.get_by_text("Gonghui API").first.wait_for(timeout=40_000)  # the schema has 256 paths
    assert desktop.get_by_text("/api/v1/me").first.is_visible()
    assert all(url.startswith((live_server.url, "data:")) for url in requested)
    assert [e for e in desktop.console_errors if "Content Security Policy" in e] == []
    screenshot(desktop, "api-docs")
