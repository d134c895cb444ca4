"""The service points API: the public list and page, check-in and rating."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from gonghui.services.models import PointStatus, Rating, Visit
from gonghui.services.tests.factories import make_point, make_visit, make_visitor

API = "/api/v1/service-points"


def test_the_public_list_nearest_first(tree: Any, client: Client) -> None:
    far = make_point(tree.acme, "远处", latitude="29.950000", longitude="121.650000")
    near = make_point(tree.acme, "近处", latitude="29.871000", longitude="121.551000")
    make_point(tree.acme, "关闭", status=PointStatus.CLOSED)
    body = client.get(f"{API}?lat=29.87&lng=121.55").json()
    assert [item["id"] for item in body["items"]] == [near.pk, far.pk]
    assert body["items"][0]["distance_km"] < 0.2
    assert body["items"][0]["facilities"] == ["water", "charging", "rest_area"]
    assert "checkin_code" not in body["items"][0]


def test_bad_queries_get_field_messages(tree: Any, client: Client) -> None:
    one_side = client.get(f"{API}?lat=29.87")
    assert one_side.status_code == 422
    assert "lng" in one_side.json()["fields"]
    assert client.get(f"{API}?kind=spa").status_code == 422
    assert client.get(f"{API}/999999").status_code == 404


def test_check_in_and_rate_through_the_api(tree: Any, client: Client) -> None:
    point = make_point(tree.acme)
    assert (
        client.post(
            f"{API}/{point.pk}/check-ins", {"code": point.checkin_code}, content_type="application/json"
        ).status_code
        == 401
    )
    client.force_login(make_visitor())
    wrong = client.post(f"{API}/{point.pk}/check-ins", {"code": "nope"}, content_type="application/json")
    assert wrong.status_code == 422
    assert "code" in wrong.json()["fields"]
    first = client.post(
        f"{API}/{point.pk}/check-ins", {"code": point.checkin_code}, content_type="application/json"
    )
    again = client.post(
        f"{API}/{point.pk}/check-ins", {"code": point.checkin_code}, content_type="application/json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    visit = Visit.objects.get()
    rated = client.post(
        f"{API}/visits/{visit.pk}/rating", {"score": 5, "comment": "好"}, content_type="application/json"
    )
    assert rated.status_code == 201
    twice = client.post(f"{API}/visits/{visit.pk}/rating", {"score": 4}, content_type="application/json")
    assert twice.status_code == 409
    assert Rating.objects.get().score == 5


def test_someone_elses_visit_cannot_be_rated(tree: Any, client: Client) -> None:
    visit = make_visit(make_point(tree.acme), on=timezone.localdate())
    client.force_login(make_visitor())
    response = client.post(f"{API}/visits/{visit.pk}/rating", {"score": 1}, content_type="application/json")
    assert response.status_code == 404
    assert not Rating.objects.exists()
