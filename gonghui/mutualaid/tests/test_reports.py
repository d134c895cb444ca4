"""The mutual aid report against a hand-checked data set: the selector, the console page, the
xlsx download (opened with python-calamine), the API, scoping, bad parameters, query counts."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from gonghui.mutualaid.models import AidClaimStatus, AidPlan, AidPlanStatus, ClaimType
from gonghui.mutualaid.reports import plan_report, report_plans
from gonghui.mutualaid.tests.factories import make_plan
from gonghui.mutualaid.tests.factories_reports import enrol_batch, report_claim
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.factories import Tree, client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db

S = AidClaimStatus
T = ClaimType


@pytest.fixture
def tree() -> Tree:
    return make_tree()


@pytest.fixture
def plan(tree: Tree) -> AidPlan:
    """East's 2027 plan, ¥60 a member:

    east itself  1 insured (batch unpaid)
    town ─ acme  3 insured (paid ¥180): inpatient paid ¥4,500.00 (invoice 13,500), inpatient paid
         │       ¥1,500.50 (invoice 4,000), critical illness approved ¥20,000 (invoice 50,000)
         └ joint 1 insured (unpaid): inpatient rejected (invoice 800)
    beta         2 insured (paid ¥120): accident entered (invoices 300 + 200), inpatient paid
                 ¥3,000.00 (invoice 7,000)

    Totals: insured 7, due ¥420.00, paid ¥300.00, claims 6, paid claims 3, paid total ¥9,000.50,
    average ¥3,000.17 (9,000.50 ÷ 3), payout ratio 2,143.0% (9,000.50 ÷ 420), invoices ¥75,800.
    """
    plan = make_plan(tree.east, status=AidPlanStatus.OPEN)
    enrol_batch(plan, tree.east, 1)
    a1, a2, a3 = enrol_batch(plan, tree.acme, 3, paid=True)
    (j1,) = enrol_batch(plan, tree.joint, 1)
    b1, b2 = enrol_batch(plan, tree.beta, 2, paid=True)
    report_claim(a1, payout="4500.00", invoices=("13500.00",))
    report_claim(a2, payout="1500.50", invoices=("4000.00",))
    report_claim(
        a3, claim_type=T.CRITICAL_ILLNESS, status=S.APPROVED, payout="20000.00", invoices=("50000.00",)
    )
    report_claim(j1, status=S.REJECTED, invoices=("800.00",))
    report_claim(b1, claim_type=T.ACCIDENT, status=S.ENTERED, invoices=("300.00", "200.00"))
    report_claim(b2, payout="3000.00", invoices=("7000.00",))
    # Another plan's enrolments and claims never count.
    other = make_plan(tree.east, name="2027年度职工重疾互助", status=AidPlanStatus.OPEN)
    (o1,) = enrol_batch(other, tree.acme, 1, paid=True)
    report_claim(o1, payout="999.00")
    return plan


@pytest.fixture
def east_officer(tree: Tree) -> Any:
    return officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER)


def test_totals(tree: Tree, plan: AidPlan, east_officer: Any) -> None:
    report = plan_report(east_officer, plan, tree.east)
    totals = report.totals
    assert (totals.insured, totals.claims, totals.paid_claims) == (7, 6, 3)
    assert (totals.contributions_due, totals.contributions_paid) == (Decimal("420.00"), Decimal("300.00"))
    assert totals.paid_total == Decimal("9000.50")
    assert totals.average_payout == Decimal("3000.17")
    assert totals.payout_ratio == Decimal("2143.0")
    assert report.invoice_total == Decimal("75800.00")


def test_claims_by_type_and_status(tree: Tree, plan: AidPlan, east_officer: Any) -> None:
    rows = {row.claim_type: row for row in plan_report(east_officer, plan, tree.east).claim_types}
    assert list(rows) == [t.value for t in ClaimType]  # every type, in the order of the choices
    inpatient = rows[T.INPATIENT]
    assert [(line.status, line.count, line.invoice_total, line.payout) for line in inpatient.lines] == [
        (S.PAID, 3, Decimal("24500.00"), Decimal("9000.50")),
        (S.REJECTED, 1, Decimal("800.00"), None),  # a rejected claim pays nothing
    ]
    assert (inpatient.count, inpatient.invoice_total, inpatient.payout) == (
        4,
        Decimal("25300.00"),
        Decimal("9000.50"),
    )
    assert (inpatient.paid_claims, inpatient.average_payout) == (3, Decimal("3000.17"))
    critical = rows[T.CRITICAL_ILLNESS]
    assert [(line.status, line.payout) for line in critical.lines] == [(S.APPROVED, Decimal("20000.00"))]
    assert (critical.paid_claims, critical.paid_total, critical.average_payout) == (0, Decimal("0.00"), None)
    accident = rows[T.ACCIDENT]
    assert [(line.status, line.count, line.invoice_total, line.payout) for line in accident.lines] == [
        (S.ENTERED, 1, Decimal("500.00"), None)  # not checked yet: no payout
    ]
    assert rows[T.CHRONIC_OUTPATIENT].lines == []


def test_by_org_groups_by_the_children_of_the_chosen_org(
    tree: Tree, plan: AidPlan, east_officer: Any
) -> None:
    rows = {row.org.code: row for row in plan_report(east_officer, plan, tree.east).by_org}
    assert list(rows) == ["E", "E-T", "E-B"]  # east itself first, then its children in tree order
    assert rows["E"].is_self
    east, town, beta = rows["E"].figures, rows["E-T"].figures, rows["E-B"].figures
    assert (east.insured, east.contributions_due, east.contributions_paid, east.claims) == (
        1,
        Decimal("60.00"),
        Decimal("0.00"),
        0,
    )
    assert east.average_payout is None
    assert (town.insured, town.contributions_due, town.contributions_paid) == (
        4,
        Decimal("240.00"),
        Decimal("180.00"),
    )
    assert (town.claims, town.paid_claims, town.paid_total) == (4, 2, Decimal("6000.50"))
    assert (town.average_payout, town.payout_ratio) == (Decimal("3000.25"), Decimal("2500.2"))
    assert (beta.insured, beta.claims, beta.paid_total, beta.payout_ratio) == (
        2,
        2,
        Decimal("3000.00"),
        Decimal("2500.0"),
    )

    # Drilling down: the town's own members and its two unions.
    town_rows = {row.org.code: row.figures for row in plan_report(east_officer, plan, tree.town).by_org}
    assert list(town_rows) == ["E-T", "E-T-J", "E-T-A"]
    assert (town_rows["E-T"].insured, town_rows["E-T-A"].insured, town_rows["E-T-J"].insured) == (0, 3, 1)


def test_the_report_takes_a_fixed_number_of_queries(
    tree: Tree, plan: AidPlan, east_officer: Any, django_assert_max_num_queries: Any
) -> None:
    for enrolment in enrol_batch(plan, tree.beta, 10, paid=True):
        report_claim(enrolment, payout="100.00")
    with django_assert_max_num_queries(7):
        report = plan_report(east_officer, plan, tree.east)
    assert report.totals.claims == 16


def test_console_page_xlsx_and_api(tree: Tree, plan: AidPlan, east_officer: Any) -> None:
    client = client_for(east_officer)
    page = client.get(f"/console/mutualaid/report/?plan={plan.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="insured">7<' in html
    assert 'data-figure="average_payout">¥3,000.17<' in html
    assert 'data-figure="payout_ratio">2143.0%<' in html
    assert "每件平均赔付额：已赔付合计除以已赔付件数" in html  # the definition is on the page
    assert "示范市第一人民医院" not in html  # no medical details in reports
    assert 'id="coverage-chart-json"' in html
    assert f'data-org-id="{tree.town.pk}"' in html

    Org.objects.filter(pk=tree.town.pk).update(name="=HYPERLINK(1)")
    response = client.get(f"/console/mutualaid/report.xlsx?plan={plan.pk}&org={tree.east.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    summary, claims, orgs = (book.get_sheet_by_index(n).to_python() for n in range(3))
    values = {row[0]: row[1] for row in summary}
    assert values["参保人数"] == 7
    assert values["已赔付合计（元）"] == 9000.5
    assert values["每件已赔付理赔的平均赔付额（元）"] == 3000.17
    assert values["赔付率（%）"] == 2143.0
    assert ["住院", "已支付", 3, 24500, 9000.5] in claims
    assert ["住院", "已驳回", 1, 800, ""] in claims
    town = next(row for row in orgs if row[1] == tree.town.code)
    assert town[0] == "'=HYPERLINK(1)"  # never a formula
    assert town[2:8] == [4, 240, 180, 4, 2, 6000.5]

    body = client.get(f"/api/v1/mutualaid/reports/plans/{plan.pk}").json()
    assert body["org"]["id"] == tree.east.pk  # the plan's federation by default
    assert body["totals"]["insured"] == 7
    assert body["totals"]["paid_total"] == "9000.50"
    assert body["totals"]["average_payout"] == "3000.17"
    assert body["totals"]["payout_ratio"] == "2143.0"
    inpatient = next(row for row in body["claim_types"] if row["claim_type"] == "inpatient")
    assert inpatient["statuses"][1] == {
        "status": "rejected",
        "count": 1,
        "invoice_total": "800.00",
        "payout": None,
    }
    town_row = next(row for row in body["by_org"] if row["org"]["id"] == tree.town.pk)
    assert town_row["figures"]["contributions_paid"] == "180.00"
    assert "hospital" not in str(body)
    assert "diagnosis" not in str(body)


def _insured(html: str) -> int:
    match = re.search(r'data-figure="insured">(\d+)<', html)
    assert match is not None
    return int(match.group(1))


def test_a_sibling_sees_none_of_the_other_subtree(tree: Tree) -> None:
    """A city plan: each district's officers see only their own district's figures."""
    city_plan = make_plan(tree.city, name="2027年度全市职工互助", status=AidPlanStatus.OPEN)
    (east_member,) = enrol_batch(city_plan, tree.acme, 1, paid=True)
    report_claim(east_member, payout="500.00")
    enrol_batch(city_plan, tree.gamma, 2)
    west = client_for(officer_at(tree.west, "west.finance", Role.FINANCE_OFFICER))
    east = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))

    assert _insured(west.get(f"/console/mutualaid/report/?plan={city_plan.pk}").content.decode()) == 2
    assert _insured(east.get(f"/console/mutualaid/report/?plan={city_plan.pk}").content.decode()) == 1
    body = west.get(f"/api/v1/mutualaid/reports/plans/{city_plan.pk}").json()
    assert body["org"]["id"] == tree.west.pk  # the top of the viewer's scope
    assert (body["totals"]["insured"], body["totals"]["claims"], body["totals"]["paid_total"]) == (
        2,
        0,
        "0.00",
    )
    assert [row["org"]["id"] for row in body["by_org"]] == [tree.west.pk, tree.gamma.pk]

    # Another subtree's org is refused like a missing one, and so is east's own plan for west.
    response = west.get(f"/api/v1/mutualaid/reports/plans/{city_plan.pk}?org={tree.acme.pk}")
    assert response.status_code == 404
    assert response.json()["fields"] == {"org": ["请选择您管辖范围内的组织。"]}
    assert west.get(f"/console/mutualaid/report/?plan={city_plan.pk}&org={tree.acme.pk}").status_code == 404
    assert (
        west.get(f"/console/mutualaid/report.xlsx?plan={city_plan.pk}&org={tree.acme.pk}").status_code == 404
    )
    east_plan = make_plan(tree.east, status=AidPlanStatus.OPEN)
    assert west.get(f"/api/v1/mutualaid/reports/plans/{east_plan.pk}").status_code == 404
    assert west.get(f"/console/mutualaid/report/?plan={east_plan.pk}").status_code == 404


def test_plans_offered(tree: Tree) -> None:
    city_plan = make_plan(tree.city, name="全市计划", status=AidPlanStatus.CLOSED)
    east_plan = make_plan(tree.east, status=AidPlanStatus.OPEN)
    make_plan(tree.east, name="草稿计划")  # a draft has nothing to report
    west_plan = make_plan(tree.west, status=AidPlanStatus.OPEN)
    town_officer = officer_at(tree.town, "town.auditor", Role.AUDITOR)
    assert set(report_plans(town_officer)) == {city_plan, east_plan}
    assert set(report_plans(officer_at(tree.city, "city.finance", Role.FINANCE_OFFICER))) == {
        city_plan,
        east_plan,
        west_plan,
    }
    # A union officer holds no mutualaid.view: no report at all.
    union_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    assert not report_plans(union_officer).exists()
    assert client_for(union_officer).get("/console/mutualaid/report/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "plan=abc",
        "plan=0",
        "plan=99999999999999999999999",
        "plan=-1",
        "plan=1&org=abc",
        "org=%00",
        "plan=&org=",
    ],
)
def test_bad_parameters_never_fail(tree: Tree, plan: AidPlan, east_officer: Any, query: str) -> None:
    client = client_for(east_officer)
    for url in ("/console/mutualaid/report/", "/console/mutualaid/report.xlsx"):
        assert client.get(f"{url}?{query}").status_code in {200, 404}
    for api_query in ("org=abc", "org=0", "org=99999999999999999999999"):
        response = client.get(f"/api/v1/mutualaid/reports/plans/{plan.pk}?{api_query}")
        assert response.status_code == 422
        assert "org" in response.json()["fields"]
    assert client.get("/api/v1/mutualaid/reports/plans/0").status_code == 422


def test_no_plan_yet_shows_an_empty_state(tree: Tree, east_officer: Any) -> None:
    page = client_for(east_officer).get("/console/mutualaid/report/")
    assert page.status_code == 200
    assert 'data-figure="insured"' not in page.content.decode()
    assert client_for(east_officer).get("/console/mutualaid/report.xlsx").status_code == 404
