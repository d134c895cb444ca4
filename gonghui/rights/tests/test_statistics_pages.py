"""The statistics page, its xlsx download and the API, on the hand-computed fixture of
test_statistics.py (east district, January to June 2026)."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import cast

import pytest
from django.urls import URLPattern, URLResolver, include, path
from python_calamine import CalamineWorkbook

from gonghui import urls as root_urls
from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member
from gonghui.console import urls as console_urls
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.factories import Tree, add_org, client_for, officer_at
from gonghui.rights import urls as rights_urls
from gonghui.rights.models import DisputeStatus
from gonghui.rights.tests.factories import make_dispute
from gonghui.rights.tests.factories_statistics import make_statistics_fixture
from gonghui.rights.views import statistics as statistics_views

# The console with the statistics pages under console:rights, whether or not gonghui/rights/urls.py
# includes them yet (the earlier patterns win, for resolving and for reversing).
URLs = list[URLPattern | URLResolver]
_rights: URLs = [*statistics_views.urlpatterns, *rights_urls.urlpatterns]
_console: URLs = [
    path("rights/", include((_rights, "rights"))),
    *cast("URLs", console_urls.urlpatterns),
]
urlpatterns: URLs = [
    path("console/", include((_console, "console"))),
    *cast("URLs", root_urls.urlpatterns),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PAGE = "/console/rights/statistics/"
XLSX = "/console/rights/statistics.xlsx"
API = "/api/v1/rights/statistics"
RANGE: dict[str, str | int] = {"start": "2026-01-01", "end": "2026-06-30"}


@pytest.fixture(autouse=True)
def fixture(tree: Tree) -> None:
    make_statistics_fixture(tree)


def test_the_page_shows_the_totals_and_states_the_success_rate_definition(
    tree: Tree, east_admin: User
) -> None:
    response = client_for(east_admin).get(PAGE, {**RANGE, "by": "org"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-figure="received">7<' in page
    assert 'data-figure="success_rate">60.0%<' in page
    assert 'data-figure="average_days">14.8<' in page
    assert 'id="success-rate-definition"' in page
    assert "3 ÷ 5" in page
    assert 'data-key="total"' in page
    chart = json.loads(
        page.split('id="dispute-statistics-chart-json" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["labels"][1:] == [tree.town.name, tree.beta.name]
    assert chart["line"]["values"] == [None, 75.0, 0.0]
    assert f"?org={tree.town.pk}&amp;" in page  # the child org's own figures, one click away
    assert "<script>" not in page
    assert 'style="' not in page


def test_the_page_defaults_to_the_year_so_far_of_the_viewers_scope(east_admin: User) -> None:
    response = client_for(east_admin).get(PAGE)
    assert response.status_code == 200
    assert response.context["statistics"].request.start.month == 1


def test_a_bad_range_is_shown_on_the_form_without_figures(east_admin: User) -> None:
    client = client_for(east_admin)
    response = client.get(PAGE, {"start": "2026-06-30", "end": "2026-01-01"})
    assert response.status_code == 422
    assert response.context["form"].errors["end"]
    assert response.context["statistics"] is None
    assert client.get(PAGE, {"start": "2010-01-01", "end": "2026-01-01"}).status_code == 422
    assert client.get(PAGE, {"start": "2026-02-30"}).status_code == 422
    assert client.get(PAGE, {"by": "colour"}).status_code == 422
    assert client.get(XLSX, {"start": "2026-06-30", "end": "2026-01-01"}).status_code == 422


def test_an_org_outside_the_scope_is_a_404(tree: Tree, east_admin: User) -> None:
    client = client_for(east_admin)
    assert client.get(PAGE, {**RANGE, "org": tree.west.pk}).status_code == 404
    assert client.get(XLSX, {**RANGE, "org": tree.west.pk}).status_code == 404
    assert client.get(API, {**RANGE, "org": tree.west.pk}).status_code == 404


def test_officers_without_rights_view_and_members_see_nothing(tree: Tree) -> None:
    mediator_like = officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER)
    assert client_for(mediator_like).get(PAGE).status_code == 404
    member = client_for(make_member())
    assert member.get(PAGE).status_code == 403
    assert member.get(API).status_code == 404


def test_the_workbook_holds_the_same_figures_and_never_a_formula(tree: Tree, east_admin: User) -> None:
    rogue = add_org(tree.east, "E-X", '=HYPERLINK("http://evil")工会')
    make_dispute(rogue, status=DisputeStatus.RECEIVED, received_on=date(2026, 6, 1))
    response = client_for(east_admin).get(XLSX, {**RANGE, "by": "org"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    total = sheet[-1]
    assert total[1:4] == [8, 5, 1]  # received (the rogue union's one added), accepted, declined
    assert total[7] == 60.0  # success rate
    assert total[9] == 112600.0  # 104,000 of the fixture + the rogue union's 8,600
    assert total[11] == 14.8
    rogue_row = next(row for row in sheet if row and str(row[0]).startswith("'="))
    assert rogue_row[1] == 1
    assert not any(str(row[0]).startswith("=") for row in sheet if row)


def test_the_api_gives_the_figures_and_their_definitions(tree: Tree, east_admin: User) -> None:
    body = client_for(east_admin).get(API, {**RANGE, "by": "claim_type"}).json()
    assert body["org"]["id"] == tree.east.pk
    assert body["totals"]["success_rate"] == "60.0"
    assert body["totals"]["claimed"] == "104000.00"
    assert any("÷" in text for text in body["definitions"])
    wage = next(row for row in body["rows"] if row["key"] == "wage_arrears")
    assert (wage["received"], wage["settled"], wage["recovered"]) == (3, 3, "17000.00")
    quarters = client_for(east_admin).get(API, {**RANGE, "period": "quarter"}).json()
    assert [row["key"] for row in quarters["rows"]] == ["2026-01-01", "2026-04-01"]


def test_bad_api_queries_are_4xx_with_fields(east_admin: User) -> None:
    client = client_for(east_admin)
    response = client.get(API, {"start": "2026-06-30", "end": "2026-01-01"})
    assert response.status_code == 422
    assert "end" in response.json()["fields"]
    assert client.get(API, {"by": "colour"}).status_code == 422
    assert client.get(API, {"start": "1999-01-01"}).status_code == 422


def test_a_city_officer_sees_both_districts(tree: Tree) -> None:
    auditor = officer_at(tree.city, "city.auditor", Role.AUDITOR)
    body = client_for(auditor).get(API, {**RANGE, "by": "org"}).json()
    assert body["org"]["id"] == tree.city.pk
    rows = {row["key"]: row for row in body["rows"]}
    assert rows[tree.west.path]["received"] == 1
    assert rows[tree.east.path]["received"] == 7
    assert body["totals"]["received"] == 8
    assert isinstance(tree.city, Org)
