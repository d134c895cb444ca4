"""The yearly ranking, checked by hand (selectors.ranking, PRIOR_WEIGHT = 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from gonghui.services.models import ServicePoint
from gonghui.services.selectors import PRIOR_WEIGHT, point_figures, ranking, with_facility
from gonghui.services.tests.factories import make_point, make_visit, make_visitor


def test_the_weighted_average_ranks_many_good_ratings_above_one_perfect_one(tree: Any) -> None:
    assert PRIOR_WEIGHT == 5
    busy = make_point(tree.acme, "繁忙驿站")
    lucky = make_point(tree.acme, "一次好评")
    quiet = make_point(tree.acme, "没人评")
    for _ in range(10):
        make_visit(busy, on=date(2027, 6, 1), score=5)
    for _ in range(10):
        make_visit(busy, on=date(2027, 6, 2), score=4)
    make_visit(lucky, on=date(2027, 6, 1), score=5)
    make_visit(quiet, on=date(2027, 6, 1))
    make_visit(quiet, on=date(2026, 6, 1), score=1)  # another year: not counted
    ranked, mean = ranking(ServicePoint.objects.all(), 2027)
    # m = (10×5 + 10×4 + 5) / 21 = 95 / 21 = 4.5238…
    assert mean == Decimal("4.52")
    # busy: (5 × 95/21 + 90) / 25 = 4.5047…; lucky: (5 × 95/21 + 5) / 6 = 4.6031…; quiet: m = 4.5238…
    assert [row.point.name for row in ranked] == ["一次好评", "没人评", "繁忙驿站"]
    assert [row.weighted for row in ranked] == [Decimal("4.60"), Decimal("4.52"), Decimal("4.50")]
    assert [row.visits for row in ranked] == [1, 1, 20]
    assert ranked[0].average == Decimal("5.00")
    assert ranked[1].average is None


def test_many_good_ratings_beat_one_perfect_one(tree: Any) -> None:
    busy = make_point(tree.acme, "繁忙驿站")
    lucky = make_point(tree.acme, "一次好评")
    poor = make_point(tree.acme, "差评驿站")
    for score, times in ((5, 30), (4, 10)):
        for _ in range(times):
            make_visit(busy, on=date(2027, 6, 1), score=score)
    make_visit(lucky, on=date(2027, 6, 1), score=5)
    for _ in range(20):
        make_visit(poor, on=date(2027, 6, 1), score=3)
    ranked, mean = ranking(ServicePoint.objects.all(), 2027)
    # m = 255 / 61 = 4.1803…; busy (average 4.75): (5m + 190) / 45 = 4.6867…;
    # lucky (average 5): (5m + 5) / 6 = 4.3169…; poor: (5m + 60) / 25 = 3.2361…
    assert mean == Decimal("4.18")
    assert [(row.point.name, row.weighted) for row in ranked] == [
        ("繁忙驿站", Decimal("4.69")),
        ("一次好评", Decimal("4.32")),
        ("差评驿站", Decimal("3.24")),
    ]


def test_no_visits_no_ranking(tree: Any) -> None:
    make_point(tree.acme)
    assert ranking(ServicePoint.objects.all(), 2027) == ([], None)


def test_figures_and_the_facility_filter(tree: Any) -> None:
    point = make_point(tree.acme, facilities=["water", "toilet"])
    make_point(tree.acme, "无厕所", facilities=["water"])
    visitor = make_visitor()
    make_visit(point, visitor, on=date(2027, 6, 1), score=5)
    make_visit(point, visitor, on=date(2027, 6, 2), score=4)
    make_visit(point, on=date(2027, 6, 2))
    figures = point_figures(point)
    assert (figures.visits, figures.visitors, figures.ratings, figures.average) == (3, 2, 2, Decimal("4.50"))
    assert point_figures(point, since=date(2027, 6, 2)).visits == 2
    assert [p.name for p in with_facility(ServicePoint.objects.all(), "toilet")] == [point.name]
    assert with_facility(ServicePoint.objects.all(), "wifi").count() == 0
