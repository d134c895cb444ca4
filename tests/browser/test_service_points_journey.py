"""Issue 8's journey on a 390 px phone: a delivery rider opens 服务阵地, asks for the nearest
outdoor workers' station, opens it, and — standing at it — scans its poster, checks in and rates
it; then signs up for a health check and takes its last place, and when they cancel, the first
person on the waiting list gets the place (and a text message)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.core.sms import outbox_messages
from gonghui.events.models import SignUp, SignUpStatus
from gonghui.events.services.signups import sign_up
from gonghui.events.tests.factories import make_event
from gonghui.orgs.models import FederationLevel, OrgKind
from gonghui.orgs.tests.factories import add_org
from gonghui.services.models import PointKind, Rating, Visit
from gonghui.services.tests.factories import make_point
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
MOBILE = "13912340002"
HERE = {"latitude": 29.8700, "longitude": 121.5500}


@pytest.fixture
def rider(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation=HERE,
        permissions=["geolocation"],
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_nearest_station_then_a_health_check_whose_place_moves_up(live_server: Any, rider: Any) -> None:
    city = add_org(None, "C", "示范市总工会", OrgKind.FEDERATION, level=FederationLevel.CITY)
    district = add_org(city, "C-1", "明州区总工会", OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    union = add_org(district, "C-1-A", "明州区快递行业工会")
    make_point(district, "鼓楼爱心驿站", latitude="29.950000", longitude="121.650000")
    near = make_point(
        district,
        "中山路户外劳动者服务站",
        latitude="29.871000",
        longitude="121.551000",
        facilities=["water", "microwave", "charging", "toilet"],
        contact_phone="0574-8888 6666",
    )
    make_point(
        district,
        "明州妈咪暖心小屋",
        kind=PointKind.NURSING_ROOM,
        latitude="29.870100",
        longitude="121.550100",
    )
    make_member_with_account(union, mobile=MOBILE)
    check_up = make_event(union, places=1, title="快递小哥免费健康体检", address="明州区人民医院体检中心")

    # 1. From the services page to the map, nearest stations first.
    rider.goto(f"{live_server.url}/services/")
    rider.get_by_role("link", name="服务阵地").click()
    rider.get_by_role("link", name="户外劳动者服务站", exact=True).click()
    rider.get_by_role("button", name="离我最近").click()
    rider.get_by_text("按距离由近到远排列。").wait_for()
    cards = rider.locator(".place-card__name").all_inner_texts()
    assert cards[0] == "中山路户外劳动者服务站"
    assert "明州妈咪暖心小屋" not in cards  # another kind
    assert rider.get_by_role("button", name="在地图上查看").is_visible()
    fits_the_screen(rider)
    assert axe_violations(rider) == []
    screenshot(rider, "service-points-1-nearest")

    # 2. The station's page: what it has, directions, a call button.
    rider.get_by_role("link", name="中山路户外劳动者服务站").click()
    rider.get_by_text("微波炉").wait_for()
    assert rider.get_by_role("button", name="导航").is_visible()
    fits_the_screen(rider)
    assert axe_violations(rider) == []
    screenshot(rider, "service-points-2-station")

    # 3. At the station: the poster's QR code opens the check-in page; sign in, check in.
    sign_in(rider, live_server.url, MOBILE, "Member-pass-2026")
    rider.goto(f"{live_server.url}/points/{near.pk}/check-in/{near.checkin_code}/")
    rider.get_by_role("button", name="在此签到").click()
    rider.get_by_text("签到").first.wait_for()
    assert Visit.objects.filter(point=near).count() == 1

    # 4. The rating.
    rider.get_by_label("4 星").check()
    rider.get_by_label("想对工会说的话（选填）").fill("有热水，能充电，很方便")
    rider.get_by_role("button", name="提交评价").click()
    rider.get_by_text("感谢您评价").wait_for()
    assert Rating.objects.get(visit__point=near).score == 4
    fits_the_screen(rider)
    assert axe_violations(rider) == []
    screenshot(rider, "service-points-3-rated")

    # 5. The health check: the rider takes its last place; a colleague can only wait.
    rider.get_by_role("navigation", name="主导航").get_by_role("link", name="服务").click()
    rider.get_by_role("link", name="活动").first.click()
    rider.get_by_role("link", name="快递小哥免费健康体检").click()
    rider.get_by_role("button", name="我要报名").click()
    rider.get_by_text("报名成功").wait_for()
    colleague, colleague_user = make_member_with_account(union, mobile="13912340003")
    waiting = sign_up(check_up.pk, actor=colleague_user).signup
    assert waiting.status == SignUpStatus.WAITING

    # 6. The rider cannot go after all and gives the place up: the colleague gets it, and a text.
    rider.get_by_role("button", name="放弃名额").click()
    rider.get_by_text("您的报名已取消").wait_for()
    assert SignUp.objects.get(pk=waiting.pk).status == SignUpStatus.CONFIRMED
    assert "快递小哥免费健康体检" in outbox_messages(colleague.mobile)[0]
    fits_the_screen(rider)
    assert axe_violations(rider) == []
    screenshot(rider, "service-points-4-place-given-up")
    assert rider.console_errors == []
