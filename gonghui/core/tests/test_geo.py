"""core.geo: positions from requests, and distances computed by the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gonghui.benefits.models import Merchant
from gonghui.benefits.tests.factories import make_merchant
from gonghui.core.errors import ValidationFailed
from gonghui.core.geo import KM_PER_DEGREE, haversine_km, parse_position, with_distance
from gonghui.orgs.tests.factories import Tree, make_tree


@pytest.fixture
def tree() -> Tree:
    return make_tree()


# --- parse_position ------------------------------------------------------------------------------


def test_a_position_is_two_decimals_with_six_places() -> None:
    assert parse_position("29.8683", " 121.5440 ") == (Decimal("29.868300"), Decimal("121.544000"))
    assert parse_position(29.1234567, -121) == (Decimal("29.123457"), Decimal("-121.000000"))
    assert parse_position(Decimal("-90"), Decimal("180")) == (Decimal("-90.000000"), Decimal("180.000000"))


@pytest.mark.parametrize(
    ("lat", "lng", "fields"),
    [
        ("91", "121", {"lat"}),
        ("29", "-180.5", {"lng"}),
        ("abc", "121", {"lat"}),
        ("NaN", "Infinity", {"lat", "lng"}),
        ("", None, {"lat", "lng"}),
        (True, "121", {"lat"}),
        ("1e400", "121", {"lat"}),
    ],
)
def test_a_bad_position_is_refused_on_its_fields(lat: object, lng: object, fields: set[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_position(lat, lng)
    assert set(caught.value.fields) == fields


# --- with_distance -------------------------------------------------------------------------------


def test_one_hundredth_of_a_degree_of_latitude_is_about_1_11_km() -> None:
    assert haversine_km(29.87, 121.55, 29.88, 121.55) == pytest.approx(1.11195, abs=1e-4)
    assert pytest.approx(111.195, abs=1e-3) == KM_PER_DEGREE


@pytest.mark.django_db
def test_distances_are_computed_in_sql_nearest_first(tree: Tree) -> None:
    here = (Decimal("29.870000"), Decimal("121.550000"))
    far = make_merchant(tree.east, "远", latitude=Decimal("29.900000"), longitude=Decimal("121.550000"))
    near = make_merchant(tree.east, "近", latitude=Decimal("29.880000"), longitude=Decimal("121.550000"))
    same = make_merchant(tree.east, "同", latitude=here[0], longitude=here[1])
    east = make_merchant(tree.east, "东", latitude=Decimal("29.870000"), longitude=Decimal("121.560000"))
    make_merchant(tree.east, "无坐标", latitude=None, longitude=None)

    rows = list(with_distance(Merchant.objects.all(), *here))

    assert [row.name for row in rows] == ["同", "东", "近", "远"]
    distances = {row.pk: row.distance_km for row in rows}  # type: ignore[attr-defined]
    assert distances[same.pk] == pytest.approx(0.0, abs=1e-9)
    assert distances[near.pk] == pytest.approx(1.11195, abs=1e-3)
    assert distances[far.pk] == pytest.approx(3.33585, abs=1e-3)
    # 0.01° of longitude at 29.87° N is cos(29.87°) × 1.112 km
    assert distances[east.pk] == pytest.approx(0.96434, abs=1e-3)
    assert distances[east.pk] == pytest.approx(haversine_km(29.87, 121.55, 29.87, 121.56), abs=1e-6)


@pytest.mark.django_db
def test_a_long_distance_matches_the_hand_computed_one(tree: Tree) -> None:
    shanghai = make_merchant(
        tree.east, "上海", latitude=Decimal("31.230400"), longitude=Decimal("121.473700")
    )
    row = with_distance(
        Merchant.objects.filter(pk=shanghai.pk), Decimal("29.868300"), Decimal("121.544000")
    ).get()
    assert row.distance_km == pytest.approx(haversine_km(29.8683, 121.544, 31.2304, 121.4737), abs=1e-6)  # type: ignore[attr-defined]
    assert row.distance_km == pytest.approx(151.58, abs=0.1)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_max_km_keeps_only_the_rows_within_it(tree: Tree) -> None:
    make_merchant(tree.east, "1 公里", latitude=Decimal("29.879000"), longitude=Decimal("121.550000"))
    make_merchant(tree.east, "2 公里", latitude=Decimal("29.888000"), longitude=Decimal("121.550000"))
    make_merchant(tree.east, "斜角", latitude=Decimal("29.880000"), longitude=Decimal("121.561000"))
    make_merchant(tree.east, "10 公里", latitude=Decimal("29.960000"), longitude=Decimal("121.550000"))
    names = [row.name for row in with_distance(Merchant.objects.all(), 29.87, 121.55, max_km=1.5)]
    assert names == ["1 公里"]
    names = [row.name for row in with_distance(Merchant.objects.all(), 29.87, 121.55, max_km=2.5)]
    assert names == ["1 公里", "斜角", "2 公里"]  # the corner of the box is checked against the circle


@pytest.mark.django_db
def test_antipodal_and_polar_positions_do_not_fail(tree: Tree) -> None:
    make_merchant(tree.east, "对跖", latitude=Decimal("-29.870000"), longitude=Decimal("-58.450000"))
    make_merchant(tree.east, "极地", latitude=Decimal("89.999999"), longitude=Decimal("179.999999"))
    rows = list(with_distance(Merchant.objects.all(), 29.87, 121.55))
    assert rows[-1].distance_km == pytest.approx(20015.1, abs=1)  # type: ignore[attr-defined]
    assert next(iter(with_distance(Merchant.objects.all(), 90, 180, max_km=5))).name == "极地"
    assert list(with_distance(Merchant.objects.all(), 0, 179.99, max_km=20000))  # across the 180th meridian


def test_with_distance_refuses_a_bad_position() -> None:
    with pytest.raises(ValidationFailed):
        with_distance(Merchant.objects.all(), 100, 0)
