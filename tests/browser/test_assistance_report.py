"""An officer reads the assistance report in Chromium: the figures, the chart of the campaign
budgets drawn under the CSP, drilling down to a child org, and the page passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD
from gonghui.assistance.tests.test_reports import world  # the hand-checked data set
from gonghui.orgs.tests.factories import Tree, make_tree
from tests.browser.conftest import axe_violations, screenshot, sign_in

__all__ = ["world"]  # a fixture, imported to be used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree() -> Tree:
    return make_tree()


def test_an_officer_reads_the_report_and_drills_down(
    live_server: Any, desktop: Any, tree: Tree, world: Any
) -> None:
    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)
    desktop.goto(f"{live_server.url}/console/assistance/report/?year=2027&org={tree.east.pk}")
    assert desktop.get_by_role("heading", level=1).inner_text() == "困难帮扶统计：东区总工会"
    assert desktop.locator('[data-figure="new_files"]').inner_text() == "5"
    assert desktop.locator('[data-figure="spend"]').inner_text() == "¥4,000.00"
    desktop.locator("#coverage-chart canvas").first.wait_for()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-assistance-report")

    desktop.get_by_role("link", name="东区乙公司工会").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "困难帮扶统计：东区乙公司工会"
    assert desktop.locator('[data-figure="new_files"]').inner_text() == "2"
    assert desktop.locator('[data-figure="spend"]').inner_text() == "¥3,000.00"
    assert desktop.console_errors == []
