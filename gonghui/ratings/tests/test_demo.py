"""The demo city comes with the default checklist and a few hundred (here: a few) ratings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.orgs.models import Org
from gonghui.ratings.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentHistory,
    AssessmentStatus,
    Checklist,
)
from gonghui.ratings.tests.factories import YEAR

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> None:
    call_command("seed_demo", "--scale", "tiny", *args, stdout=StringIO())


def test_the_demo_city_gets_published_ratings_and_some_to_review():
    _seed()
    root = Org.objects.get(depth=1)
    checklist = Checklist.objects.get(issued_by=root, year=YEAR)
    assert checklist.is_published
    assert checklist.items.count() == 20

    ratings = list(Assessment.objects.select_related("org"))
    published = [a for a in ratings if a.status == AssessmentStatus.PUBLISHED]
    submitted = [a for a in ratings if a.status == AssessmentStatus.SUBMITTED]
    assert published
    assert submitted
    assert len(published) + len(submitted) == len(ratings)
    for rating in published:
        assert rating.review_score is not None
        assert rating.stars == checklist.stars_for(rating.review_score)
        assert rating.reviewer_org is not None
        assert rating.reviewer_org.path == rating.org.path[: -Org.steplen]
    assert {rating.stars for rating in published} != {published[0].stars}  # not all alike
    assert AssessmentAnswer.objects.count() == 20 * len(ratings)
    assert AssessmentHistory.objects.count() == 4 * len(published) + 2 * len(submitted)
    # The union officer's own union is left for the demo to start.
    assert not Assessment.objects.filter(org__role_grants__user__username="union.officer").exists()


def test_the_same_seed_gives_the_same_ratings_and_a_reset_removes_them_first():
    _seed()
    before = sorted(Assessment.objects.values_list("org__code", "status", "stars", "review_score"))
    _seed("--reset")
    assert sorted(Assessment.objects.values_list("org__code", "status", "stars", "review_score")) == before
    assert Checklist.objects.count() == 1
