"""The portal's service map: list, nearest first, filters, a point's page, check-in and rating."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from gonghui.services.models import PointKind, PointStatus, Rating, Visit
from gonghui.services.tests.factories import make_point, make_visit, make_visitor


def test_the_list_is_public_and_shows_listed_points(tree: Any, client: Client) -> None:
    open_point = make_point(tree.acme, "东湖爱心驿站")
    make_point(tree.acme, "暂停驿站", status=PointStatus.PAUSED)
    make_point(tree.acme, "关闭驿站", status=PointStatus.CLOSED)
    body = client.get("/points/").content.decode()
    assert f'data-point-id="{open_point.pk}"' in body
    assert "暂停驿站" in body
    assert "关闭驿站" not in body
    assert 'x-data="nearest"' in body


def test_nearest_first_with_distances_and_a_map_link(tree: Any, client: Client) -> None:
    far = make_point(tree.acme, "远处驿站", latitude="29.950000", longitude="121.650000")
    near = make_point(tree.acme, "近处驿站", latitude="29.871000", longitude="121.551000")
    make_point(tree.acme, "没有位置", latitude=None, longitude=None)
    body = client.get("/points/?lat=29.870000&lng=121.550000").content.decode()
    assert body.index(f'data-point-id="{near.pk}"') < body.index(f'data-point-id="{far.pk}"')
    assert "没有位置" not in body  # a point without a position cannot be placed by distance
    assert "uri.amap.com/marker?markers=" in body
    assert "150 m" in body or "150 米" in body  # 147 m, to the nearest 10


def test_a_bad_position_falls_back_to_the_usual_order(tree: Any, client: Client) -> None:
    make_point(tree.acme)
    response = client.get("/points/?lat=north&lng=121")
    assert response.status_code == 200
    assert "uri.amap.com/marker?markers=" not in response.content.decode()


def test_kind_and_facility_filters(tree: Any, client: Client) -> None:
    station = make_point(tree.acme, "驿站", facilities=["water", "charging"])
    room = make_point(tree.acme, "暖心小屋", kind=PointKind.NURSING_ROOM, facilities=["nursing"])
    by_kind = client.get("/points/?kind=nursing_room").content.decode()
    assert f'data-point-id="{room.pk}"' in by_kind
    assert f'data-point-id="{station.pk}"' not in by_kind
    by_facility = client.get("/points/?facility=charging").content.decode()
    assert f'data-point-id="{station.pk}"' in by_facility
    assert f'data-point-id="{room.pk}"' not in by_facility
    assert client.get("/points/?kind=spa&facility=sauna&page=zzz").status_code == 200


def test_a_points_page_has_facilities_hours_and_directions(tree: Any, client: Client) -> None:
    point = make_point(tree.acme, contact_phone="0574-8888 6666")
    body = client.get(f"/points/{point.pk}/").content.decode()
    assert "饮用水" in body or "Drinking water" in body
    assert "每天 7:00-21:00" in body
    assert "uri.amap.com/marker?position=121.550000,29.870000" in body
    assert 'href="tel:057488886666"' in body
    assert point.checkin_code not in body  # only the poster carries the code
    assert client.get(f"/points/{point.pk + 99}/").status_code == 404


def test_the_poster_code_checks_a_signed_in_visitor_in_and_then_rates(tree: Any, client: Client) -> None:
    point = make_point(tree.acme)
    url = f"/points/{point.pk}/check-in/{point.checkin_code}/"
    assert client.get(url).status_code == 302  # to the sign-in, and back
    visitor = make_visitor()
    client.force_login(visitor)
    assert client.get(url).status_code == 200
    assert not Visit.objects.exists()  # opening the link alone writes nothing
    response = client.post(url)
    visit = Visit.objects.get()
    assert response["Location"] == f"/points/visits/{visit.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'name="score"' in page
    bad = client.post(response["Location"], {"score": "9", "comment": ""})
    assert bad.status_code == 422
    assert not Rating.objects.exists()
    client.post(response["Location"], {"score": "4", "comment": "有热水，很方便"})
    assert Rating.objects.get().score == 4
    assert 'name="score"' not in client.get(response["Location"]).content.decode()


def test_a_wrong_code_is_told_and_someone_elses_visit_is_not_found(tree: Any, client: Client) -> None:
    point = make_point(tree.acme)
    other = make_visit(point, on=timezone.localdate())
    client.force_login(make_visitor())
    response = client.post(f"/points/{point.pk}/check-in/old-code/")
    assert response.status_code == 422
    assert not Visit.objects.exclude(pk=other.pk).exists()
    assert client.get(f"/points/visits/{other.pk}/").status_code == 404
