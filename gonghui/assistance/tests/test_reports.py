"""The assistance report against a hand-checked data set: the selector, the console page, the
xlsx download (opened with python-calamine), the API, scoping, bad parameters, query counts."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.assistance.models import CareCampaignStatus, GrantStatus, Season
from gonghui.assistance.reports import year_report
from gonghui.assistance.tests.factories import fund_with, make_care_campaign
from gonghui.assistance.tests.factories_reports import list_beneficiaries, recheck, report_file, report_grant
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.factories import Tree, client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db

# The figures are taken on 1 December 2027.
NOW = timezone.make_aware(datetime(2027, 12, 1, 9, 0))
ON, APPLIED, REJECTED, EXITED = "on_file", "applied", "rejected", "exited"


@pytest.fixture
def tree() -> Tree:
    return make_tree()


@pytest.fixture
def world(tree: Tree) -> SimpleNamespace:
    """East, 2027 (west's rows and other years' never count):

    files   acme   f1 2027 on record, severe, illness + low income, re-check due 2028-03-01
                   f2 2027 on record, relative, illness, re-check due 2027-06-30 (overdue)
            joint  f3 2027 applied, unemployment
            beta   f4 2027 rejected, low income; f5 2027 exited 2027-09-01, accidental, accident
                   f6 2026 on record, severe, disability, re-check due 2027-12-20; re-checked
                   2026-01-10 (keep) and 2027-01-15 (keep)
            east   f7 2025 exited 2027-02-01, relative, other; re-checked 2027-02-01 (exit)
    grants  fund A (east, ¥10,000): acme living approved ¥1,000; acme medical ¥2,000 paid
            2027-04-01 and reversed 2027-05-01; joint living proposed ¥500; beta medical
            rejected ¥800; acme living ¥600 proposed and paid in 2026
            fund B (city, ¥50,000): beta living approved ¥3,000
    lists   c1 east winter warmth, budget ¥10,000: acme 2 × ¥500, beta 1 × ¥500 (15.0%)
            c2 city summer cooling, budget ¥100,000: joint 1 × ¥300 (and gamma 1 × ¥300)
            c5 town spring jobs, budget ¥2,000: nobody yet (0.0%)
    """
    f1 = report_file(
        tree.acme, grade="severe", causes=("illness", "low_income"), recheck_due=date(2028, 3, 1)
    )
    report_file(tree.acme, grade="relative", causes=("illness",), recheck_due=date(2027, 6, 30))
    report_file(tree.joint, status=APPLIED, causes=("unemployment",))
    report_file(tree.beta, status=REJECTED, causes=("low_income",))
    report_file(
        tree.beta, status=EXITED, grade="accidental", causes=("accident",), exited_on=date(2027, 9, 1)
    )
    f6 = report_file(
        tree.beta, year=2026, grade="severe", causes=("disability",), recheck_due=date(2027, 12, 20)
    )
    recheck(f6, date(2026, 1, 10), "keep", "severe")
    recheck(f6, date(2027, 1, 15), "keep", "severe")
    f7 = report_file(
        tree.east, year=2025, status=EXITED, grade="relative", causes=("other",), exited_on=date(2027, 2, 1)
    )
    recheck(f7, date(2027, 2, 1), "exit", "relative")
    report_file(tree.gamma, grade="severe")

    fund_a = fund_with(tree.east, "10000.00", name="东区困难职工帮扶基金")
    fund_b = fund_with(tree.city, "50000.00", name="市总困难职工帮扶基金")
    report_grant(fund_a, tree.acme, "1000.00")
    report_grant(
        fund_a,
        tree.acme,
        "2000.00",
        purpose="medical",
        status=GrantStatus.REVERSED,
        paid_on=date(2027, 4, 1),
        reversed_on=date(2027, 5, 1),
    )
    report_grant(fund_a, tree.joint, "500.00", status=GrantStatus.PROPOSED)
    report_grant(fund_a, tree.beta, "800.00", purpose="medical", status=GrantStatus.REJECTED)
    report_grant(fund_a, tree.acme, "600.00", proposed_on=date(2026, 12, 20))
    report_grant(fund_b, tree.beta, "3000.00", proposed_on=date(2027, 6, 1))
    report_grant(fund_b, tree.gamma, "5000.00")

    c1 = make_care_campaign(tree.east, budget="10000.00", status=CareCampaignStatus.CONFIRMED)
    list_beneficiaries(c1, tree.acme, 2)
    list_beneficiaries(c1, tree.beta, 1)
    c2 = make_care_campaign(tree.city, season=Season.SUMMER_COOLING, amount_per_person="300.00")
    list_beneficiaries(c2, tree.joint, 1)
    list_beneficiaries(c2, tree.gamma, 1)
    c3 = make_care_campaign(tree.west, title="西区送温暖")
    list_beneficiaries(c3, tree.gamma, 1)
    old = make_care_campaign(tree.east, year=2026)
    list_beneficiaries(old, tree.acme, 1)
    c5 = make_care_campaign(tree.town, season=Season.SPRING_JOBS, budget="2000.00", amount_per_person="0.00")
    return SimpleNamespace(f1=f1, fund_a=fund_a, fund_b=fund_b, c1=c1, c2=c2, c5=c5)


@pytest.fixture
def east_officer(tree: Tree) -> Any:
    return officer_at(tree.east, "east.auditor", Role.AUDITOR)


def test_hardship_files(tree: Tree, world: SimpleNamespace, east_officer: Any) -> None:
    files = year_report(east_officer, 2027, tree.east, now=NOW).files
    grid = {row.grade: (row.counts, row.total, row.on_record_now) for row in files.grades}
    # columns: applied, on record, exited, rejected
    assert grid == {
        "severe": ([0, 1, 0, 0], 1, 2),
        "relative": ([0, 1, 0, 0], 1, 1),
        "accidental": ([0, 0, 1, 0], 1, 0),
        "": ([1, 0, 0, 1], 2, 0),
    }
    assert files.status_totals == [1, 2, 1, 1]
    assert (files.new_files, files.on_record_now, files.exits) == (5, 3, 2)
    # A file with two causes counts under both: 5 files, 6 causes.
    assert [(row.cause, row.files, row.on_record) for row in files.causes] == [
        ("illness", 2, 2),
        ("accident", 1, 0),
        ("unemployment", 1, 0),
        ("low_income", 2, 1),
    ]
    assert (files.rechecks_done, files.rechecks_by_result) == (2, {"keep": 1, "exit": 1})
    assert (files.rechecks_due, files.rechecks_overdue) == (2, 1)


def test_grants_and_spend(tree: Tree, world: SimpleNamespace, east_officer: Any) -> None:
    report = year_report(east_officer, 2027, tree.east, now=NOW)
    assert [(line.fund.pk, line.purpose, line.status, line.count, line.amount) for line in report.grants] == [
        (world.fund_b.pk, "living", "approved", 1, Decimal("3000.00")),  # the city's fund first (tree order)
        (world.fund_a.pk, "living", "proposed", 1, Decimal("500.00")),
        (world.fund_a.pk, "living", "approved", 1, Decimal("1000.00")),
        (world.fund_a.pk, "medical", "reversed", 1, Decimal("2000.00")),
        (world.fund_a.pk, "medical", "rejected", 1, Decimal("800.00")),
    ]
    assert (report.grants_count, report.grants_amount) == (5, Decimal("7300.00"))
    assert [
        (row.fund.pk, row.grants_paid, row.paid, row.reversals, row.reversed, row.spend)
        for row in report.funds
    ] == [
        (world.fund_b.pk, 1, Decimal("3000.00"), 0, Decimal("0.00"), Decimal("3000.00")),
        (world.fund_a.pk, 2, Decimal("3000.00"), 1, Decimal("2000.00"), Decimal("1000.00")),
    ]
    assert report.spend == Decimal("4000.00")


def test_campaigns(tree: Tree, world: SimpleNamespace, east_officer: Any) -> None:
    report = year_report(east_officer, 2027, tree.east, now=NOW)
    rows = [(row.campaign.pk, row.people, row.amount, row.whole, row.budget_used) for row in report.campaigns]
    assert rows == [
        (world.c2.pk, 1, Decimal("300.00"), False, None),  # the city's: only east's part, no share
        (world.c1.pk, 3, Decimal("1500.00"), True, Decimal("15.0")),
        (world.c5.pk, 0, Decimal("0.00"), True, Decimal("0.0")),
    ]
    assert (report.beneficiaries, report.campaign_amount) == (4, Decimal("1800.00"))


def test_by_org(tree: Tree, world: SimpleNamespace, east_officer: Any) -> None:
    rows = {row.org.code: row for row in year_report(east_officer, 2027, tree.east, now=NOW).by_org}
    assert list(rows) == ["E", "E-T", "E-B"]
    assert rows["E"].is_self

    def figures(code: str) -> tuple[Any, ...]:
        f = rows[code].figures
        return (
            f.new_files,
            f.on_record_now,
            f.exits,
            f.grants_paid,
            f.spend,
            f.beneficiaries,
            f.campaign_amount,
        )

    assert figures("E") == (0, 0, 1, 0, Decimal("0.00"), 0, Decimal("0.00"))
    assert figures("E-T") == (3, 2, 0, 2, Decimal("1000.00"), 3, Decimal("1300.00"))
    assert figures("E-B") == (2, 1, 1, 1, Decimal("3000.00"), 1, Decimal("500.00"))


def test_the_report_takes_a_fixed_number_of_queries(
    tree: Tree, world: SimpleNamespace, east_officer: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(10):
        report_file(tree.beta, grade="relative", causes=("illness", "disability"))
        report_grant(world.fund_a, tree.beta, "10.00")
    list_beneficiaries(world.c1, tree.joint, 10)
    with django_assert_max_num_queries(16):
        report = year_report(east_officer, 2027, tree.east, now=NOW)
    assert report.files.new_files == 15


def test_console_page_xlsx_and_api(tree: Tree, world: SimpleNamespace, east_officer: Any) -> None:
    client = client_for(east_officer)
    page = client.get("/console/assistance/report/?year=2027")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="new_files">5<' in html
    assert 'data-figure="spend">¥4,000.00<' in html
    assert 'data-figure="beneficiaries">4<' in html
    assert "一个档案有两项致困原因的，两项各计一次" in html
    assert 'id="coverage-chart-json"' in html
    assert f'data-org-id="{tree.town.pk}"' in html

    Org.objects.filter(pk=tree.town.pk).update(name="@SUM(A1)")
    response = client.get(f"/console/assistance/report.xlsx?year=2027&org={tree.east.pk}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert len(book.sheet_names) == 8
    summary, grades, causes, _rechecks, grants, funds, campaigns, orgs = (
        book.get_sheet_by_index(n).to_python() for n in range(8)
    )
    values = {row[0]: row[1] for row in summary}
    assert values["新建困难档案"] == 5
    assert values["帮扶资金支出（元）"] == 4000
    assert [row[1:] for row in grades[1:]] == [
        [0, 1, 0, 0, 1, 2],
        [0, 1, 0, 0, 1, 1],
        [0, 0, 1, 0, 1, 0],
        [1, 0, 0, 1, 2, 0],
        [1, 2, 1, 1, 5, 3],
    ]
    assert [row[1:] for row in causes[1:]] == [[2, 2], [1, 0], [1, 0], [2, 1]]
    assert grants[1][:2] == ["市总困难职工帮扶基金", tree.city.name]
    assert grants[1][4:] == [1, 3000]
    assert funds[2][2:] == [2, 3000, 1, 2000, 1000]
    assert campaigns[2][4:] == [3, 1500, 10000, 15]
    town = next(row for row in orgs if row[1] == tree.town.code)
    assert town[0] == "'@SUM(A1)"  # never a formula
    assert town[2:] == [3, 2, 0, 2, 1000, 3, 1300]

    body = client.get(f"/api/v1/assistance/reports/years/2027?org={tree.east.pk}").json()
    assert body["files"]["new_files"] == 5
    assert body["files"]["causes"][0] == {"cause": "illness", "files": 2, "on_record": 2}
    assert body["spend"] == "4000.00"
    assert body["grants_amount"] == "7300.00"
    assert body["funds"][1]["spend"] == "1000.00"
    assert body["campaigns"][1]["budget_used"] == "15.0"
    assert body["campaigns"][0]["budget_used"] is None
    beta = next(row for row in body["by_org"] if row["org"]["id"] == tree.beta.pk)
    assert beta["figures"]["spend"] == "3000.00"


def test_a_sibling_sees_none_of_the_other_subtree(tree: Tree, world: SimpleNamespace) -> None:
    west = client_for(officer_at(tree.west, "west.finance", Role.FINANCE_OFFICER))
    body = west.get("/api/v1/assistance/reports/years/2027").json()
    assert body["org"]["id"] == tree.west.pk  # the top of the viewer's scope
    assert body["files"]["new_files"] == 1  # gamma's own file only
    assert body["spend"] == "5000.00"  # the city fund's grant to gamma, not east's
    assert [row["people"] for row in body["campaigns"]] == [1, 1]  # the city's and west's lists
    assert west.get(f"/api/v1/assistance/reports/years/2027?org={tree.east.pk}").status_code == 404
    assert west.get(f"/console/assistance/report/?year=2027&org={tree.acme.pk}").status_code == 404
    assert west.get(f"/console/assistance/report.xlsx?year=2027&org={tree.acme.pk}").status_code == 404
    html = west.get("/console/assistance/report/?year=2027").content.decode()
    assert 'data-figure="new_files">1<' in html
    assert tree.acme.name not in html


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=1999",
        "year=2101",
        "year=99999999999999999999",
        "org=abc",
        "org=0",
        "org=%00",
        "year=&org=",
    ],
)
def test_bad_parameters_never_fail(tree: Tree, east_officer: Any, query: str) -> None:
    client = client_for(east_officer)
    page = client.get(f"/console/assistance/report/?{query}")
    assert page.status_code in {200, 404}
    if page.status_code == 200 and query.startswith("year=") and query != "year=&org=":
        assert 'class="errorlist"' in page.content.decode()  # the year field says what is wrong
    assert client.get(f"/console/assistance/report.xlsx?{query}").status_code in {200, 404}


def test_api_bad_parameters(tree: Tree, east_officer: Any) -> None:
    client = client_for(east_officer)
    for url in (
        "/api/v1/assistance/reports/years/1999",
        "/api/v1/assistance/reports/years/abc",
        "/api/v1/assistance/reports/years/2027?org=abc",
        "/api/v1/assistance/reports/years/2027?org=0",
    ):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.json()["code"] == "validation_error"
    # A union officer holds assistance.view; a member holds nothing.
    union = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    assert union.get("/api/v1/assistance/reports/years/2027").json()["org"]["id"] == tree.acme.pk
    assert union.get(f"/api/v1/assistance/reports/years/2027?org={tree.east.pk}").status_code == 404


def test_an_empty_year_reports_zeros(tree: Tree, east_officer: Any) -> None:
    report = year_report(east_officer, 2030, tree.east, now=NOW)
    assert (report.files.new_files, report.spend, report.grants, report.campaigns) == (
        0,
        Decimal("0.00"),
        [],
        [],
    )
    assert all(row.figures.new_files == 0 for row in report.by_org)
    assert client_for(east_officer).get("/console/assistance/report/?year=2030").status_code == 200
