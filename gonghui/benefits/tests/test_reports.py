"""Campaign reports against a hand-built fixture with known numbers: the selector, the console
page, the xlsx download (opened with python-calamine), the API, scoping and query counts."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.benefits.models import Campaign, CampaignItem
from gonghui.benefits.selectors import campaign_report
from gonghui.benefits.tests.factories import make_campaign, make_claim, make_entry
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import Tree, client_for, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree: Tree) -> Campaign:
    """East's campaign, two items (A ¥35 × 10, B ¥10 × 5), budget ¥1,000:

    east itself  B expired
    town ─ acme  A used, A expired, A valid;  2 entries
         └ joint B used
    beta         A valid, A valid (one shipped); 1 entry
    """
    campaign = make_campaign(tree.east, stock=10, unit_cost=Decimal("35.00"), budget=Decimal("1000.00"))
    item_a = campaign.items.get()
    item_b = CampaignItem.objects.create(
        campaign=campaign, name="水果", unit_cost=Decimal("10.00"), stock=5, remaining=5, position=1
    )
    make_claim(campaign, tree.east, item=item_b, voucher="expired")
    for state in ("used", "expired", "valid"):
        make_claim(campaign, tree.acme, item=item_a, voucher=state)
    make_claim(campaign, tree.joint, item=item_b, voucher="used")
    make_claim(
        campaign, tree.beta, item=item_a, voucher="valid", shipped_at=timezone.now(), tracking_number="SF1"
    )
    make_claim(campaign, tree.beta, item=item_a, voucher="valid")
    make_entry(campaign, tree.acme)
    make_entry(campaign, tree.acme)
    make_entry(campaign, tree.beta)
    # Another campaign's claims never count.
    make_claim(make_campaign(tree.east, title="别的活动"), tree.acme, voucher="used")
    return campaign


def test_totals(campaign: Campaign) -> None:
    report = campaign_report(campaign)
    totals = report.totals
    assert (totals.entries, totals.claims, totals.redeemed, totals.expired, totals.valid, totals.shipped) == (
        3,
        7,
        2,
        2,
        3,
        1,
    )
    assert totals.spend_committed == Decimal("195.00")  # 5 × 35 + 2 × 10
    assert totals.spend_redeemed == Decimal("45.00")  # 35 + 10
    assert report.budget == Decimal("1000.00")
    assert report.remaining_budget == Decimal("805.00")


def test_per_item(campaign: Campaign) -> None:
    first, second = campaign_report(campaign).items
    assert (first.name, first.stock, first.figures.claims, first.figures.redeemed) == ("电影票", 10, 5, 1)
    assert (first.figures.expired, first.figures.valid, first.figures.entries) == (1, 3, 3)
    assert (first.figures.spend_committed, first.figures.spend_redeemed) == (
        Decimal("175.00"),
        Decimal("35.00"),
    )
    assert (second.name, second.figures.claims, second.figures.redeemed, second.figures.expired) == (
        "水果",
        2,
        1,
        1,
    )
    assert (second.figures.spend_committed, second.figures.spend_redeemed) == (
        Decimal("20.00"),
        Decimal("10.00"),
    )


def test_by_org_groups_by_the_child_of_the_organiser(tree: Tree, campaign: Campaign) -> None:
    rows = {
        (row.org.code if row.org else None, row.is_organiser): row.figures
        for row in campaign_report(campaign).by_org
    }
    itself = rows[("E", True)]
    assert (itself.claims, itself.expired, itself.spend_committed) == (1, 1, Decimal("10.00"))
    town = rows[(tree.town.code, False)]
    assert (town.claims, town.redeemed, town.expired, town.valid, town.entries) == (4, 2, 1, 1, 2)
    assert (town.spend_committed, town.spend_redeemed) == (Decimal("115.00"), Decimal("45.00"))
    beta = rows[(tree.beta.code, False)]
    assert (beta.claims, beta.valid, beta.shipped, beta.entries, beta.spend_committed) == (
        2,
        2,
        1,
        1,
        Decimal("70.00"),
    )
    # Every direct child has a row, even without claims; nothing else does.
    assert len(rows) == 1 + len(Org.objects.get_children(tree.east))


def test_the_report_takes_a_fixed_number_of_queries(
    tree: Tree, campaign: Campaign, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        make_claim(campaign, tree.beta, voucher="used")
    with django_assert_max_num_queries(9):
        report = campaign_report(campaign)
    assert report.totals.claims == 27


def test_console_page_and_xlsx(tree: Tree, campaign: Campaign, east_client: Client) -> None:
    page = east_client.get(f"/console/benefits/campaigns/{campaign.pk}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="claims">7<' in html
    assert 'data-figure="remaining_budget">¥805.00<' in html

    Campaign.objects.filter(pk=campaign.pk).update(title='=HYPERLINK("http://evil")')
    response = east_client.get(f"/console/benefits/campaigns/{campaign.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    summary, items, orgs = (book.get_sheet_by_index(n).to_python() for n in range(3))
    values = {row[0]: row[1] for row in summary}
    assert values["活动"] == '\'=HYPERLINK("http://evil")'  # never a formula
    assert values["领取数"] == 7
    assert values["剩余预算（元）"] == 805
    assert items[1][:4] == ["电影票", 35, 10, 10]
    assert items[2][0] == "水果"
    names = [str(row[0]) for row in orgs[1:]]
    assert names[0].startswith(tree.east.name)
    assert tree.town.name in names
    assert tree.beta.name in names
    town_row = next(row for row in orgs if row[0] == tree.town.name)
    assert town_row[3] == 4  # claims


def test_api(tree: Tree, campaign: Campaign, east_client: Client) -> None:
    body = east_client.get(f"/api/v1/benefits/reports/campaigns/{campaign.pk}").json()
    assert body["totals"]["claims"] == 7
    assert Decimal(body["totals"]["spend_committed"]) == Decimal("195.00")
    assert Decimal(body["remaining_budget"]) == Decimal("805.00")
    assert [item["figures"]["claims"] for item in body["items"]] == [5, 2]
    town = next(row for row in body["by_org"] if row["org_code"] == tree.town.code)
    assert (town["figures"]["claims"], town["figures"]["redeemed"]) == (4, 2)
    assert body["by_org"][0]["is_organiser"] is True


def test_reports_are_scoped_to_the_organiser_subtree(tree: Tree, campaign: Campaign) -> None:
    west = client_for(officer_at(tree.west, "west.admin"))
    below = client_for(officer_at(tree.town, "town.admin"))
    above = client_for(officer_at(tree.city, "city.admin"))
    for client, status in ((west, 404), (below, 404), (above, 200)):
        assert client.get(f"/api/v1/benefits/reports/campaigns/{campaign.pk}").status_code == status
        assert client.get(f"/console/benefits/campaigns/{campaign.pk}/report/").status_code == status
        assert client.get(f"/console/benefits/campaigns/{campaign.pk}/report.xlsx").status_code == status


def test_a_campaign_without_claims_reports_zeros(tree: Tree) -> None:
    empty = make_campaign(tree.east, opens_in=timedelta(days=1))
    report = campaign_report(empty)
    assert report.totals.claims == 0
    assert report.remaining_budget == report.budget
    assert all(row.figures.claims == 0 for row in report.by_org)
