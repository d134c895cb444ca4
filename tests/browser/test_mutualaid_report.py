"""An officer reads the mutual aid report in Chromium: the figures, the payout ratio chart drawn
under the CSP, drilling down to a child org, and the page passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD
from gonghui.mutualaid.tests.test_reports import plan  # the hand-checked data set
from gonghui.orgs.tests.factories import Tree, make_tree
from tests.browser.conftest import axe_violations, screenshot, sign_in

__all__ = ["plan"]  # a fixture, imported to be used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree() -> Tree:
    return make_tree()


def test_an_officer_reads_the_report_and_drills_down(
    live_server: Any, desktop: Any, tree: Tree, plan: Any
) -> None:
    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)
    desktop.goto(f"{live_server.url}/console/mutualaid/report/")
    assert desktop.get_by_role("heading", level=1).inner_text() == "互助保障统计：东区总工会"
    assert desktop.locator('[data-figure="insured"]').inner_text() == "7"
    assert desktop.locator('[data-figure="payout_ratio"]').inner_text() == "2143.0%"
    desktop.locator("#coverage-chart canvas").first.wait_for()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-mutualaid-report")

    desktop.get_by_role("link", name="东湖街道总工会").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "互助保障统计：东湖街道总工会"
    assert desktop.locator('[data-figure="insured"]').inner_text() == "4"
    assert (
        desktop.get_by_role("navigation", name="上级组织").get_by_role("link", name="东区总工会").is_visible()
    )
    assert desktop.console_errors == []
