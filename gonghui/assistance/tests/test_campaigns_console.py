"""Care campaign pages of the console and the officers' API: the journeys, bad input answered
with messages (never a 500), the export and the query counts."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.assistance.models import CareBeneficiary, CareCampaign, CareCampaignStatus, Grant, HardshipGrade
from gonghui.assistance.tests.factories import fund_with, make_care_campaign
from gonghui.assistance.tests.factories_campaigns import beneficiary, listing_campaign, member_of, on_file
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, make_tree, officer_at, send_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = "/console/assistance/campaigns"
API = "/api/v1/assistance/campaigns"


@dataclass
class World:
    tree: Tree
    admin: User
    client: Client
    acme: Client


@pytest.fixture
def world() -> World:
    tree = make_tree()
    admin = officer_at(tree.east, "east.admin")
    return World(
        tree=tree,
        admin=admin,
        client=client_for(admin),
        acme=client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)),
    )


def test_create_build_adjust_confirm_and_pay_through_the_pages(world: World) -> None:
    fund = fund_with(world.tree.east, "100000.00")
    member = member_of(world.tree.acme)
    on_file(member, HardshipGrade.SEVERE)
    extra = member_of(world.tree.beta)
    response = world.client.post(
        f"{BASE}/new/",
        {
            "organiser": "E",
            "season": "winter_warmth",
            "year": "2027",
            "title": "2027年送温暖",
            "budget": "10,000",
            "amount_per_person": "800",
            "fund": str(fund.pk),
            "grades": ["severe"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    campaign = CareCampaign.objects.get()
    assert world.client.get(response["Location"]).status_code == 200
    response = world.client.post(f"{BASE}/{campaign.pk}/action/", {"action": "build_list"}, follow=True)
    assert "1 added" in response.content.decode()
    response = world.client.post(
        f"{BASE}/{campaign.pk}/beneficiaries/add/", {"id_number": extra.id_number, "amount": "300"}
    )
    assert response.status_code == 302
    page = world.client.get(f"{BASE}/{campaign.pk}/beneficiaries/").content.decode()
    assert page.count("data-row-id=") == 2
    assert "¥1,100.00" in world.client.get(f"{BASE}/{campaign.pk}/").content.decode()
    world.client.post(f"{BASE}/{campaign.pk}/action/", {"action": "confirm"})
    response = world.client.post(f"{BASE}/{campaign.pk}/pay/", follow=True)
    assert "2 grants have been made" in response.content.decode()
    assert Grant.objects.filter(campaign=campaign).count() == 2


def test_bad_input_gets_messages_and_writes_nothing(world: World) -> None:
    response = world.client.post(
        f"{BASE}/new/",
        {
            "organiser": "W",
            "season": "x",
            "year": "abc",
            "title": "",
            "budget": "1.234",
            "amount_per_person": "-1",
        },
    )
    assert response.status_code == 422
    assert not CareCampaign.objects.exists()
    response = world.client.post(
        f"{BASE}/new/",
        {
            "organiser": "W",
            "season": "winter_warmth",
            "year": "2027",
            "title": "t",
            "budget": "1",
            "amount_per_person": "1",
        },
    )
    assert response.status_code == 422
    assert "Give the code of a union in your scope." in response.content.decode()
    campaign = listing_campaign(world.tree.east, budget="500.00")
    beneficiary(campaign, member_of(world.tree.acme))
    response = world.client.post(
        f"{BASE}/{campaign.pk}/beneficiaries/add/", {"id_number": "330203198001011230"}
    )
    assert response.status_code == 422
    outsider = member_of(world.tree.beta)
    response = world.client.post(
        f"{BASE}/{campaign.pk}/beneficiaries/add/", {"id_number": outsider.id_number}
    )
    assert response.status_code == 422
    assert "more than the budget" in response.content.decode()
    row = CareBeneficiary.objects.get()
    response = world.client.post(
        f"{BASE}/{campaign.pk}/beneficiaries/{row.pk}/amount/", {"amount": "abc", "reason": ""}, follow=True
    )
    assert response.status_code == 200
    response = world.client.post(
        f"{BASE}/{campaign.pk}/beneficiaries/{row.pk}/remove/", {"reason": ""}, follow=True
    )
    assert "Give the reason" in response.content.decode()
    response = world.client.post(f"{BASE}/{campaign.pk}/action/", {"action": "nonsense"}, follow=True)
    assert "Unknown action." in response.content.decode()
    response = world.client.post(f"{BASE}/{campaign.pk}/pay/", follow=True)
    assert "not paid from a fund" in response.content.decode()
    assert CareBeneficiary.objects.count() == 1


def test_a_union_officer_sees_and_changes_only_their_part(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    own = beneficiary(campaign, member_of(world.tree.acme))
    other = beneficiary(campaign, member_of(world.tree.beta))
    page = world.acme.get(f"{BASE}/{campaign.pk}/beneficiaries/").content.decode()
    assert f'data-row-id="{own.pk}"' in page
    assert f'data-row-id="{other.pk}"' not in page
    assert (
        world.acme.post(f"{BASE}/{campaign.pk}/beneficiaries/{other.pk}/remove/", {"reason": "x"}).status_code
        == 404
    )
    response = world.acme.post(f"{BASE}/{campaign.pk}/action/", {"action": "confirm"}, follow=True)
    assert "Only assistance officers" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CareCampaignStatus.LISTING


def test_the_export_is_formula_safe_and_masked(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    member = member_of(world.tree.acme, name="=HYPERLINK(1)")
    beneficiary(campaign, member, note="@SUM(A1)")
    response = world.client.get(f"{BASE}/{campaign.pk}/beneficiaries/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    cells = [str(cell) for row in sheet for cell in row]
    assert member.id_number not in cells
    assert member.masked_id_number in cells
    assert "@SUM(A1)" in cells  # kept as text
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_pages_keep_their_query_counts(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    for _ in range(5):
        beneficiary(campaign, member_of(world.tree.acme))
    world.client.get(f"{BASE}/{campaign.pk}/beneficiaries/")
    with CaptureQueriesContext(connection) as few:
        assert world.client.get(f"{BASE}/{campaign.pk}/beneficiaries/").status_code == 200
    for _ in range(20):
        beneficiary(campaign, member_of(world.tree.beta))
    with CaptureQueriesContext(connection) as many:
        assert world.client.get(f"{BASE}/{campaign.pk}/beneficiaries/").status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as listing:
        assert world.client.get(f"{BASE}/").status_code == 200
    make_care_campaign(world.tree.east)
    make_care_campaign(world.tree.east)
    with CaptureQueriesContext(connection) as more:
        assert world.client.get(f"{BASE}/").status_code == 200
    assert len(more) == len(listing)


# --- API -------------------------------------------------------------------------------------------


def test_api_journey_and_refusals(world: World) -> None:
    member = member_of(world.tree.acme)
    response = send_json(
        world.client,
        "post",
        API,
        {
            "org": world.tree.east.pk,
            "season": "summer_cooling",
            "year": 2027,
            "title": "夏送清凉",
            "budget": "1000.00",
            "amount_per_person": "400.00",
        },
    )
    assert response.status_code == 201, response.content
    campaign_id = response.json()["id"]
    built = send_json(world.client, "post", f"{API}/{campaign_id}/build", {})
    assert built.status_code == 200
    assert built.json()["people"] == 1
    assert built.json()["campaign"]["actions"] == ["build_list", "confirm"]
    second = member_of(world.tree.beta)
    added = send_json(
        world.client, "post", f"{API}/{campaign_id}/beneficiaries", {"id_number": second.id_number}
    )
    assert added.status_code == 201
    again = send_json(
        world.client, "post", f"{API}/{campaign_id}/beneficiaries", {"id_number": member.id_number}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_on_list"
    third = member_of(world.tree.beta)
    over = send_json(
        world.client, "post", f"{API}/{campaign_id}/beneficiaries", {"id_number": third.id_number}
    )
    assert over.status_code == 409
    assert over.json()["code"] == "over_budget"
    assert "¥200.00" in over.json()["message"]
    rows = world.client.get(f"{API}/{campaign_id}/beneficiaries").json()
    assert rows["count"] == 2
    assert all("*" in item["masked_id_number"] for item in rows["items"])
    row_id = rows["items"][0]["id"]
    patched = send_json(
        world.client,
        "patch",
        f"{API}/{campaign_id}/beneficiaries/{row_id}",
        {"amount": "100.00", "reason": "核实"},
    )
    assert patched.status_code == 200
    assert Decimal(patched.json()["amount"]) == Decimal("100.00")
    detail = world.client.get(f"{API}/{campaign_id}").json()
    assert (detail["people"], Decimal(detail["total"]), Decimal(detail["remaining"])) == (
        2,
        Decimal("500.00"),
        Decimal("500.00"),
    )
    assert send_json(world.client, "post", f"{API}/{campaign_id}/confirm", {}).status_code == 200
    locked = send_json(
        world.client, "post", f"{API}/{campaign_id}/beneficiaries/{row_id}/remove", {"reason": "x"}
    )
    assert locked.status_code == 409
    assert locked.json()["code"] == "list_locked"
    wrong = send_json(world.client, "post", f"{API}/{campaign_id}/confirm", {})
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"org": 0, "season": "winter", "year": 1, "title": "", "budget": "-1", "amount_per_person": "x"},
        {
            "org": 1,
            "season": "winter_warmth",
            "year": 2027,
            "title": "t",
            "budget": "1.001",
            "amount_per_person": "1",
        },
        {
            "org": 1,
            "season": "winter_warmth",
            "year": 2027,
            "title": "t",
            "budget": "1",
            "amount_per_person": "1",
            "grades": ["x"],
        },
        {
            "org": 1,
            "season": "winter_warmth",
            "year": 2027,
            "title": "t",
            "budget": "1",
            "amount_per_person": "1",
            "extra": 1,
        },
        ["not", "an", "object"],
    ],
)
def test_api_bad_bodies_are_422_with_fields(world: World, body: object) -> None:
    response = send_json(world.client, "post", API, body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert payload["fields"]
    assert not CareCampaign.objects.exists()


def test_api_bad_ids_and_filters_are_4xx(world: World) -> None:
    assert world.client.get(f"{API}/999999").status_code == 404
    assert world.client.get(f"{API}?status=nope").status_code == 422
    assert world.client.get(f"{API}/applications?status=nope").status_code == 422
    assert send_json(world.client, "post", f"{API}/999999/pay", {}).status_code == 404
    campaign = listing_campaign(world.tree.east)
    response = send_json(world.client, "post", f"{API}/{campaign.pk}/beneficiaries", {"id_number": "12"})
    assert response.status_code == 422
    assert "id_number" in response.json()["fields"]
    response = send_json(
        world.client, "patch", f"{API}/{campaign.pk}/beneficiaries/1", {"amount": "-1", "reason": ""}
    )
    assert response.status_code == 422
