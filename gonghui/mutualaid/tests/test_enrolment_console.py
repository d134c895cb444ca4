"""Enrolment in the console, its API and the demo's scheme: a union officer finds the plans that
apply to their union, enrols all members not yet enrolled after a confirmation with the count and
the contribution, or the people on a list, and records the payment of a batch; the scheme's staff
follow the batches. Every refusal is shown (or answered) and changes nothing."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.members.models import Member
from gonghui.members.tests.factories import make_members
from gonghui.mutualaid.demo import reset_demo_mutualaid, seed_demo_mutualaid
from gonghui.mutualaid.models import AidClaim, AidPlan, AidPlanStatus, ClaimType, Enrolment, EnrolmentBatch
from gonghui.mutualaid.tests.factories import make_plan
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, csv_bytes, officer_at, send_json

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"console:mutualaid:{name}", args=args)


def html_of(response: Any) -> str:
    return str(response.content.decode())


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


@pytest.fixture
def officer(world: Any) -> Any:
    make_members(world.tree.acme, 2)
    make_members(world.tree.group, 1)
    return client_for(officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER))


def confirm_url(world: Any) -> str:
    return url("enrolment_confirm", world.plan.pk, world.tree.acme.pk)


def test_the_union_officer_sees_the_plans_for_their_union(
    world: Any, officer: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(15):
        response = officer.get(url("enrolment_list"))
    html = html_of(response)
    assert response.status_code == 200
    offer = html.split(f'data-plan-id="{world.plan.pk}"')[1].split("</tr>")[0]
    assert ">3<" in offer  # two members of acme and one of its sub-union; world.member is enrolled
    assert confirm_url(world) in offer
    assert url("enrolment_upload", world.plan.pk, world.tree.acme.pk) in offer
    assert f'data-row-id="{world.enrolment.batch_id}"' in html
    assert "Not paid yet" in html
    assert_csp_clean(html)


def test_the_tabs_offer_only_what_the_user_may_open(world: Any, officer: Any) -> None:
    html = html_of(officer.get(url("enrolment_list")))
    tabs = html.split('class="founding-tabs"')[1].split("</nav>")[0]
    assert url("enrolment_list") in tabs
    assert url("plan_list") not in tabs
    admin_tabs = html_of(client_for(world.handler).get(url("enrolment_list"))).split('class="founding-tabs"')[
        1
    ]
    assert url("plan_list") in admin_tabs.split("</nav>")[0]


def test_the_schemes_staff_follow_batches_but_enrol_nobody(world: Any) -> None:
    finance = client_for(officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER))
    html = html_of(finance.get(url("enrolment_list")))
    assert f'data-row-id="{world.enrolment.batch_id}"' in html
    assert "Enrol members" not in html
    assert finance.get(confirm_url(world)).status_code == 404
    west = client_for(officer_at(world.tree.west, "west.admin"))
    assert f'data-row-id="{world.enrolment.batch_id}"' not in html_of(west.get(url("enrolment_list")))
    handler = client_for(officer_at(world.tree.east, "rights.handler", Role.CASE_HANDLER))
    assert handler.get(url("enrolment_list")).status_code == 404


def test_a_code_of_a_union_out_of_scope_is_refused(world: Any, officer: Any) -> None:
    response = officer.get(url("enrolment_list"), {"org": world.tree.beta.code})
    assert response.status_code == 422
    assert "org" in response.context["union_form"].errors
    assert 'data-plan-id="' not in html_of(response)


def test_enrolling_all_members_after_the_confirmation(world: Any, officer: Any) -> None:
    page = officer.get(confirm_url(world))
    html = html_of(page)
    assert page.status_code == 200
    assert 'data-count="3"' in html
    assert "180.00" in html  # 3 × 60.00
    assert_csp_clean(html)
    response = officer.post(confirm_url(world))
    batch = EnrolmentBatch.objects.exclude(pk=world.enrolment.batch_id).get()
    assert response.status_code == 302
    assert response["Location"] == url("enrolment_batch", batch.pk)
    assert (batch.count, batch.total_contribution, batch.org) == (3, Decimal("180.00"), world.tree.acme)
    assert "Every active member of this union is already enrolled" in html_of(officer.get(confirm_url(world)))
    again = officer.post(confirm_url(world))
    assert again.status_code == 409
    assert "Nobody to enrol" in html_of(again)
    assert EnrolmentBatch.objects.count() == 2


def test_a_plan_not_for_this_union_or_not_in_force(world: Any, officer: Any) -> None:
    west_plan = make_plan(world.tree.west, name="西区计划", status=AidPlanStatus.OPEN)
    assert officer.get(url("enrolment_confirm", west_plan.pk, world.tree.acme.pk)).status_code == 404
    assert officer.get(url("enrolment_confirm", world.plan.pk, world.tree.beta.pk)).status_code == 404
    AidPlan.objects.filter(pk=world.plan.pk).update(status=AidPlanStatus.CLOSED)
    page = officer.get(confirm_url(world))
    assert "only while the plan is in force" in html_of(page)
    assert officer.post(confirm_url(world)).status_code == 409
    assert EnrolmentBatch.objects.count() == 1


def _list(world: Any, mode: str, rows: list[list[Any]]) -> dict[str, Any]:
    return {"mode": mode, "file": SimpleUploadedFile("名单.csv", csv_bytes(rows))}


def test_enrolling_from_a_list_reports_each_row(world: Any, officer: Any) -> None:
    people = list(Member.objects.filter(org=world.tree.acme).exclude(pk=world.member.pk).order_by("pk"))
    rows = [["姓名", "身份证号"], [people[0].name, people[0].id_number], ["王小明", "330203199001011235"]]
    upload_url = url("enrolment_upload", world.plan.pk, world.tree.acme.pk)
    checked = officer.post(upload_url, _list(world, "check", rows))
    html = html_of(checked)
    assert checked.status_code == 200
    assert 'data-count="ready">1<' in html
    assert 'data-problem-row="3"' in html
    assert "check character" in html
    assert EnrolmentBatch.objects.count() == 1
    enrolled = officer.post(upload_url, _list(world, "enrol", rows))
    batch = EnrolmentBatch.objects.exclude(pk=world.enrolment.batch_id).get()
    assert url("enrolment_batch", batch.pk) in html_of(enrolled)
    assert list(Enrolment.objects.filter(batch=batch).values_list("member_id", flat=True)) == [people[0].pk]
    assert_csp_clean(html_of(enrolled))


def test_a_file_that_is_not_a_list_is_refused_on_the_form(world: Any, officer: Any) -> None:
    upload_url = url("enrolment_upload", world.plan.pk, world.tree.acme.pk)
    response = officer.post(
        upload_url, {"mode": "enrol", "file": SimpleUploadedFile("名单.xlsx", b"not a workbook")}
    )
    assert response.status_code == 422
    assert "not a spreadsheet" in html_of(response)
    response = officer.post(upload_url, {"mode": "sideways"})
    assert response.status_code == 422
    assert EnrolmentBatch.objects.count() == 1


def test_recording_the_payment_of_a_batch(
    world: Any, officer: Any, django_assert_max_num_queries: Any
) -> None:
    batch_url = url("enrolment_batch", world.enrolment.batch_id)
    with django_assert_max_num_queries(15):
        page = officer.get(batch_url)
    html = html_of(page)
    assert page.status_code == 200
    assert url("enrolment_payment", world.enrolment.batch_id) in html
    assert world.member.masked_name in html
    assert world.member.id_number not in html
    assert_csp_clean(html)
    pay = url("enrolment_payment", world.enrolment.batch_id)
    wrong = officer.post(pay, {"amount": "59.99", "reference": "HX001", "paid_on": "2027-11-30"})
    assert wrong.status_code == 422
    assert "must be exactly the batch total of 60.00 yuan" in html_of(wrong)
    future = officer.post(pay, {"amount": "60.00", "reference": "HX001", "paid_on": "2027-12-02"})
    assert future.status_code == 422
    assert "cannot be in the future" in html_of(future)
    assert not EnrolmentBatch.objects.get(pk=world.enrolment.batch_id).is_paid
    done = officer.post(pay, {"amount": "60.00", "reference": "HX001", "paid_on": "2027-11-30"})
    assert done.status_code == 302
    batch = EnrolmentBatch.objects.get(pk=world.enrolment.batch_id)
    assert (batch.amount_paid, batch.payment_reference, str(batch.paid_on)) == (
        Decimal("60.00"),
        "HX001",
        "2027-11-30",
    )
    again = officer.post(pay, {"amount": "60.00", "reference": "HX002", "paid_on": "2027-11-30"}, follow=True)
    assert "already recorded" in html_of(again)
    assert EnrolmentBatch.objects.get(pk=world.enrolment.batch_id).payment_reference == "HX001"
    assert url("enrolment_payment", world.enrolment.batch_id) not in html_of(officer.get(batch_url))


def test_staff_who_see_a_batch_cannot_record_its_payment(world: Any) -> None:
    finance = client_for(officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER))
    batch_url = url("enrolment_batch", world.enrolment.batch_id)
    assert url("enrolment_payment", world.enrolment.batch_id) not in html_of(finance.get(batch_url))
    response = finance.post(
        url("enrolment_payment", world.enrolment.batch_id),
        {"amount": "60.00", "reference": "HX001", "paid_on": "2027-11-30"},
        follow=True,
    )
    assert "You may not enrol the members of this union." in html_of(response)
    assert not EnrolmentBatch.objects.get(pk=world.enrolment.batch_id).is_paid
    west = client_for(officer_at(world.tree.west, "west.admin"))
    assert west.get(batch_url).status_code == 404


# --- the API (/api/v1/mutualaid/enrolment-batches) -----------------------------------------------

API = "/api/v1/mutualaid/enrolment-batches"


def test_the_api_enrols_lists_and_records_the_payment(world: Any) -> None:
    ours = make_members(world.tree.acme, 2)
    api = client_for(officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER))
    response = send_json(
        api, "post", API, {"plan": world.plan.pk, "org": world.tree.acme.pk, "member_ids": [ours[0].pk]}
    )
    data = json.loads(response.content)
    assert response.status_code == 201, data
    assert (data["enrolled"], data["skipped"], data["total_contribution"], data["paid"]) == (
        1,
        0,
        "60.00",
        False,
    )
    listed = json.loads(api.get(API, {"paid": "false"}).content)
    assert {item["id"] for item in listed["items"]} == {data["id"], world.enrolment.batch_id}
    assert json.loads(api.get(API, {"paid": "true"}).content)["items"] == []
    wrong = send_json(
        api,
        "post",
        f"{API}/{data['id']}/payment",
        {"amount": "6000", "reference": "HX1", "paid_on": "2027-11-30"},
    )
    assert wrong.status_code == 422
    assert "amount" in json.loads(wrong.content)["fields"]
    paid = send_json(
        api,
        "post",
        f"{API}/{data['id']}/payment",
        {"amount": "60.00", "reference": "HX1", "paid_on": "2027-11-30"},
    )
    assert json.loads(paid.content)["amount_paid"] == "60.00"
    again = send_json(
        api,
        "post",
        f"{API}/{data['id']}/payment",
        {"amount": "60.00", "reference": "HX2", "paid_on": "2027-11-30"},
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"plan": 999_999, "member_ids": None}, 404, None),
        ({"member_ids": []}, 422, "member_ids"),
        ({"member_ids": ["x"]}, 422, "member_ids.0"),
        ({"member_ids": [0]}, 422, "member_ids.0"),
        ({"org": 999_999}, 404, None),
    ],
)
def test_a_bad_batch_is_refused(world: Any, body: dict[str, Any], status: int, field: str | None) -> None:
    api = client_for(world.handler)
    payload = {"plan": world.plan.pk, "org": world.tree.acme.pk, "member_ids": None, **body}
    response = send_json(api, "post", API, payload)
    data = json.loads(response.content)
    assert response.status_code == status, data
    assert set(data) == {"code", "message", "fields"}
    if field:
        assert field in data["fields"]
    assert EnrolmentBatch.objects.count() == 1


def test_a_stranger_to_the_union_gets_404(world: Any) -> None:
    beta = client_for(officer_at(world.tree.beta, "beta.officer", Role.UNION_OFFICER))
    response = send_json(beta, "post", API, {"plan": world.plan.pk, "org": world.tree.acme.pk})
    assert response.status_code == 404
    assert beta.get(f"{API}/{world.enrolment.batch_id}").status_code == 404
    assert json.loads(beta.get(API).content)["items"] == []


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_seeds_a_working_scheme_and_resets_cleanly(world: Any) -> None:
    officer_at(world.tree.city, "city.admin")
    make_members(world.tree.acme, 12)
    plan = seed_demo_mutualaid(world.tree.city, unions=[world.tree.acme, world.tree.beta], seed=7)
    assert plan is not None
    assert plan.status == AidPlanStatus.OPEN
    assert set(plan.rules.values_list("claim_type", flat=True)) == set(ClaimType.values)
    assert plan.rules.filter(claim_type=ClaimType.INPATIENT).count() == 2
    batches = EnrolmentBatch.objects.filter(plan=plan)
    assert batches.count() == 1  # beta has no members
    assert all(batch.is_paid for batch in batches)
    statuses = set(AidClaim.objects.filter(plan=plan).values_list("status", flat=True))
    assert {"paid", "entered", "rejected", "checked"} <= statuses
    reset_demo_mutualaid(world.tree.city)
    assert not AidPlan.objects.exists()
    assert not AidClaim.objects.exists()
    assert not Enrolment.objects.exists()
