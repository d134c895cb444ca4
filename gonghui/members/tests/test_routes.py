"""Where an application or transfer goes: the employer's union or area, else the most specific
join route; employer search answers only meaningful queries."""

from __future__ import annotations

import pytest

from gonghui.members.models import GigOccupation, JoinRoute
from gonghui.members.services.routes import (
    find_employers,
    route_applicant,
    route_districts,
    route_townships,
    union_for_workplace,
)
from gonghui.orgs.models import OrgKind, OrgStatus
from gonghui.orgs.tests.factories import Tree, add_org, credit_code, make_workplace

pytestmark = pytest.mark.django_db


def test_an_employer_with_a_union_sends_its_staff_there_else_to_its_area(tree: Tree) -> None:
    covered = make_workplace(tree.town, tree.acme, name="甲公司")
    uncovered = make_workplace(tree.town, None, name="小店")
    unknown = make_workplace(None, None, name="无主单位")
    assert union_for_workplace(covered) == tree.acme
    assert union_for_workplace(uncovered) == tree.town
    assert union_for_workplace(unknown) is None


def test_a_dissolved_union_is_skipped_for_the_area(tree: Tree) -> None:
    covered = make_workplace(tree.town, tree.beta, name="乙公司")
    tree.beta.status = OrgStatus.DISSOLVED
    tree.beta.save(update_fields=["status"])
    covered.refresh_from_db()
    assert union_for_workplace(covered) == tree.town


def test_the_most_specific_active_route_wins(tree: Tree) -> None:
    riders = add_org(tree.east, "E-R", "东区快递外卖行业工会", OrgKind.INDUSTRY_UNION)
    JoinRoute.objects.create(district="东区", org=tree.joint)
    JoinRoute.objects.create(district="东区", township="东湖街道", org=tree.joint)
    JoinRoute.objects.create(district="东区", occupation=GigOccupation.DELIVERY_RIDER, org=riders)

    rider = GigOccupation.DELIVERY_RIDER
    assert route_applicant(district="东区", township="东湖街道", occupation=rider) == riders
    assert (
        route_applicant(district="东区", township="东湖街道", occupation=GigOccupation.COURIER) == tree.joint
    )
    assert route_applicant(district="东区", township="别处") == tree.joint
    assert route_applicant(district="西区") is None

    JoinRoute.objects.filter(org=riders).update(is_active=False)
    assert route_applicant(district="东区", occupation=rider) == tree.joint


def test_districts_and_townships_come_from_the_active_routes(tree: Tree) -> None:
    JoinRoute.objects.create(district="东区", township="东湖街道", org=tree.joint)
    JoinRoute.objects.create(district="东区", org=tree.joint)
    JoinRoute.objects.create(district="西区", org=tree.gamma, is_active=False)
    assert route_districts() == ["东区"]
    assert route_townships("东区") == ["东湖街道"]


def test_employers_are_found_by_name_fragment_or_exact_credit_code(tree: Tree) -> None:
    code = credit_code()
    acme = make_workplace(tree.town, tree.acme, name="示范市甲机械有限公司", credit_code=code)
    make_workplace(tree.town, None, name="示范市乙商贸有限公司")
    assert list(find_employers("甲机械")) == [acme]
    assert list(find_employers(code.lower())) == [acme]
    assert len(find_employers("示范市")) == 2
    assert not find_employers("甲").exists()
    assert not find_employers("   ").exists()
