"""An officer reads the coverage statistics: figures, the chart of rates, sorting, drilling down."""

from __future__ import annotations

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD
from gonghui.orgs.services.coverage import refresh_coverage
from gonghui.orgs.tests.test_coverage_refresh import build_tree
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


# Sorting loads a new page: while it loads, the chart's data element may not exist yet.
FIRST_CHART_LABEL_IS = """(label) => {
    const data = document.getElementById('coverage-chart-json');
    return data !== null && JSON.parse(data.textContent).labels[0] === label;
}"""


def test_an_officer_reads_the_coverage_figures_and_drills_down(live_server, desktop):
    build_tree()
    refresh_coverage()
    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)

    desktop.get_by_role("navigation", name="后台导航").get_by_role("link", name="覆盖统计").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "覆盖统计：示范市总工会"
    assert desktop.locator('[data-figure="founding_rate"] .summary-card__value').inner_text() == "71.4%"
    # The chart is drawn by app.js from the page's JSON, under the CSP (no inline script).
    desktop.locator("#coverage-chart canvas").first.wait_for()
    assert desktop.evaluate(
        "echarts.getInstanceByDom(document.getElementById('coverage-chart')) !== undefined"
    )
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-coverage-city")

    # Sorting reloads the table through htmx and the chart follows it.
    desktop.get_by_role("link", name="会员数").click()
    desktop.wait_for_function(FIRST_CHART_LABEL_IS, arg="B工会")
    desktop.get_by_role("link", name="会员数").click()  # now descending
    desktop.wait_for_function(FIRST_CHART_LABEL_IS, arg="A工会")
    assert (
        desktop.evaluate(
            "echarts.getInstanceByDom(document.getElementById('coverage-chart')).getOption().xAxis[0].data[0]"
        )
        == "A工会"
    )

    desktop.get_by_role("link", name="A工会").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "覆盖统计：A工会"
    assert desktop.locator('[data-figure="members"] .summary-card__value').inner_text() == "245"
    breadcrumb = desktop.get_by_role("navigation", name="当前位置")
    assert breadcrumb.get_by_role("link", name="示范市总工会").is_visible()
    desktop.locator("#coverage-chart canvas").first.wait_for()
    screenshot(desktop, "console-coverage-district")
    assert desktop.console_errors == []
