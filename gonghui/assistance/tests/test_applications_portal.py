"""The member's side: 我收到的关怀, the education grant form and my applications (portal and API),
and the officers' queue with the document download."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.assistance.models import ApplicationStatus, CareCampaign, EducationApplication
from gonghui.assistance.tests.factories_campaigns import (
    PDF,
    application,
    beneficiary,
    child_id_number,
    education_campaign,
    listing_campaign,
    member_account,
    member_of,
)
from gonghui.members.models import Member
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, make_tree, officer_at, send_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/assistance/campaigns"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@dataclass
class World:
    tree: Tree
    campaign: CareCampaign
    member: Member
    user: User
    client: Client


@pytest.fixture
def world() -> World:
    tree = make_tree()
    member = member_of(tree.acme, name="王建国")
    user = member_account(member, "13900001111")
    return World(
        tree=tree, campaign=education_campaign(tree.east), member=member, user=user, client=client_for(user)
    )


def form(**fields: Any) -> dict[str, Any]:
    return {
        "child_name": "王小雨",
        "child_id_number": child_id_number(),
        "school": "宁波大学",
        "level": "undergraduate",
        "admission_year": str(timezone.localdate().year),
        "documents": [SimpleUploadedFile("录取通知书.pdf", PDF, content_type="application/pdf")],
        **fields,
    }


def test_the_member_applies_in_the_portal_and_follows_the_decision(world: World) -> None:
    page = world.client.get("/assistance/education/").content.decode()
    assert f'data-campaign-id="{world.campaign.pk}"' in page
    response = world.client.post(f"/assistance/education/{world.campaign.pk}/apply/", form())
    assert response.status_code == 302, response.content.decode()
    row = EducationApplication.objects.get()
    assert response["Location"] == f"/assistance/education/applications/{row.pk}/"
    officer = client_for(officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER))
    detail = officer.get(f"/console/assistance/applications/{row.pk}/").content.decode()
    document = row.documents.get()
    download = officer.get(f"/console/assistance/applications/{row.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "王**" in detail or "王*" in detail
    officer.post(
        f"/console/assistance/applications/{row.pk}/decide/",
        {"decision": "reject", "reason": "请补充录取通知书原件照片"},
    )
    row.refresh_from_db()
    assert row.status == ApplicationStatus.REJECTED
    mine = world.client.get(f"/assistance/education/applications/{row.pk}/").content.decode()
    assert "请补充录取通知书原件照片" in mine


def test_the_portal_form_answers_bad_input_with_messages(world: World) -> None:
    response = world.client.post(
        f"/assistance/education/{world.campaign.pk}/apply/",
        form(child_id_number="110", documents=[SimpleUploadedFile("a.txt", b"hello")]),
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "a.txt" in content
    response = world.client.post(f"/assistance/education/{world.campaign.pk}/apply/", form(documents=[]))
    assert response.status_code == 422
    child = child_id_number()
    assert (
        world.client.post(
            f"/assistance/education/{world.campaign.pk}/apply/", form(child_id_number=child)
        ).status_code
        == 302
    )
    again = world.client.post(
        f"/assistance/education/{world.campaign.pk}/apply/", form(child_id_number=child)
    )
    assert again.status_code == 422
    assert "already been applied for" in again.content.decode()
    assert EducationApplication.objects.count() == 1


def test_campaigns_closed_to_the_member_and_others_applications_are_404(world: World) -> None:
    west = education_campaign(world.tree.west)
    assert world.client.get(f"/assistance/education/{west.pk}/apply/").status_code == 404
    other = application(world.campaign, member_of(world.tree.beta))
    assert world.client.get(f"/assistance/education/applications/{other.pk}/").status_code == 404
    document = other.documents.get()
    officer = client_for(officer_at(world.tree.beta, "beta.officer", Role.UNION_OFFICER))
    assert (
        officer.get(
            f"/console/assistance/applications/{application(world.campaign, world.member).pk}/"
        ).status_code
        == 404
    )
    auditor = client_for(officer_at(world.tree.east, "east.auditor", Role.AUDITOR))
    url = f"/console/assistance/applications/{other.pk}/documents/{document.pk}/"
    assert auditor.get(url).status_code == 404  # sees the application, may not open the child's papers


def test_care_i_receive_lists_my_campaigns(world: World) -> None:
    winter = listing_campaign(world.tree.east, title="2027年送温暖")
    row = beneficiary(winter, world.member)
    other = beneficiary(listing_campaign(world.tree.east, title="别人的"), member_of(world.tree.beta))
    page = world.client.get("/assistance/care/").content.decode()
    assert f'data-row-id="{row.pk}"' in page
    assert f'data-row-id="{other.pk}"' not in page
    assert "2027年送温暖" in page


def test_member_api_apply_and_my_applications(world: World) -> None:
    opened = world.client.get(f"{API}/open")
    assert [item["id"] for item in opened.json()] == [world.campaign.pk]
    response = world.client.post(f"{API}/{world.campaign.pk}/applications", form())
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    mine = world.client.get(f"{API}/my-applications").json()
    assert mine["count"] == 1
    assert mine["items"][0]["masked_child_name"].startswith("王")
    bad = world.client.post(f"{API}/{world.campaign.pk}/applications", form(level="nursery"))
    assert bad.status_code == 422
    assert "level" in bad.json()["fields"]
    missing = world.client.post(f"{API}/{world.campaign.pk}/applications", {"child_name": "x"})
    assert missing.status_code == 422
    closed = world.client.post(f"{API}/{education_campaign(world.tree.west).pk}/applications", form())
    assert closed.status_code == 404


def test_officer_api_decides_applications(world: World) -> None:
    row = application(world.campaign, world.member)
    officer = client_for(officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER))
    queue = officer.get(f"{API}/applications").json()
    assert [item["id"] for item in queue["items"]] == [row.pk]
    refused = send_json(
        officer, "post", f"{API}/applications/{row.pk}/decide", {"decision": "reject", "reason": ""}
    )
    assert refused.status_code == 422
    assert "reason" in refused.json()["fields"]
    approved = send_json(officer, "post", f"{API}/applications/{row.pk}/decide", {"decision": "approve"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    again = send_json(officer, "post", f"{API}/applications/{row.pk}/decide", {"decision": "approve"})
    assert again.status_code == 409
