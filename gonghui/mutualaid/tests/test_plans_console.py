"""Mutual aid plans in the console: the list by year, creating a plan, a plan's page with its rules
per claim type (the version in force today marked), opening and closing, and adding a rule
version with its bands edited as rows — every refusal shown on the page with nothing changed."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gonghui.core.models import AuditEvent
from gonghui.mutualaid.models import AidPlan, AidPlanHistory, AidPlanStatus, BenefitRule, ClaimType
from gonghui.mutualaid.tests.factories import make_plan, make_rule
from gonghui.mutualaid.views.plans import band_lines
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at

pytestmark = pytest.mark.django_db

D = Decimal


def url(name: str, *args: object) -> str:
    return reverse(f"console:mutualaid:{name}", args=args)


def html_of(response: Any) -> str:
    return str(response.content.decode())


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def plan_form(world: Any, **fields: str) -> dict[str, str]:
    return {
        "org": str(world.tree.east.pk),
        "year": "2028",
        "name": "2028年度职工医疗互助保障计划",
        "coverage_start": "2028-01-01",
        "coverage_end": "2028-12-31",
        "contribution_per_member": "60.00",
        **fields,
    }


def rule_form(**fields: str) -> dict[str, str]:
    data = {
        "effective_from": "2027-12-01",
        "deductible": "800.00",
        "per_claim_cap": "50000.00",
        "per_year_cap": "100000.00",
        "waiting_days": "90",
        "note": "职代会决议调整起付线",
        "up_to_0": "10000",
        "rate_0": "0.50",
        "up_to_1": "",
        "rate_1": "0.70",
    }
    return {**data, **fields}


@pytest.fixture
def admin_client(world: Any) -> Any:
    return client_for(world.handler)


# --- reading bands -------------------------------------------------------------------------------


def test_bands_read_as_people_say_them(english: Any) -> None:
    bands: list[dict[str, Any]] = [{"up_to": "10000.00", "rate": "0.50"}, {"up_to": None, "rate": "0.7"}]
    assert band_lines(bands) == [
        "Up to 10,000.00 yuan over the deductible: 50% reimbursed",
        "Above 10,000.00 yuan over the deductible: 70% reimbursed",
    ]
    three: list[dict[str, Any]] = [
        {"up_to": "20000", "rate": "0.6"},
        {"up_to": "50000.00", "rate": "0.75"},
        {"up_to": None, "rate": "0.9"},
    ]
    assert band_lines(three)[1] == "20,000.00–50,000.00 yuan over the deductible: 75% reimbursed"
    assert band_lines([{"up_to": None, "rate": "0.3333"}]) == [
        "Everything above the deductible: 33.33% reimbursed"
    ]


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_years_plans_in_scope(
    world: Any, admin_client: Any, django_assert_max_num_queries: Any
) -> None:
    west_plan = make_plan(world.tree.west, name="西区计划")
    next_year = make_plan(world.tree.east, year=2028, name="2028年度计划")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url("plan_list"))
    html = html_of(response)
    assert response.status_code == 200
    assert f'data-row-id="{world.plan.pk}"' in html
    assert f'data-row-id="{west_plan.pk}"' not in html
    assert f'data-row-id="{next_year.pk}"' not in html
    assert "60.00" in html
    assert url("plan_new") in html
    assert_csp_clean(html)
    response = admin_client.get(url("plan_list"), {"year": "2028"})
    assert f'data-row-id="{next_year.pk}"' in html_of(response)


def test_a_union_officer_is_sent_to_enrolment_and_others_find_nothing(world: Any) -> None:
    union_officer = officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER)
    response = client_for(union_officer).get(url("plan_list"))
    assert response.status_code == 302
    assert response["Location"] == url("enrolment_list")
    handler = officer_at(world.tree.east, "rights.handler", Role.CASE_HANDLER)
    assert client_for(handler).get(url("plan_list")).status_code == 404


def test_an_auditor_reads_plans_but_is_offered_no_change(world: Any) -> None:
    auditor = client_for(officer_at(world.tree.east, "east.auditor", Role.AUDITOR))
    html = html_of(auditor.get(url("plan_list")))
    assert f'data-row-id="{world.plan.pk}"' in html
    assert url("plan_new") not in html
    detail = html_of(auditor.get(url("plan_detail", world.plan.pk)))
    assert url("plan_close", world.plan.pk) not in detail
    assert url("rule_new", world.plan.pk, "inpatient") not in detail
    assert auditor.get(url("plan_new")).status_code == 404
    assert auditor.get(url("rule_new", world.plan.pk, "inpatient")).status_code == 404
    response = auditor.post(url("plan_close", world.plan.pk))
    assert response.status_code == 302
    assert AidPlan.objects.get(pk=world.plan.pk).status == AidPlanStatus.OPEN


# --- creating a plan -----------------------------------------------------------------------------


def test_creating_a_plan_makes_a_draft_with_its_history(world: Any, admin_client: Any) -> None:
    form = admin_client.get(url("plan_new"))
    assert form.status_code == 200
    assert_csp_clean(html_of(form))
    response = admin_client.post(url("plan_new"), plan_form(world))
    plan = AidPlan.objects.get(year=2028)
    assert response.status_code == 302
    assert response["Location"] == url("plan_detail", plan.pk)
    assert (plan.status, plan.contribution_per_member, plan.org) == (
        AidPlanStatus.DRAFT,
        D("60.00"),
        world.tree.east,
    )
    assert AidPlanHistory.objects.filter(plan=plan, to_status=AidPlanStatus.DRAFT).count() == 1
    assert AuditEvent.objects.filter(action="mutualaid.create_plan").count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"coverage_end": "2029-01-01"}, "coverage_end", "A plan covers one year at most."),
        ({"coverage_end": "2027-12-31"}, "coverage_end", "The coverage cannot end before it starts."),
        ({"contribution_per_member": "12.345"}, "contribution_per_member", "at most 2 decimal places"),
        ({"contribution_per_member": "-5"}, "contribution_per_member", "cannot be negative"),
        ({"contribution_per_member": ""}, "contribution_per_member", "This field is required."),
        ({"name": "2027年度职工住院医疗互助", "year": "2027"}, "name", "already has a plan with this name"),
        ({"coverage_start": "2028-02-30"}, "coverage_start", "Enter a valid date."),
        ({"year": "1999"}, "year", "greater than or equal to 2000"),
    ],
)
def test_a_bad_plan_is_refused_on_its_field(
    world: Any, admin_client: Any, fields: dict[str, str], field: str, message: str
) -> None:
    before = AidPlan.objects.count()
    response = admin_client.post(url("plan_new"), plan_form(world, **fields))
    assert response.status_code == 422
    assert message in html_of(response)
    assert field in response.context["form"].errors
    assert AidPlan.objects.count() == before


def test_a_plan_for_a_federation_not_managed_cannot_be_chosen(world: Any, admin_client: Any) -> None:
    for org in (world.tree.west, world.tree.acme):  # out of scope; not a federation
        response = admin_client.post(url("plan_new"), plan_form(world, org=str(org.pk)))
        assert response.status_code == 422
        assert "org" in response.context["form"].errors
    assert not AidPlan.objects.filter(year=2028).exists()


# --- a plan's page -------------------------------------------------------------------------------


def test_the_plan_page_marks_the_version_in_force_today(
    world: Any, admin_client: Any, django_assert_max_num_queries: Any
) -> None:
    later = make_rule(
        world.plan, version=2, effective_from=date(2027, 7, 1), deductible=D("800.00"), note="下调起付线"
    )
    future = make_rule(world.plan, version=3, effective_from=date(2027, 12, 15), deductible=D("600.00"))
    make_rule(world.plan, claim_type=ClaimType.ACCIDENT, effective_from=date(2027, 12, 20))
    with django_assert_max_num_queries(25):
        response = admin_client.get(url("plan_detail", world.plan.pk))
    html = html_of(response)
    assert response.status_code == 200
    inpatient = html.split('data-claim-type="inpatient"')[1].split('data-claim-type="chronic_outpatient"')[0]
    assert 'data-in-force="2"' in inpatient
    assert re.search(rf'data-rule-id="{later.pk}" aria-current="true"', inpatient)
    assert f'data-rule-id="{future.pk}"' in inpatient
    assert f'data-rule-id="{world.rule.pk}"' in inpatient
    assert "Up to 10,000.00 yuan over the deductible: 50% reimbursed" in inpatient
    assert "下调起付线" in inpatient
    accident = html.split('data-claim-type="accident"')[1]
    assert "the first one takes effect on" in accident  # none in force yet, and why
    critical = html.split('data-claim-type="critical_illness"')[1].split('data-claim-type="accident"')[0]
    assert "has no rule for it" in critical
    assert url("plan_close", world.plan.pk) in html
    assert url("rule_new", world.plan.pk, "critical_illness") in html
    assert "Steps taken" in html
    assert_csp_clean(html)


def test_a_plan_outside_the_scope_is_not_found(world: Any) -> None:
    west = client_for(officer_at(world.tree.west, "west.admin"))
    assert west.get(url("plan_detail", world.plan.pk)).status_code == 404
    assert west.post(url("plan_close", world.plan.pk)).status_code == 404
    assert AidPlan.objects.get(pk=world.plan.pk).status == AidPlanStatus.OPEN
    assert client_for(world.handler).get(url("plan_detail", 999_999)).status_code == 404


def test_opening_needs_a_rule_then_opens_and_closes(world: Any, admin_client: Any) -> None:
    draft = make_plan(world.tree.east, year=2028, name="2028年度计划")
    response = admin_client.post(url("plan_open", draft.pk), follow=True)
    assert "Add at least one benefit rule before opening the plan." in html_of(response)
    assert AidPlan.objects.get(pk=draft.pk).status == AidPlanStatus.DRAFT
    make_rule(draft, effective_from=date(2028, 1, 1))
    response = admin_client.post(url("plan_open", draft.pk), follow=True)
    assert "The plan is in force" in html_of(response)
    assert AidPlan.objects.get(pk=draft.pk).status == AidPlanStatus.OPEN
    admin_client.post(url("plan_close", draft.pk))
    assert AidPlan.objects.get(pk=draft.pk).status == AidPlanStatus.CLOSED
    response = admin_client.post(url("plan_close", draft.pk), follow=True)
    assert "is not possible now" in html_of(response)
    assert admin_client.get(url("plan_open", draft.pk)).status_code == 405
    steps = list(AidPlanHistory.objects.filter(plan=draft).values_list("to_status", flat=True))
    assert steps == ["open", "closed"]


# --- adding a rule version -----------------------------------------------------------------------


def test_the_rule_form_starts_from_the_latest_version(world: Any, admin_client: Any) -> None:
    response = admin_client.get(url("rule_new", world.plan.pk, "inpatient"))
    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["deductible"] == D("1000.00")
    assert (form.initial["up_to_0"], form.initial["rate_0"], form.initial["rate_1"]) == (
        "10000.00",
        "0.50",
        "0.70",
    )
    assert form.initial["effective_from"] == date(2027, 12, 1)
    assert "version 2" in html_of(response)
    assert_csp_clean(html_of(response))
    assert admin_client.get(url("rule_new", world.plan.pk, "dental")).status_code == 404


def test_adding_a_version_keeps_the_old_one(world: Any, admin_client: Any) -> None:
    response = admin_client.post(url("rule_new", world.plan.pk, "inpatient"), rule_form())
    assert response.status_code == 302
    versions = list(BenefitRule.objects.for_claim_type(world.plan, "inpatient").order_by("version"))
    assert [rule.version for rule in versions] == [1, 2]
    new = versions[1]
    assert (new.deductible, new.effective_from, new.note) == (
        D("800.00"),
        date(2027, 12, 1),
        "职代会决议调整起付线",
    )
    assert new.bands == [{"up_to": "10000.00", "rate": "0.50"}, {"up_to": None, "rate": "0.70"}]
    assert versions[0].deductible == D("1000.00")
    assert new.created_by == world.handler


def test_blank_band_rows_between_filled_ones_are_ignored(world: Any, admin_client: Any) -> None:
    data = rule_form(
        up_to_0="5,000", rate_0="0.4", up_to_1="", rate_1="", up_to_2="20000", rate_2="0.6", rate_3="0.8"
    )
    response = admin_client.post(url("rule_new", world.plan.pk, "chronic_outpatient"), data)
    assert response.status_code == 302
    rule = BenefitRule.objects.get(plan=world.plan, claim_type="chronic_outpatient")
    assert rule.bands == [
        {"up_to": "5000.00", "rate": "0.4"},
        {"up_to": "20000.00", "rate": "0.6"},
        {"up_to": None, "rate": "0.8"},
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        # The third form row is the service's second band: the message lands on that row.
        (
            {"up_to_1": "", "rate_1": "", "up_to_2": "8000", "rate_2": "0.6", "rate_3": "0.7"},
            "up_to_2",
            "higher than the one before",
        ),
        ({"rate_0": "50"}, "rate_0", "The rate must be from 0 to 1."),
        ({"rate_0": "0.123456"}, "rate_0", "at most 4 decimal places"),
        ({"up_to_1": "20000"}, "up_to_1", "The last band must be without an upper limit."),
        ({"up_to_0": "", "rate_0": "0.5"}, "up_to_0", "Only the last band can be without an upper limit."),
        ({"rate_0": ""}, "rate_0", "Enter the rate as a decimal"),
        ({"per_claim_cap": "200000"}, "per_claim_cap", "cannot be higher than the limit per year"),
        ({"effective_from": "2028-01-05"}, "effective_from", "must lie in the plan's coverage period"),
        ({"effective_from": "2026-12-31"}, "effective_from", "must lie in the plan's coverage period"),
        ({"waiting_days": "400"}, "waiting_days", "less than or equal to 366"),
        ({"deductible": "abc"}, "deductible", "Enter an amount in yuan"),
    ],
)
def test_a_bad_rule_is_refused_where_it_is_wrong(
    world: Any, admin_client: Any, fields: dict[str, str], field: str, message: str
) -> None:
    response = admin_client.post(url("rule_new", world.plan.pk, "inpatient"), rule_form(**fields))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field])
    assert BenefitRule.objects.filter(plan=world.plan).count() == 1
    assert_csp_clean(html_of(response))


def test_no_bands_at_all_is_said_above_the_form(world: Any, admin_client: Any) -> None:
    response = admin_client.post(
        url("rule_new", world.plan.pk, "inpatient"), rule_form(up_to_0="", rate_0="", rate_1="")
    )
    assert response.status_code == 422
    assert "Give at least one reimbursement band." in response.context["form"].non_field_errors()


def test_a_closed_plans_rules_cannot_change(world: Any, admin_client: Any) -> None:
    AidPlan.objects.filter(pk=world.plan.pk).update(status=AidPlanStatus.CLOSED)
    response = admin_client.post(url("rule_new", world.plan.pk, "inpatient"), rule_form())
    assert response.status_code == 422
    assert "The plan is closed" in html_of(response)
    assert BenefitRule.objects.filter(plan=world.plan).count() == 1
    detail = html_of(admin_client.get(url("plan_detail", world.plan.pk)))
    assert url("rule_new", world.plan.pk, "inpatient") not in detail


def test_a_rule_with_many_bands_is_offered_whole(world: Any, admin_client: Any) -> None:
    bands = [{"up_to": f"{n * 1000}.00", "rate": "0.50"} for n in range(1, 8)] + [
        {"up_to": None, "rate": "0.90"}
    ]
    make_rule(world.plan, version=2, bands=bands)
    response = admin_client.get(url("rule_new", world.plan.pk, "inpatient"))
    form = response.context["form"]
    assert form.rows == 9
    assert form.initial["rate_7"] == "0.90"
    data = rule_form(up_to_0="1000", up_to_1="2000", rate_1="0.5") | {
        f"up_to_{n}": f"{(n + 1) * 1000}" for n in range(2, 7)
    }
    data |= {f"rate_{n}": "0.5" for n in range(2, 7)} | {"up_to_7": "", "rate_7": "0.9"}
    assert admin_client.post(url("rule_new", world.plan.pk, "inpatient"), data).status_code == 302
    assert len(BenefitRule.objects.get(plan=world.plan, version=3).bands) == 8
