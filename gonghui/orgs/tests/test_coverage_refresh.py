"""Coverage rollups: `refresh_coverage` against figures worked out by hand on a small tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.members.models import MemberStatus
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import (
    FederationLevel,
    JointUnionArea,
    Org,
    OrgCoverage,
    OrgKind,
    OrgStatus,
    Workplace,
)
from gonghui.orgs.services.coverage import refresh_coverage

pytestmark = pytest.mark.django_db

FIGURES = ("unions", "workplaces", "unionised_workplaces", "employees", "members")


@dataclass
class Tree:
    """
    city ── district A ── township T ── joint union J   (workplaces w1 10 + w2 5; 12 members)
         │             │             └─ grassroots G1  (w3 100; 80 members, 5 who left;
         │             │                               union group UG with 3 members)
         │             │                w5 30, no union, in T's area
         │             └─ grassroots G2               (w4 200, also in T's area; 150 members)
         │                w6 8, no union, in A's area
         └─ district B ── grassroots G3, dissolved   (4 members who left)
                       └─ grassroots G4               (w7 50; 40 members, 2 transferred out)
    w8 1000: neither union nor area, so it is counted nowhere.
    """

    city: Org
    a: Org
    t: Org
    j: Org
    g1: Org
    ug: Org
    g2: Org
    b: Org
    g3: Org
    g4: Org


def _child(parent: Org, code: str, kind: str, **extra: Any) -> Org:
    created: Org = Org.objects.add_child(
        parent, create_kwargs={"code": code, "name": f"{code}工会", "kind": kind, **extra}
    )
    return created


def _workplace(n: int, employees: int, union: Org | None = None, area: Org | None = None) -> Workplace:
    return Workplace.objects.create(
        credit_code=f"91330203MA2{n:07d}",
        name=f"第{n}号单位",
        industry="C",
        ownership="private",
        employee_count=employees,
        union=union,
        is_unionised=union is not None,
        jurisdiction=area,
    )


def build_tree() -> Tree:
    federation = {"kind": OrgKind.FEDERATION}
    city = Org.objects.add_root(
        create_kwargs={"code": "CITY", "name": "示范市总工会", **federation, "level": FederationLevel.CITY}
    )
    a = _child(city, "A", OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    b = _child(city, "B", OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    t = _child(a, "T", OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP)
    j = _child(t, "J", OrgKind.JOINT_UNION, area=JointUnionArea.COMMUNITY)
    g1 = _child(t, "G1", OrgKind.GRASSROOTS)
    ug = _child(g1, "UG", OrgKind.UNION_GROUP)
    g2 = _child(a, "G2", OrgKind.GRASSROOTS)
    g3 = _child(b, "G3", OrgKind.GRASSROOTS, status=OrgStatus.DISSOLVED)
    g4 = _child(b, "G4", OrgKind.GRASSROOTS)
    w1, _w2 = _workplace(1, 10, union=j), _workplace(2, 5, union=j)
    w3 = _workplace(3, 100, union=g1)
    w4 = _workplace(4, 200, union=g2, area=t)
    _workplace(5, 30, area=t)
    _workplace(6, 8, area=a)
    w7 = _workplace(7, 50, union=g4)
    _workplace(8, 1000)
    make_members(j, 12, workplace=w1)
    make_members(g1, 80, workplace=w3)
    make_members(g1, 5, workplace=w3, status=MemberStatus.LEFT)
    make_members(ug, 3, workplace=w3)
    make_members(g2, 150, workplace=w4)
    make_members(g3, 4, status=MemberStatus.LEFT)
    make_members(g4, 40, workplace=w7)
    make_members(g4, 2, workplace=w7, status=MemberStatus.TRANSFERRED_OUT)
    return Tree(city=city, a=a, t=t, j=j, g1=g1, ug=ug, g2=g2, b=b, g3=g3, g4=g4)


@pytest.fixture
def tree() -> Tree:
    return build_tree()


def figures(org: Org) -> tuple[int, ...]:
    row = OrgCoverage.objects.get(org=org)
    return tuple(getattr(row, name) for name in FIGURES)


#                                unions  workplaces  unionised  employees  members
EXPECTED = {
    "city": (4, 7, 5, 403, 285),
    "a": (3, 6, 4, 353, 245),
    "t": (2, 4, 3, 145, 95),
    "j": (1, 2, 2, 15, 12),
    "g1": (1, 1, 1, 100, 83),
    "ug": (0, 0, 0, 0, 3),
    "g2": (1, 1, 1, 200, 150),
    "b": (1, 1, 1, 50, 40),
    "g3": (0, 0, 0, 0, 0),
    "g4": (1, 1, 1, 50, 40),
}


@pytest.mark.parametrize("org", EXPECTED)
def test_refresh_gives_every_org_the_figures_of_its_whole_subtree(tree: Tree, org: str) -> None:
    refresh_coverage()

    assert figures(getattr(tree, org)) == EXPECTED[org]


def test_refresh_writes_one_row_per_org_with_one_time(tree: Tree) -> None:
    result = refresh_coverage()

    assert result.rows == Org.objects.count() == OrgCoverage.objects.count()
    assert OrgCoverage.objects.values("refreshed_at").distinct().count() == 1


def test_refresh_is_set_based_whatever_the_size_of_the_tree(tree: Tree) -> None:
    with CaptureQueriesContext(connection) as queries:
        refresh_coverage()

    # SAVEPOINT/transaction bookkeeping aside: the delete and the one insert-select (and on
    # PostgreSQL the advisory lock), never a query per org, workplace or member.
    work = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(work) <= 3


def test_after_a_move_the_union_counts_under_its_new_parent_only(tree: Tree) -> None:
    refresh_coverage()
    Org.objects.move(tree.g2, tree.b, "last-child")

    refresh_coverage()

    assert figures(Org.objects.get(pk=tree.a.pk)) == (2, 5, 3, 153, 95)
    assert figures(Org.objects.get(pk=tree.b.pk)) == (2, 2, 2, 250, 190)
    assert figures(tree.city) == EXPECTED["city"]
    # w4 lies in T's area but has a union, so it followed its union out of T's subtree.
    assert figures(tree.t) == EXPECTED["t"]


def test_a_dissolved_union_stops_counting_as_a_union_but_its_rows_stay(tree: Tree) -> None:
    Org.objects.filter(pk=tree.g4.pk).update(status=OrgStatus.DISSOLVED)

    refresh_coverage()

    assert figures(tree.g4) == (0, 1, 1, 50, 40)
    assert figures(tree.b) == (0, 1, 1, 50, 40)
    assert figures(tree.city) == (3, 7, 5, 403, 285)


def test_a_workplace_that_loses_its_union_counts_in_its_area_as_not_unionised(tree: Tree) -> None:
    Workplace.objects.filter(credit_code="91330203MA20000004").update(union=None, is_unionised=False)

    refresh_coverage()

    assert figures(tree.t) == (2, 5, 3, 345, 95)
    assert figures(tree.g2) == (1, 0, 0, 0, 150)
    assert figures(tree.a) == (3, 6, 3, 353, 245)


def test_an_org_added_since_the_last_refresh_gets_its_row_at_the_next(tree: Tree) -> None:
    refresh_coverage()
    new = _child(tree.b, "G5", OrgKind.GRASSROOTS)
    make_members(new, 7)

    refresh_coverage()

    assert figures(new) == (1, 0, 0, 0, 7)
    assert figures(tree.b) == (2, 1, 1, 50, 47)
    assert OrgCoverage.objects.count() == Org.objects.count()
