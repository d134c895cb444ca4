"""Check-in from the poster and rating a visit (services/visits.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.services.models import PointStatus, Rating, Visit
from gonghui.services.services.visits import RATING_DAYS, check_in, rate_visit
from gonghui.services.tests.factories import make_point, make_visit, make_visitor


def test_a_visitor_checks_in_once_a_day(tree: Any) -> None:
    point = make_point(tree.acme)
    visitor = make_visitor()
    visit, created = check_in(point, actor=visitor, code=point.checkin_code)
    again, created_again = check_in(point.pk, actor=visitor, code=point.checkin_code)
    assert created
    assert not created_again
    assert again.pk == visit.pk
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("code", ["", "wrong", "x" * 200])
def test_a_wrong_or_old_code_is_refused(tree: Any, code: str) -> None:
    point = make_point(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        check_in(point, actor=make_visitor(), code=code)
    assert "code" in caught.value.fields
    assert not Visit.objects.exists()


def test_paused_closed_and_anonymous(tree: Any) -> None:
    paused = make_point(tree.acme, status=PointStatus.PAUSED)
    closed = make_point(tree.acme, "旧驿站", status=PointStatus.CLOSED)
    with pytest.raises(Conflict):
        check_in(paused, actor=make_visitor(), code=paused.checkin_code)
    with pytest.raises(NotFound):
        check_in(closed, actor=make_visitor(), code=closed.checkin_code)
    with pytest.raises(ValidationFailed):
        check_in(paused, actor=AnonymousUser(), code=paused.checkin_code)
    assert not Visit.objects.exists()


def test_a_visit_is_rated_once_by_its_visitor_within_the_days(tree: Any) -> None:
    point = make_point(tree.acme)
    today = timezone.localdate()
    visit = make_visit(point, on=today)
    with pytest.raises(NotFound):
        rate_visit(visit, actor=make_visitor(), score=5)
    with pytest.raises(ValidationFailed) as caught:
        rate_visit(visit, actor=visit.user, score=6, comment="\x00")
    assert set(caught.value.fields) == {"score", "comment"}
    rating = rate_visit(visit, actor=visit.user, score="4", comment=" 水很干净 ")
    assert (rating.score, rating.comment) == (4, "水很干净")
    with pytest.raises(Conflict):
        rate_visit(visit, actor=visit.user, score=5)
    old = make_visit(point, on=today - timedelta(days=RATING_DAYS + 1))
    with pytest.raises(Conflict):
        rate_visit(old, actor=old.user, score=5)
    assert Rating.objects.count() == 1
