"""Member portal pages: who may see them, what they show, and the large-font switch."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.accounts.tests.factories import make_member, make_officer
from gonghui.portal import navigation

pytestmark = pytest.mark.django_db

BACKEND = "gonghui.accounts.backends.MobileOrUsernameBackend"


def _html(response) -> str:
    return str(response.content.decode())


def _assert_csp_clean(html: str) -> None:
    """Nothing the Content-Security-Policy would block: no inline script, style or style=""."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_home_is_public_shows_the_tiles_and_marks_the_current_nav_item(client):
    response = client.get("/")
    assert response.status_code == 200
    html = _html(response)
    assert '<html lang="zh-Hans"' in html
    assert 'name="htmx-config"' in html
    assert '"allowEval":false' in html
    assert 'name="csrf-token"' in html
    for label in (
        "入会",
        "会员卡",
        "福利",
        "活动",
        "互助保障",
        "困难帮扶",
        "我要求助",
        "职工学校",
        "心理咨询",
        "服务阵地",
    ):
        assert label in html
    assert html.count("<h1") == 1
    assert 'href="#main"' in html
    assert 'id="main"' in html
    nav = html[html.index('class="bottom-nav"') :]
    assert f'href="{reverse("portal:home")}" aria-current="page"' in nav
    assert nav.count('aria-current="page"') == 1
    for label in ("首页", "服务", "福利", "我的"):
        assert label in nav
    assert reverse("accounts:login") in html
    _assert_csp_clean(html)


def test_home_greets_a_signed_in_member_by_name(client):
    client.force_login(make_member(display_name="李华"), backend=BACKEND)
    html = _html(client.get("/"))
    assert "您好，李华" in html
    assert f'href="{reverse("accounts:login")}' not in html


def test_every_tile_links_to_its_page(client):
    html = _html(client.get("/"))
    for tile in navigation.TILES:
        assert f'href="{tile.url()}"' in html
    assert "即将上线" not in html


def test_every_tile_and_category_is_consistent():
    categories = {c.key for c in navigation.CATEGORIES}
    keys = [t.key for t in navigation.TILES]
    assert len(keys) == len(set(keys))
    for tile in navigation.TILES:
        assert tile.category in categories
        assert len(tile.glyph) == 1
        assert tile.url().startswith("/"), tile.key


def test_services_groups_the_tiles_by_category(client):
    response = client.get("/services/")
    assert response.status_code == 200
    html = _html(response)
    for heading in ("入会与会籍", "普惠与活动", "帮扶与维权", "阵地与咨询"):
        assert heading in html
    assert html.count("<h1") == 1
    assert f'href="{reverse("portal:services")}" aria-current="page"' in html
    _assert_csp_clean(html)


def test_benefits_is_the_campaign_list_with_an_empty_state_when_none_is_listed(client):
    # The page itself is the benefits app's (gonghui/benefits/tests/test_portal_campaigns.py).
    response = client.get("/benefits/")
    assert response.status_code == 200
    assert response.resolver_match.func.__module__ == "gonghui.benefits.portal_views.campaigns"
    html = _html(response)
    assert "暂时还没有福利活动" in html
    assert 'class="empty-state"' in html
    assert f'href="{reverse("portal:benefits")}" aria-current="page"' in html
    _assert_csp_clean(html)


def test_me_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/me/" in response["Location"]


def test_me_shows_a_member_their_name_and_masked_mobile_only(client):
    member = make_member(mobile="13800138000", display_name="李华")
    client.force_login(member, backend=BACKEND)
    response = client.get("/me/")
    assert response.status_code == 200
    html = _html(response)
    assert "李华" in html
    assert member.masked_mobile in html
    assert "13800138000" not in html
    assert reverse("accounts:password_change") in html
    assert reverse("accounts:tokens") in html
    assert reverse("accounts:otp_setup") not in html
    assert reverse("console:dashboard") not in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'action="{reverse("portal:toggle_large_font")}"' in html
    _assert_csp_clean(html)


def test_me_offers_an_officer_two_factor_and_the_console(client):
    client.force_login(make_officer(), backend=BACKEND)
    html = _html(client.get("/me/"))
    assert reverse("accounts:otp_setup") in html
    assert reverse("console:dashboard") in html
    assert "未设置" in html  # an officer without a mobile number


def test_large_font_toggle_sets_then_clears_the_cookie_and_returns(client):
    response = client.post("/large-font/", {"next": "/services/"})
    assert response.status_code == 302
    assert response["Location"] == "/services/"
    cookie = response.cookies["large_font"]
    assert cookie.value == "1"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"

    html = _html(client.get("/services/"))
    assert 'class="large-font"' in html
    assert 'aria-pressed="true"' in html  # the switch in the top bar shows its state

    response = client.post("/large-font/", {"next": "/"})
    assert response["Location"] == "/"
    assert response.cookies["large_font"].value == ""
    assert 'class="large-font"' not in _html(client.get("/"))


def test_large_font_toggle_is_in_the_top_bar_and_once_on_me(client):
    html = _html(client.get("/"))
    topbar = html[html.index('class="portal-topbar"') : html.index("</header>")]
    assert f'action="{reverse("portal:toggle_large_font")}"' in topbar
    assert 'aria-pressed="false"' in topbar
    assert 'name="next" value="/"' in topbar

    client.force_login(make_member(), backend=BACKEND)
    client.cookies["large_font"] = "1"
    html = _html(client.get("/me/"))
    assert html.count(f'action="{reverse("portal:toggle_large_font")}"') == 1
    assert 'aria-pressed="true"' in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_large_font_toggle_never_redirects_off_site(client, target):
    response = client.post("/large-font/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_large_font_toggle_refuses_get(client):
    assert client.get("/large-font/").status_code == 405


def test_large_font_toggle_needs_the_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/large-font/", {"next": "/"})
    assert response.status_code == 403


def test_browsers_set_to_english_still_get_the_chinese_ui(client):
    html = _html(client.get("/", headers={"accept-language": "en"}))
    assert '<html lang="zh-Hans"' in html
    assert "会员服务" in html
    assert "Member services" not in html
