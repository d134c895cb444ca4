"""Reads of the service points app that are more than a filter: figures per point and the yearly
ranking ("best station", 最美驿站).

The ranking orders the points of a year by a *weighted* average score, so that one five-star
visit does not beat a hundred four-and-a-half-star ones:

    weighted = (C × m + sum of the point's scores) ÷ (C + number of its ratings)

where m is the average of every rating of the year among the points ranked and C = PRIOR_WEIGHT
ratings. A point with few ratings is pulled towards the average; one with many keeps its own.
Ties go to the point with more visits. Points without a visit in the year are not ranked. The
page states the formula, so nobody has to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum, TextField
from django.db.models.functions import Cast

from gonghui.services.models import Rating, ServicePoint, Visit

PRIOR_WEIGHT = 5
_TWO_PLACES = Decimal("0.01")


def with_facility(points: QuerySet[ServicePoint], facility: str) -> QuerySet[ServicePoint]:
    """The points that list `facility` (a Facility value). The JSON list is searched as text for
    the quoted code: the same on SQLite and PostgreSQL (jsonb `@>` does not exist on SQLite), and
    exact, because no code is part of another within quotes."""
    return points.annotate(facilities_text=Cast("facilities", TextField())).filter(
        facilities_text__contains=f'"{facility}"'
    )


@dataclass(frozen=True)
class PointFigures:
    visits: int
    visitors: int
    ratings: int
    average: Decimal | None


def point_figures(point: ServicePoint, *, since: date | None = None) -> PointFigures:
    visits = Visit.objects.filter(point=point)
    if since is not None:
        visits = visits.filter(visited_on__gte=since)
    counts = visits.aggregate(visits=Count("id"), visitors=Count("user", distinct=True))
    ratings = Rating.objects.filter(visit__in=visits).aggregate(n=Count("id"), total=Sum("score"))
    # From the exact sum: Avg would be a float on SQLite.
    average = (
        (Decimal(ratings["total"]) / ratings["n"]).quantize(_TWO_PLACES, ROUND_HALF_UP)
        if ratings["n"]
        else None
    )
    return PointFigures(counts["visits"], counts["visitors"], ratings["n"], average)


@dataclass(frozen=True)
class RankedPoint:
    rank: int
    point: ServicePoint
    visits: int
    ratings: int
    average: Decimal | None
    weighted: Decimal


def ranking(points: QuerySet[ServicePoint], year: int) -> tuple[list[RankedPoint], Decimal | None]:
    """The ranked points of `year` among `points`, and the overall average m (None: no ratings).
    Two grouped queries (visits per point, ratings per point), whatever the number of points."""
    visits = dict(
        Visit.objects.filter(point__in=points, visited_on__year=year)
        .values("point")
        .annotate(n=Count("id"))
        .values_list("point", "n")
    )
    rated = {
        point: (n, total)
        for point, n, total in Rating.objects.filter(visit__point__in=points, visit__visited_on__year=year)
        .values("visit__point")
        .annotate(n=Count("id"), total=Sum("score"))
        .values_list("visit__point", "n", "total")
    }
    all_ratings = sum(n for n, _total in rated.values())
    mean = Decimal(sum(total for _n, total in rated.values())) / all_ratings if all_ratings else None
    prior = mean if mean is not None else Decimal(0)
    scored = []
    for point in points.filter(pk__in=list(visits)).select_related("org"):
        n, total = rated.get(point.pk, (0, 0))
        weighted = (PRIOR_WEIGHT * prior + total) / (PRIOR_WEIGHT + n)
        average = Decimal(total) / n if n else None
        scored.append((point, visits[point.pk], n, average, weighted))
    scored.sort(key=lambda row: (-row[4], -row[1], row[0].name, row[0].pk))
    ranked = [
        RankedPoint(
            rank=position,
            point=point,
            visits=visit_count,
            ratings=n,
            average=None if average is None else average.quantize(_TWO_PLACES, ROUND_HALF_UP),
            weighted=weighted.quantize(_TWO_PLACES, ROUND_HALF_UP),
        )
        for position, (point, visit_count, n, average, weighted) in enumerate(scored, start=1)
    ]
    return ranked, None if mean is None else mean.quantize(_TWO_PLACES, ROUND_HALF_UP)
