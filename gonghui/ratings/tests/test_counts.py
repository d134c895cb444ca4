"""Counts of rated and 3-star-and-above unions per subtree, and per child org (the drill-down)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.ratings.models import Assessment, AssessmentStatus, Checklist
from gonghui.ratings.selectors import child_counts, subtree_counts
from gonghui.ratings.tests.factories import YEAR, Tree, default_checklist, make_tree, officer, refresh

pytestmark = pytest.mark.django_db


def _rating(
    union: Org,
    checklist: Checklist,
    stars: int | None,
    status: str = AssessmentStatus.PUBLISHED,
    year: int = YEAR,
) -> Assessment:
    return Assessment.objects.create(
        org=union,
        checklist=checklist,
        year=year,
        status=status,
        stars=stars,
        review_score=None if stars is None else 60 + 8 * stars,
    )


def _union(parent: Org, code: str, kind: str = OrgKind.GRASSROOTS, **extra) -> Org:
    child: Org = Org.objects.add_child(
        refresh(parent), create_kwargs={"code": code, "name": f"{code}工会", "kind": kind, **extra}
    )
    return child


@pytest.fixture
def rated() -> Tree:
    """township: union ★4, joint ★2, U3 ★5 (published), U4 reviewed ★5 (not yet published),
    U5 unrated; other district: other_union ★3, and last year's ★5 rating of U3."""
    tree = make_tree()
    checklist = default_checklist(tree.city)
    last_year = default_checklist(tree.city, YEAR - 1)
    u3, u4, _u5 = (_union(tree.township, code) for code in ("U3", "U4", "U5"))
    _rating(tree.union, checklist, 4)
    _rating(tree.joint, checklist, 2)
    _rating(u3, checklist, 5)
    _rating(u4, checklist, 5, status=AssessmentStatus.REVIEWED)
    _rating(tree.other_union, checklist, 3)
    _rating(u3, last_year, 5, year=YEAR - 1)
    return tree


def test_subtree_counts_count_the_year_s_published_ratings_by_stars(rated):
    counts = subtree_counts(rated.district, YEAR)
    assert counts.unions == 5  # union, joint, U3, U4, U5
    assert counts.rated == 3
    assert counts.by_stars == {0: 0, 1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert counts.three_star_plus == 2
    assert counts.share == Decimal("40.0")

    city = subtree_counts(rated.city, YEAR)
    assert (city.unions, city.rated, city.three_star_plus) == (6, 4, 3)
    assert subtree_counts(rated.city, YEAR - 1).rated == 1


def test_child_counts_give_each_child_its_own_subtree(rated):
    rows = {row.org.code: row for row in child_counts(rated.city, YEAR)}
    assert set(rows) == {"D1", "D2"}
    assert (rows["D1"].unions, rows["D1"].rated, rows["D1"].three_star_plus) == (5, 3, 2)
    assert (rows["D2"].unions, rows["D2"].rated, rows["D2"].three_star_plus) == (1, 1, 1)
    assert rows["D2"].share == Decimal("100.0")

    # One level down a union is its own child row.
    township = {row.org.code: row for row in child_counts(rated.township, YEAR)}
    assert township["U1"].by_stars[4] == 1
    assert (township["U5"].unions, township["U5"].rated, township["U5"].share) == (1, 0, Decimal("0.0"))


def test_a_dissolved_union_is_counted_neither_as_a_union_nor_as_rated(rated):
    Org.objects.filter(code="U3").update(status=OrgStatus.DISSOLVED)
    counts = subtree_counts(rated.district, YEAR)
    assert (counts.unions, counts.rated, counts.three_star_plus) == (4, 2, 1)


def test_an_org_without_unions_has_no_share(rated):
    empty = _union(rated.city, "D3", OrgKind.FEDERATION, level="district")
    counts = subtree_counts(empty, YEAR)
    assert (counts.unions, counts.rated, counts.share) == (0, 0, None)


def test_child_counts_take_three_queries_however_many_children(rated):
    for n in range(12):
        _union(rated.township, f"N{n}")
    township = refresh(rated.township)
    with CaptureQueriesContext(connection) as queries:
        rows = child_counts(township, YEAR)
    assert len(rows) == 17
    assert len(queries) == 3


def test_the_summary_api_gives_totals_and_children(client, rated):
    sign_in_verified(client, officer(rated.district, "auditor"))
    body = client.get(f"/api/v1/ratings/summary?org_id={rated.district.pk}&year={YEAR}").json()
    assert body["org_name"] == "明州区总工会"
    assert (body["unions"], body["rated"], body["three_star_plus"], body["share"]) == (5, 3, 2, 40.0)
    assert body["by_stars"][0] == {"stars": 5, "unions": 1}
    assert [(child["org_name"], child["unions"], child["rated"]) for child in body["children"]] == [
        ("东湖街道总工会", 5, 3)
    ]
    assert client.get(f"/api/v1/ratings/summary?org_id={rated.other_district.pk}").status_code == 404
    assert client.get("/api/v1/ratings/summary?org_id=0").status_code == 422


def test_the_summary_page_is_a_drill_down_table(client, rated, django_assert_max_num_queries):
    sign_in_verified(client, officer(rated.city, "auditor"))
    with django_assert_max_num_queries(14):
        response = client.get(f"/console/ratings/summary/?org={rated.district.pk}&year={YEAR}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "三星级以上工会统计" in html
    assert re.search(r'data-card="share">.*?summary-card__value">40.0%<', html, re.S)
    assert f'data-row-id="{rated.township.pk}"' in html
    assert f"?org={rated.township.pk}&amp;year={YEAR}" in html  # drill down
    assert f"?org={rated.city.pk}&amp;year={YEAR}" in html  # and back up
    # Without an org the page starts from the top of the officer's scope.
    assert "示范市总工会" in client.get("/console/ratings/summary/").content.decode()
