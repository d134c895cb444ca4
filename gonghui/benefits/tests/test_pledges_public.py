"""Annual pledges (十件实事), public: the portal pages and the API show published pledges only —
the city federation's by default, another federation's with ?org= — for a year, with progress,
the responsible union and the reports; the demo list; the portal tile."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.benefits.demo.pledges import PLEDGES, make_demo_pledges
from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.tests.factories import make_pledge, make_pledge_update
from gonghui.core.models import AuditEvent
from gonghui.orgs.tests.factories import officer_at
from gonghui.portal import navigation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
LIST = "/pledges/"
API = "/api/v1/benefits/pledges"


def html_of(response) -> str:
    return response.content.decode()


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def shown(html: str, pledge: Pledge) -> bool:
    return f'data-pledge-id="{pledge.pk}"' in html


# --- the portal -----------------------------------------------------------------------------------


def test_the_list_is_public_and_shows_only_published_pledges_of_the_city(tree, client):
    published = make_pledge(tree.city, number=1, title="新建户外劳动者服务站点", is_published=True)
    make_pledge_update(published, "45", note="首批45个站点投入使用")
    hidden = make_pledge(tree.city, number=2, title="尚未公布的实事")
    district = make_pledge(tree.east, number=1, title="东区的实事", is_published=True)

    response = client.get(LIST)
    assert response.status_code == 200
    html = html_of(response)
    assert shown(html, published)
    assert not shown(html, hidden)
    assert "尚未公布的实事" not in html
    assert not shown(html, district)
    assert '<progress class="pledge-progress__bar" value="45" max="120"' in html
    assert "37%" in html
    assert "首批45个站点投入使用" in html
    assert tree.city.name in html
    assert "十件实事" in html
    assert "责任单位" in html
    # The district that published pledges is offered.
    assert f"org={tree.east.pk}" in html
    assert_csp_clean(html)


def test_a_district_federations_list(tree, client):
    city = make_pledge(tree.city, is_published=True)
    district = make_pledge(tree.east, owner_org=tree.acme, is_published=True)
    html = html_of(client.get(LIST, {"org": tree.east.pk}))
    assert shown(html, district)
    assert not shown(html, city)
    assert tree.acme.name in html


def test_unknown_or_unsuitable_orgs_are_not_found(tree, client):
    for org in ("abc", "0", "999999", str(tree.acme.pk), "99999999999999999999999"):
        assert client.get(LIST, {"org": org}).status_code == 404, org


def test_the_year_defaults_to_this_year_or_the_latest_with_pledges(tree, client):
    old = make_pledge(tree.city, year=YEAR - 2, is_published=True)
    html = html_of(client.get(LIST))
    assert shown(html, old)  # nothing this year: the latest year that has pledges
    current = make_pledge(tree.city, year=YEAR, is_published=True)
    html = html_of(client.get(LIST))
    assert shown(html, current)
    assert not shown(html, old)
    assert f'href="?year={YEAR - 2}"' in html
    html = html_of(client.get(LIST, {"year": YEAR - 2}))
    assert shown(html, old)
    assert not shown(html, current)
    # A bad year in a shared link shows the default year, never an error.
    for year in ("abc", "1800", "-1", "99999999999999999999"):
        response = client.get(LIST, {"year": year})
        assert response.status_code == 200
        assert shown(html_of(response), current)


def test_an_empty_year_says_so(tree, client):
    response = client.get(LIST)
    assert response.status_code == 200
    assert "empty-state" in html_of(response)


def test_the_list_takes_a_bounded_number_of_queries(tree, client, django_assert_max_num_queries):
    for number in range(1, 3):
        make_pledge_update(make_pledge(tree.city, number=number, is_published=True), "5")
    client.get(LIST)
    with django_assert_max_num_queries(15) as few:
        client.get(LIST)
    for number in range(3, 25):
        pledge = make_pledge(tree.city, number=number, owner_org=tree.east, is_published=True)
        make_pledge_update(pledge, "5")
        make_pledge_update(pledge, "6")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_a_pledge_page_shows_its_whole_history(tree, client):
    pledge = make_pledge(tree.city, is_published=True, description="在商圈新建站点")
    make_pledge_update(pledge, "20", reported_on=date(YEAR, 1, 1), note="第一批")
    make_pledge_update(pledge, "130", note="超额完成")
    response = client.get(reverse("portal:pledge_detail", args=[pledge.pk]))
    assert response.status_code == 200
    html = html_of(response)
    assert "第一批" in html
    assert "超额完成" in html
    assert "在商圈新建站点" in html
    assert "100%" in html
    assert 'value="120" max="120"' in html  # the bar is full; the figures say the target was passed
    assert_csp_clean(html)


def test_an_unpublished_or_missing_pledge_is_not_found(tree, client):
    hidden = make_pledge(tree.city)
    assert client.get(reverse("portal:pledge_detail", args=[hidden.pk])).status_code == 404
    assert client.get("/pledges/999999/").status_code == 404
    assert client.get("/pledges/99999999999999999999999/").status_code == 404


def test_the_portal_has_a_pledges_tile(client):
    keys = [tile.key for tile in navigation.TILES]
    assert "pledges" in keys
    assert f'href="{reverse("portal:pledges")}"' in html_of(client.get("/"))


# --- the API --------------------------------------------------------------------------------------


def test_the_api_lists_published_pledges_publicly(tree, client):
    pledge = make_pledge(tree.city, owner_org=tree.east, is_published=True)
    make_pledge_update(pledge, "30", note="进展")
    make_pledge(tree.city, number=50)  # unpublished
    response = client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == YEAR
    assert body["years"] == [YEAR]
    assert body["org"] is None
    assert [item["id"] for item in body["items"]] == [pledge.pk]
    item = body["items"][0]
    assert Decimal(item["target_value"]) == Decimal("120")
    assert Decimal(item["progress_value"]) == Decimal("30")
    assert item["percent"] == 25
    assert item["owner_org"]["code"] == tree.east.code
    assert item["latest_update"]["note"] == "进展"
    assert item["portal_url"] == reverse("portal:pledge_detail", args=[pledge.pk])


def test_the_api_filters_by_org_and_year(tree, client):
    district = make_pledge(tree.east, is_published=True, year=YEAR - 1)
    body = client.get(API, {"org": tree.east.pk, "year": YEAR - 1}).json()
    assert [item["id"] for item in body["items"]] == [district.pk]
    assert body["org"]["id"] == tree.east.pk
    assert client.get(API, {"org": tree.east.pk, "year": YEAR}).json()["items"] == []


def test_the_api_refuses_bad_input_clearly(tree, client):
    response = client.get(API, {"year": "1800"})
    assert response.status_code == 422
    assert "year" in response.json()["fields"]
    response = client.get(API, {"org": "abc"})
    assert response.status_code == 422
    response = client.get(API, {"org": tree.acme.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_gives_one_published_pledge_with_its_history(tree, client):
    pledge = make_pledge(tree.city, is_published=True)
    make_pledge_update(pledge, "10", reported_on=date(YEAR, 1, 1))
    make_pledge_update(pledge, "20")
    body = client.get(f"{API}/{pledge.pk}").json()
    assert [Decimal(update["value"]) for update in body["updates"]] == [Decimal("20"), Decimal("10")]
    hidden = make_pledge(tree.city)
    response = client.get(f"{API}/{hidden.pk}")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_list_written_directly(tree):
    made = make_demo_pledges(tree.city, YEAR, None)
    assert len(made) == len(PLEDGES) == 10
    assert all(pledge.is_published for pledge in made)
    assert [pledge.number for pledge in made] == list(range(1, 11))
    for pledge in made:
        latest = PledgeUpdate.objects.filter(pledge=pledge).order_by("-reported_on", "-id").first()
        assert pledge.progress_value == (latest.value if latest else 0)
        assert pledge.owner_org.path.startswith(tree.city.path)
    assert make_demo_pledges(tree.city, YEAR, None) == made  # a second run changes nothing


def test_the_demo_list_through_the_services(tree):
    admin = officer_at(tree.city, "city.admin")
    made = make_demo_pledges(tree.city, YEAR - 1, admin)
    assert len(made) == 10
    assert PledgeUpdate.objects.filter(pledge__in=made).count() > 10
    assert AuditEvent.objects.filter(action="benefits.publish_pledge").count() == 10
    assert all(update.reported_on.year == YEAR - 1 for update in PledgeUpdate.objects.all())
    body = Client().get(API, {"year": YEAR - 1}).json()
    assert len(body["items"]) == 10


def test_a_future_year_has_no_reports_yet(tree):
    made = make_demo_pledges(tree.city, YEAR + 1, None)
    assert len(made) == 10
    assert not PledgeUpdate.objects.exists()
