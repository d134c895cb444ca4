"""Coverage rates per subtree, against figures computed by hand on a known fixture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.contracts.models import CollectiveContract, ContractKind, ContractScope, ContractStatus
from gonghui.contracts.selectors import coverage_chart, coverage_report
from gonghui.contracts.tests.factories import make_contract, make_workplace, today
from gonghui.orgs.models import Workplace
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db


@dataclass
class Fixture:
    w1: Workplace
    w3: Workplace
    regional: CollectiveContract


def build(tree: Tree) -> Fixture:
    """east: w5 placed on the district itself; town: w1 (acme, general in force), w3 (no union,
    regional wage), w6 (acme, expired contract), w8 (acme, contract starting later); beta: w2
    (nothing), w4 (regional wage in force, female workers' draft); west: w7 (in force)."""
    w1 = make_workplace(None, tree.acme, employee_count=100)
    w2 = make_workplace(None, tree.beta, employee_count=50)
    w3 = make_workplace(tree.town, None, employee_count=30)
    w4 = make_workplace(None, tree.beta, employee_count=20)
    make_workplace(tree.east, None, employee_count=10)
    w6 = make_workplace(None, tree.acme, employee_count=40)
    w7 = make_workplace(None, tree.gamma, employee_count=500)
    w8 = make_workplace(None, tree.acme, employee_count=25)
    make_contract(tree.acme, [w1])
    regional = make_contract(tree.east, [w3, w4], kind=ContractKind.WAGE, scope=ContractScope.REGION)
    make_contract(tree.beta, [w4], kind=ContractKind.FEMALE_WORKERS, status=ContractStatus.DRAFT)
    make_contract(
        tree.acme,
        [w6],
        status=ContractStatus.EXPIRED,
        start=today() - timedelta(days=800),
        end=today() - timedelta(days=1),
    )
    make_contract(tree.acme, [w8], start=today() + timedelta(days=1))
    make_contract(tree.gamma, [w7])
    assert w2.pk
    return Fixture(w1=w1, w3=w3, regional=regional)


def test_figures_per_child_match_the_hand_count(tree: Tree) -> None:
    build(tree)
    report = coverage_report(tree.east, today())
    lines = {line.org.code: line.figures for line in report.lines}
    assert [line.org.code for line in report.lines] == ["E", "E-T", "E-B"]
    east, town, beta = lines["E"], lines["E-T"], lines["E-B"]
    assert (east.workplaces, east.unionised, east.covered, east.employees) == (1, 0, 0, 10)
    assert (town.workplaces, town.unionised, town.covered, town.covered_unionised) == (4, 3, 2, 1)
    assert (town.employees, town.covered_employees) == (195, 130)
    assert town.by_kind == {"general": 1, "wage": 1, "female_workers": 0}
    assert (beta.workplaces, beta.unionised, beta.covered, beta.covered_unionised) == (2, 2, 1, 1)
    assert beta.by_kind == {"general": 0, "wage": 1, "female_workers": 0}
    assert town.rate_unionised == Decimal("33.3")
    assert beta.rate_unionised == Decimal("50.0")
    total = report.total
    assert (total.workplaces, total.unionised, total.covered, total.covered_unionised) == (7, 5, 3, 2)
    assert (total.employees, total.covered_employees) == (275, 150)
    assert (total.rate_unionised, total.rate_all, total.rate_employees) == (
        Decimal("40.0"),
        Decimal("42.9"),
        Decimal("54.5"),
    )
    assert east.rate_unionised is None  # no unionised workplace: no rate, not 0 %


def test_a_new_regional_contract_raises_the_rate(tree: Tree) -> None:
    fixture = build(tree)
    before = coverage_report(tree.city, today()).total
    w2 = Workplace.objects.get(union=tree.beta, employee_count=50)
    make_contract(tree.east, [w2], kind=ContractKind.WAGE, scope=ContractScope.REGION)
    after = coverage_report(tree.city, today()).total
    assert (before.covered, after.covered) == (4, 5)
    assert after.covered_unionised == before.covered_unionised + 1
    assert fixture.regional.pk


def test_a_day_in_the_past_counts_what_was_in_force_then(tree: Tree) -> None:
    build(tree)
    # Two days ago the expired contract of w6 was within its term but it is no longer in force:
    # coverage is read from the status as it is, so only the term decides for contracts in force.
    report = coverage_report(tree.east, today() - timedelta(days=200))
    town = next(line.figures for line in report.lines if line.org.code == "E-T")
    assert town.covered == 0


def test_query_count_does_not_grow_with_children(tree: Tree) -> None:
    build(tree)
    with CaptureQueriesContext(connection) as queries:
        coverage_report(tree.city, today())
    assert len(queries) == 2


def test_chart_lists_the_children_with_both_rates(tree: Tree) -> None:
    build(tree)
    chart = coverage_chart(coverage_report(tree.east, today()))
    assert chart["labels"] == ["东湖街道总工会", "东区乙公司工会"]
    assert chart["series"][0]["values"] == [33.3, 50.0]
    assert chart["series"][1]["values"] == [50.0, 50.0]
