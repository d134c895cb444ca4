"""An officer browses the union tree in the console: levels open on demand, search, an org's page."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import make_tree
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_opens_the_tree_level_by_level_and_reaches_a_union(live_server, desktop):
    orgs = make_tree()
    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)

    def level_of(org: Org) -> Any:  # the <summary> that opens the sub-organisations of `org`
        return tree.locator(f'li[data-org-id="{org.pk}"] > details > summary')

    desktop.get_by_role("navigation", name="后台导航").get_by_role("link", name="组织管理").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "组织架构"
    tree = desktop.locator("ul.org-tree--root")
    # The city federation's first level is there from the start; deeper levels are not loaded.
    assert tree.get_by_role("link", name="东区总工会").is_visible()
    assert tree.get_by_role("link", name="东湖街道总工会").count() == 0

    # Opening a level fetches it (htmx); the keyboard works as well as the mouse.
    level_of(orgs.east).focus()
    desktop.keyboard.press("Enter")
    tree.get_by_role("link", name="东湖街道总工会").wait_for()
    level_of(orgs.town).click()
    tree.get_by_role("link", name="东区甲公司工会").wait_for()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-org-tree")

    tree.get_by_role("link", name="东区甲公司工会").click()
    assert desktop.get_by_role("heading", level=1).inner_text().startswith("东区甲公司工会")
    assert desktop.get_by_text("甲公司一车间工会小组").is_visible()
    breadcrumb = desktop.get_by_role("navigation", name="当前位置")
    assert breadcrumb.get_by_role("link", name="东湖街道总工会").is_visible()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-org-detail")
    assert desktop.console_errors == []


def test_an_officer_finds_a_union_by_part_of_its_name(live_server, desktop):
    make_tree()
    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)
    desktop.goto(f"{live_server.url}/console/orgs/")

    desktop.get_by_label("按名称或编码搜索").fill("丙公司")
    desktop.get_by_role("button", name="搜索").click()

    results = desktop.locator(".org-search-results")
    assert results.get_by_role("link", name="西区丙公司工会").is_visible()
    assert axe_violations(desktop) == []
    assert desktop.console_errors == []
