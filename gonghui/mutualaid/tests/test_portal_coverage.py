"""The portal's mutual aid landing page: am I covered, by which plan and union, the rule in force
per claim type in plain words, the waiting period, and the year so far under the yearly limit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from gonghui.accounts.tests.factories import make_member
from gonghui.mutualaid.models import AidClaimStatus, AidPlanStatus, ClaimType
from gonghui.mutualaid.portal_views.coverage import my_coverage, rule_summary
from gonghui.mutualaid.services.claims import approve_claim, check_claim, reject_claim, submit_claim
from gonghui.mutualaid.tests.factories import (
    claim_input,
    line,
    make_enrolment,
    make_member_with_account,
    make_plan,
    make_rule,
)
from gonghui.portal import navigation

pytestmark = pytest.mark.django_db

URL = "/mutualaid/"


def page(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def test_the_url_name_and_the_portal_tile() -> None:
    assert reverse("portal:mutualaid") == URL
    tile = next(tile for tile in navigation.TILES if tile.key == "mutual_aid")
    assert tile.url() == URL


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_enrolled_member_sees_plan_union_and_rule_in_plain_words(world: Any) -> None:
    html = page(world.user)
    assert world.plan.name in html
    assert world.tree.east.name in html  # the federation running the plan
    assert world.tree.acme.name in html  # the union that enrolled the member
    assert day(world.enrolment.enrolled_on) in html
    assert "Inpatient" in html
    assert "You pay the first 1,000.00 yuan of the eligible costs yourself (the deductible)." in html
    assert "50% of the first 10,000.00 yuan above the deductible" in html
    assert "70% of everything more than 10,000.00 yuan above it" in html
    assert "At most 50,000.00 yuan per claim and 100,000.00 yuan a year in all." in html
    # Enrolled on 1 January with 90 days: covered from 1 April; today is 1 December.
    assert f"ended on {day(date(2027, 4, 1))}" in html
    assert "Covered" in html
    assert "100,000.00 yuan" in html  # nothing used of the yearly limit
    assert reverse("portal:mutualaid_claim_new") in html


def test_the_year_so_far_counts_reserved_and_paid_payouts_but_not_rejected_claims(world: Any) -> None:
    approved = submit_claim(world.plan, actor=world.user, **claim_input())
    check_claim(approved, actor=world.handler)
    approve_claim(approved, actor=world.handler)  # 5,700.00 (example 1 of the rules)
    rejected = submit_claim(world.plan, actor=world.user, **claim_input(lines=[line("FP0002", "9000.00")]))
    reject_claim(rejected, actor=world.handler, reason="发票不清晰")
    entered = submit_claim(world.plan, actor=world.user, **claim_input(lines=[line("FP0003", "3000.00")]))

    [coverage] = my_coverage(world.user, date(2027, 12, 1))
    [inpatient] = coverage.types
    assert inpatient.claims == 2  # approved and entered
    assert inpatient.paid == Decimal("0.00")
    assert inpatient.pending == Decimal("5700.00")
    assert inpatient.room_left == Decimal("94300.00")

    type(approved).objects.filter(pk=approved.pk).update(status=AidClaimStatus.PAID)
    [coverage] = my_coverage(world.user, date(2027, 12, 1))
    assert coverage.types[0].paid == Decimal("5700.00")
    assert coverage.types[0].pending == Decimal("0.00")
    html = page(world.user)
    assert "5,700.00 yuan" in html
    assert "94,300.00 yuan" in html
    assert entered.reference in html  # recent claims link to their pages


def test_a_waiting_period_not_yet_over_says_when_it_ends(world: Any) -> None:
    member, user = make_member_with_account(world.tree.acme)
    make_enrolment(world.plan, member, enrolled_on=date(2027, 11, 15))
    html = page(user)
    assert "Waiting period" in html
    assert f"treatment from {day(date(2028, 2, 13))} on is covered" in html


def test_the_rule_shown_is_the_version_in_force_today_and_a_later_one_says_from_when(world: Any) -> None:
    make_rule(world.plan, version=2, effective_from=date(2027, 7, 1), deductible=Decimal("500.00"))
    make_rule(
        world.plan,
        claim_type=ClaimType.CHRONIC_OUTPATIENT,
        effective_from=date(2027, 12, 15),
        deductible=Decimal("0.00"),
        waiting_days=0,
        bands=[{"up_to": None, "rate": "0.6"}],
        per_claim_cap=Decimal("10000.00"),
        per_year_cap=Decimal("10000.00"),
    )
    html = page(world.user)
    assert "You pay the first 500.00 yuan" in html
    assert "1,000.00 yuan of the eligible costs" not in html
    assert "Chronic disease outpatient" in html
    assert f"From {day(date(2027, 12, 15))}" in html
    assert "There is no deductible: the mutual aid pays from the first yuan." in html
    assert "60% of the costs above the deductible" in html
    assert "No waiting period: covered from the day of enrolment." in html


def test_three_bands_read_in_order(world: Any) -> None:
    rule = make_rule(
        world.plan,
        version=2,
        bands=[
            {"up_to": "20000.00", "rate": "0.60"},
            {"up_to": "50000.00", "rate": "0.75"},
            {"up_to": None, "rate": "0.9"},
        ],
    )
    [_deductible, bands, *_rest] = rule_summary(rule)
    assert bands == (
        "The mutual aid pays 60% of the first 20,000.00 yuan above the deductible; "
        "75% of the part from 20,000.00 to 50,000.00 yuan above it; "
        "90% of everything more than 50,000.00 yuan above it."
    )


def test_a_member_not_enrolled_is_told_to_ask_their_union(world: Any) -> None:
    _member, user = make_member_with_account(world.tree.acme)
    html = page(user)
    assert "You are not enrolled in a mutual aid plan" in html
    assert world.tree.acme.name in html
    assert world.plan.name not in html
    assert reverse("portal:mutualaid_claim_new") not in html


def test_an_account_without_membership_is_pointed_to_joining(world: Any) -> None:
    html = page(make_member("13911112222"))
    assert "Join a union first" in html
    assert reverse("portal:join") in html


def test_another_persons_coverage_and_claims_never_show(world: Any) -> None:
    submit_claim(world.plan, actor=world.user, **claim_input())
    other, other_user = make_member_with_account(world.tree.acme)
    make_enrolment(world.plan, other)
    [coverage] = my_coverage(other_user, date(2027, 12, 1))
    assert coverage.enrolment.member == other
    assert coverage.types[0].claims == 0
    assert "2027-" not in page(other_user)


def test_an_ended_plan_is_listed_apart_and_offers_no_claim(world: Any) -> None:
    type(world.plan).objects.filter(pk=world.plan.pk).update(status=AidPlanStatus.CLOSED)
    html = page(world.user)
    assert "Earlier plans" in html
    assert "None of your plans is in force" in html
    assert reverse("portal:mutualaid_claim_new") not in html


def test_the_page_reads_a_bounded_number_of_queries(world: Any, django_assert_max_num_queries: Any) -> None:
    later = make_plan(world.tree.east, name="2027年度补充互助", status=AidPlanStatus.OPEN)
    for claim_type in ClaimType.values:
        make_rule(later, claim_type=claim_type)
    make_enrolment(later, world.member)
    for number in range(3):
        submit_claim(world.plan, actor=world.user, **claim_input(lines=[line(f"FQ{number}", "2000.00")]))
    client = Client()
    client.force_login(world.user)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
