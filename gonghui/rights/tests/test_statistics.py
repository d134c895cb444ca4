"""Dispute statistics against figures worked out by hand on the fixture of factories_statistics.

East district, 1 January to 30 June 2026 (D7 is the west's, D8 was received in 2025):

- received (by received_on): D1 D2 D3 D4 D5 D6 D9 = 7; accepted: D1 D2 D3 D5 D9 = 5; collective: D3
- concluded (by concluded_on): settled D1 D2 D8 = 3, failed D3 D9 = 2, declined D4 = 1
- success rate = 3 ÷ (3 + 2) = 60.0 % (the declined D4 is not in it)
- days to conclude: 15 + 13 + 16 + 15 + 15 = 74 over 5 → 14.8
- claimed (received in range): 12000 + 5000 + 20000 + 3000 + 8000 + 50000 + 6000 = 104000.00
- recovered (concluded in range): 9500 + 5000 + 4000 = 18500.00
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.accounts.models import User
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at
from gonghui.rights.statistics import Breakdown, Figures, Period, Request, Statistics, dispute_statistics
from gonghui.rights.tests.factories import make_dispute
from gonghui.rights.tests.factories_statistics import Fixture, make_statistics_fixture

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 6, 30)


@pytest.fixture
def fixture(tree: Tree) -> Fixture:
    return make_statistics_fixture(tree)


def figures_of(statistics: Statistics) -> dict[str, Figures]:
    return {row.key: row.figures for row in statistics.rows}


def run(user: User, tree: Tree, breakdown: str = Breakdown.PERIOD, **fields: object) -> Statistics:
    values: dict[str, object] = {
        "org": tree.east,
        "start": START,
        "end": END,
        "breakdown": breakdown,
        **fields,
    }
    return dispute_statistics(user, Request(**values))  # type: ignore[arg-type]


def test_the_totals_match_the_hand_computed_figures(tree: Tree, fixture: Fixture, east_admin: User) -> None:
    totals = run(east_admin, tree).totals
    assert (totals.received, totals.accepted, totals.collective) == (7, 5, 1)
    assert (totals.settled, totals.failed, totals.declined, totals.concluded) == (3, 2, 1, 5)
    assert totals.success_rate == Decimal("60.0")
    assert totals.average_days == Decimal("14.8")
    assert totals.claimed == Decimal("104000.00")
    assert totals.recovered == Decimal("18500.00")


def test_success_rate_is_settled_over_settled_plus_failed_not_over_all_concluded(
    tree: Tree, fixture: Fixture, east_admin: User
) -> None:
    totals = run(east_admin, tree).totals
    # Counting the declined dispute as concluded would give 3 ÷ 6 = 50 %.
    assert totals.success_rate == Decimal(totals.settled * 100) / (totals.settled + totals.failed)
    assert Figures(settled=0, failed=0, declined=4).success_rate is None


def test_by_month_a_dispute_counts_as_received_when_received_and_settled_when_settled(
    tree: Tree, fixture: Fixture, east_admin: User
) -> None:
    months = figures_of(run(east_admin, tree, period=Period.MONTH))
    assert list(months) == [f"2026-0{month}-01" for month in range(1, 7)]
    march, april = months["2026-03-01"], months["2026-04-01"]
    # D2: received 28 March, settled 10 April.
    assert (march.received, march.settled, march.claimed, march.recovered) == (
        2,
        1,
        Decimal("17000.00"),
        Decimal("9500.00"),
    )
    assert (april.received, april.accepted, april.collective) == (2, 1, 1)
    assert (april.settled, april.failed, april.declined) == (1, 1, 1)
    assert april.success_rate == Decimal("50.0")
    assert april.average_days == Decimal("14.0")
    assert (april.claimed, april.recovered) == (Decimal("23000.00"), Decimal("5000.00"))
    january = months["2026-01-01"]
    assert (january.received, january.settled, january.recovered, january.average_days) == (
        0,
        1,
        Decimal("4000.00"),
        Decimal("16.0"),
    )
    assert months["2026-02-01"].success_rate == Decimal("0.0")
    assert (months["2026-05-01"].received, months["2026-05-01"].claimed) == (2, Decimal("58000.00"))
    assert months["2026-06-01"] == Figures()


def test_by_quarter(tree: Tree, fixture: Fixture, east_admin: User) -> None:
    quarters = figures_of(run(east_admin, tree, period=Period.QUARTER))
    assert list(quarters) == ["2026-01-01", "2026-04-01"]
    first, second = quarters["2026-01-01"], quarters["2026-04-01"]
    assert (first.received, first.settled, first.failed, first.success_rate) == (3, 2, 1, Decimal("66.7"))
    assert (second.received, second.settled, second.failed, second.declined) == (4, 1, 1, 1)


def test_by_child_org_with_the_org_itself_first(tree: Tree, fixture: Fixture, east_admin: User) -> None:
    statistics = run(east_admin, tree, Breakdown.ORG)
    assert [row.org for row in statistics.rows] == [tree.east, tree.town, tree.beta]
    own, town, beta = (row.figures for row in statistics.rows)
    assert (own.received, own.accepted, own.claimed) == (1, 1, Decimal("8000.00"))
    assert (town.received, town.accepted, town.settled, town.failed) == (4, 3, 3, 1)
    assert town.success_rate == Decimal("75.0")
    assert town.average_days == Decimal("14.8")  # 59 ÷ 4 = 14.75, rounded half up
    assert (town.claimed, town.recovered) == (Decimal("73000.00"), Decimal("18500.00"))
    assert (beta.received, beta.collective, beta.failed, beta.declined, beta.success_rate) == (
        2,
        1,
        1,
        1,
        Decimal("0.0"),
    )


def test_by_claim_type_a_dispute_counts_under_each_of_its_types(
    tree: Tree, fixture: Fixture, east_admin: User
) -> None:
    types = figures_of(run(east_admin, tree, Breakdown.CLAIM_TYPE))
    wage, overtime, insurance = types["wage_arrears"], types["overtime"], types["social_insurance"]
    assert (wage.received, wage.accepted, wage.settled, wage.success_rate) == (3, 3, 3, Decimal("100.0"))
    assert (wage.claimed, wage.recovered) == (Decimal("22000.00"), Decimal("17000.00"))
    assert (overtime.received, overtime.settled, overtime.failed, overtime.success_rate) == (
        2,
        1,
        1,
        Decimal("50.0"),
    )
    assert (overtime.claimed, overtime.recovered) == (Decimal("8000.00"), Decimal("1500.00"))
    assert overtime.average_days == Decimal("15.0")
    assert (insurance.received, insurance.accepted, insurance.declined, insurance.success_rate) == (
        2,
        1,
        1,
        None,
    )
    assert insurance.claimed == Decimal("4000.00")
    assert (types["dismissal"].collective, types["work_injury"].claimed) == (1, Decimal("50000.00"))
    assert types["contract"] == Figures()


def test_by_channel_and_by_industry(tree: Tree, fixture: Fixture, east_admin: User) -> None:
    channels = figures_of(run(east_admin, tree, Breakdown.CHANNEL))
    assert (channels["walk_in"].received, channels["walk_in"].settled) == (2, 2)
    assert (channels["hotline"].received, channels["hotline"].settled, channels["hotline"].declined) == (
        2,
        1,
        1,
    )
    assert (channels["court"].received, channels["court"].failed) == (1, 1)
    assert channels["arbitration"].received == 1
    industries = figures_of(run(east_admin, tree, Breakdown.INDUSTRY))
    assert list(industries) == ["C", "E", ""]
    assert (industries["C"].received, industries["C"].settled, industries["C"].recovered) == (
        2,
        3,
        Decimal("18500.00"),
    )
    assert (industries["E"].failed, industries["E"].collective) == (1, 1)
    assert (industries[""].received, industries[""].accepted, industries[""].claimed) == (
        4,
        2,
        Decimal("67000.00"),
    )


def test_only_the_viewers_scope_counts(tree: Tree, fixture: Fixture) -> None:
    beta_handler = officer_at(tree.beta, "beta.handler", Role.CASE_HANDLER)
    totals = dispute_statistics(beta_handler, Request(org=tree.beta, start=START, end=END)).totals
    assert (totals.received, totals.failed, totals.declined) == (2, 1, 1)
    # Asked for the east district by mistake: still only what the handler may see.
    wider = dispute_statistics(beta_handler, Request(org=tree.east, start=START, end=END)).totals
    assert wider.received == 2
    city = officer_at(tree.city, "city.auditor", Role.AUDITOR)
    assert dispute_statistics(city, Request(org=tree.city, start=START, end=END)).totals.received == 8


def test_the_query_count_does_not_grow_with_the_disputes(
    tree: Tree, fixture: Fixture, east_admin: User, django_assert_max_num_queries
) -> None:
    for breakdown in Breakdown.values:
        run(east_admin, tree, breakdown)  # the grants are loaded once per user object
        with django_assert_max_num_queries(9):
            run(east_admin, tree, breakdown)
    for day in range(1, 20):
        make_dispute(tree.acme, status=DisputeStatus.RECEIVED, received_on=date(2026, 6, day))
    with django_assert_max_num_queries(9):
        assert run(east_admin, tree, Breakdown.ORG).totals.received == 26


from gonghui.rights.models import DisputeStatus  # noqa: E402
