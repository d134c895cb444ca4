"""The demo city routes online applicants: platform workers of every district to the industry
unions by their work, others to their township's joint union or their district's federation;
and resetting the demo removes applications and routes with it."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.accounts.tests.factories import make_member
from gonghui.core.idnumbers import make_id_number, parse_id_number
from gonghui.members.models import GigOccupation, JoinApplication, JoinRoute
from gonghui.members.services import joining, routes
from gonghui.orgs.demo import names
from gonghui.orgs.demo.joining import OCCUPATION_UNIONS
from gonghui.orgs.demo.loader import reset_demo
from gonghui.orgs.models import FederationLevel, JointUnionArea, Org, OrgKind

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", "--scale", "tiny", stdout=StringIO())


def test_the_industry_unions_named_by_the_routes_are_the_demo_citys() -> None:
    assert set(OCCUPATION_UNIONS.values()) <= {spec.name for spec in names.INDUSTRY_UNIONS}


def test_the_demo_city_routes_couriers_riders_drivers_and_everyone_else() -> None:
    seed()
    district = Org.objects.get(kind=OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    townships = list(Org.objects.filter(level=FederationLevel.TOWNSHIP).order_by("path"))

    def union(occupation: str = "", township: str = "") -> Org | None:
        return routes.route_applicant(district=district.district, township=township, occupation=occupation)

    courier_union = union(GigOccupation.COURIER)
    assert courier_union is not None
    assert courier_union.name == "示范市快递物流行业工会"
    assert union(GigOccupation.DELIVERY_RIDER) == courier_union
    assert getattr(union(GigOccupation.RIDE_HAILING), "name", None) == "示范市网约车司机工会"
    assert getattr(union(GigOccupation.TRUCK_DRIVER), "name", None) == "示范市货运司机工会联合会"
    assert union() == district
    for township in townships:
        name = township.name.removesuffix("总工会")
        assert name in routes.route_townships(district.district)
        local = union(township=name)
        assert local is not None
        assert local.path.startswith(township.path)
        if local != township:
            assert local.kind == OrgKind.JOINT_UNION
            assert local.area in {JointUnionArea.COMMUNITY, JointUnionArea.VILLAGE}
    assert routes.route_districts() == [district.district]


def test_a_demo_courier_applies_and_the_demo_can_still_be_reset() -> None:
    seed()
    district = Org.objects.get(kind=OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    draft = joining.JoinDraft(
        name="赵快递",
        id_number=parse_id_number(make_id_number("330203", date(1990, 6, 1), 21, "male")),
        no_fixed_employer=True,
        gig_occupation=GigOccupation.COURIER,
        home_district=district.district,
    )
    application = joining.submit_join_application(draft, actor=make_member("13700005555"))
    assert application.org.name == "示范市快递物流行业工会"

    reset_demo()

    assert not JoinApplication.objects.exists()
    assert not JoinRoute.objects.exists()
    assert not Org.objects.exists()
