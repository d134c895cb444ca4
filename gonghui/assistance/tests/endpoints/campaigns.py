"""Scoped endpoints: care campaigns (console and API), their lists of beneficiaries, and the
education grant applications. Every campaign here is run by the own union (with it as the
eligible org), every person belongs to it; the parent district's officers see and change them,
the sibling district's officers get 404 as for a missing campaign (or, creating one, a refusal
on the org field). The member's own operations are unscoped: they act on the caller's records."""

from __future__ import annotations

from typing import Any

from gonghui.assistance.models import CareBeneficiary, CareCampaign, CareCampaignStatus, EducationApplication
from gonghui.assistance.tests.factories import fund_with, make_care_campaign
from gonghui.assistance.tests.factories_campaigns import (
    beneficiary,
    campaign_beneficiary,
    education_application,
    listing_campaign,
    member_of,
)
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

BASE = "/console/assistance/campaigns"
APPLICATIONS = "/console/assistance/applications"
API = "/api/v1/assistance/campaigns"


def _with_one(org: Org, status: str = CareCampaignStatus.LISTING) -> CareCampaign:
    campaign = listing_campaign(org)
    beneficiary(campaign, member_of(org))
    CareCampaign.objects.filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()
    return campaign


def _confirmed(org: Org) -> CareCampaign:
    return _with_one(org, CareCampaignStatus.CONFIRMED)


def _payable(org: Org) -> CareCampaign:
    campaign = _with_one(org, CareCampaignStatus.CONFIRMED)
    CareCampaign.objects.filter(pk=campaign.pk).update(fund=fund_with(org, "10000.00"))
    campaign.refresh_from_db()
    return campaign


def _form(world: ScopeWorld, campaign: Any = None) -> dict[str, Any]:
    return {
        "organiser": world.own.code,
        "season": "winter_warmth",
        "year": "2027",
        "title": "2027年元旦春节送温暖",
        "budget": "20000",
        "amount_per_person": "500",
    }


def _api_body(world: ScopeWorld, campaign: Any = None) -> dict[str, Any]:
    return {
        "season": "summer_cooling",
        "year": 2027,
        "title": "2027年夏送清凉",
        "budget": "20000.00",
        "amount_per_person": "200.00",
    }


def _new_member(world: ScopeWorld, campaign: Any) -> dict[str, Any]:
    return {"id_number": member_of(world.own).id_number}


def _document_url(application: EducationApplication) -> str:
    document = application.documents.get()
    return f"{APPLICATIONS}/{application.pk}/documents/{document.pk}/"


def _row_url(row: CareBeneficiary, tail: str) -> str:
    return f"{BASE}/{row.campaign_id}/beneficiaries/{row.pk}/{tail}/"


ENDPOINTS: list[ScopedEndpoint] = [
    # --- console: campaigns ---
    ScopedEndpoint(
        covers="console:assistance:campaign_list",
        action="list",
        url=lambda campaign: f"{BASE}/",
        make=make_care_campaign,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:campaign_new",
        action="create",
        method="POST",
        url=lambda org: f"{BASE}/new/",
        data=_form,
        model=CareCampaign,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:campaign_detail",
        action="detail",
        url=lambda campaign: f"{BASE}/{campaign.pk}/",
        make=_with_one,
    ),
    ScopedEndpoint(
        covers="console:assistance:campaign_edit",
        action="detail",
        url=lambda campaign: f"{BASE}/{campaign.pk}/edit/",
        make=make_care_campaign,
    ),
    ScopedEndpoint(
        covers="console:assistance:campaign_edit",
        action="update",
        method="POST",
        url=lambda campaign: f"{BASE}/{campaign.pk}/edit/",
        make=make_care_campaign,
        data=lambda world, campaign: {**_form(world), "title": "改过的标题"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:campaign_action",
        action="update",
        method="POST",
        url=lambda campaign: f"{BASE}/{campaign.pk}/action/",
        make=_with_one,
        data=lambda world, campaign: {"action": "confirm", "comment": ""},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:campaign_pay",
        action="update",
        method="POST",
        url=lambda campaign: f"{BASE}/{campaign.pk}/pay/",
        make=_payable,
        ok=frozenset({302}),
    ),
    # --- console: the list ---
    ScopedEndpoint(
        covers="console:assistance:beneficiary_list",
        action="detail",
        url=lambda row: f"{BASE}/{row.campaign_id}/beneficiaries/",
        make=campaign_beneficiary,
    ),
    ScopedEndpoint(
        covers="console:assistance:beneficiary_export",
        action="detail",
        url=lambda row: f"{BASE}/{row.campaign_id}/beneficiaries/export/",
        make=campaign_beneficiary,
    ),
    ScopedEndpoint(
        covers="console:assistance:beneficiary_add",
        action="update",
        method="POST",
        url=lambda campaign: f"{BASE}/{campaign.pk}/beneficiaries/add/",
        make=listing_campaign,
        data=_new_member,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:beneficiary_remove",
        action="delete",
        method="POST",
        url=lambda row: _row_url(row, "remove"),
        make=campaign_beneficiary,
        data=lambda world, row: {"reason": "已调离"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:beneficiary_amount",
        action="update",
        method="POST",
        url=lambda row: _row_url(row, "amount"),
        make=campaign_beneficiary,
        data=lambda world, row: {"amount": "300", "reason": "核实收入"},
        ok=frozenset({302}),
    ),
    # --- console: applications ---
    ScopedEndpoint(
        covers="console:assistance:application_list",
        action="list",
        url=lambda application: f"{APPLICATIONS}/",
        make=education_application,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:application_detail",
        action="detail",
        url=lambda application: f"{APPLICATIONS}/{application.pk}/",
        make=education_application,
    ),
    ScopedEndpoint(
        covers="console:assistance:application_decide",
        action="update",
        method="POST",
        url=lambda application: f"{APPLICATIONS}/{application.pk}/decide/",
        make=education_application,
        data=lambda world, application: {"decision": "reject", "reason": "材料不全"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:application_document",
        action="detail",
        url=_document_url,
        make=education_application,
    ),
    # --- API: campaigns ---
    ScopedEndpoint(
        covers=f"GET {API}",
        action="list",
        url=lambda campaign: API,
        make=make_care_campaign,
    ),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        data=lambda world, org: {**_api_body(world), "org": world.own.pk},
        model=CareCampaign,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{campaign_id}}",
        action="detail",
        url=lambda campaign: f"{API}/{campaign.pk}",
        make=make_care_campaign,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/{{campaign_id}}",
        action="update",
        method="PUT",
        url=lambda campaign: f"{API}/{campaign.pk}",
        make=make_care_campaign,
        data=_api_body,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/build",
        action="update",
        method="POST",
        url=lambda campaign: f"{API}/{campaign.pk}/build",
        make=make_care_campaign,
        data=lambda world, campaign: {"comment": ""},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/confirm",
        action="update",
        method="POST",
        url=lambda campaign: f"{API}/{campaign.pk}/confirm",
        make=_with_one,
        data=lambda world, campaign: {},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/reopen",
        action="update",
        method="POST",
        url=lambda campaign: f"{API}/{campaign.pk}/reopen",
        make=_confirmed,
        data=lambda world, campaign: {},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/close",
        action="update",
        method="POST",
        url=lambda campaign: f"{API}/{campaign.pk}/close",
        make=_confirmed,
        data=lambda world, campaign: {"comment": "已发放完毕"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/pay",
        action="update",
        method="POST",
        url=lambda campaign: f"{API}/{campaign.pk}/pay",
        make=_payable,
    ),
    # --- API: the list ---
    ScopedEndpoint(
        covers=f"GET {API}/{{campaign_id}}/beneficiaries",
        action="detail",
        url=lambda row: f"{API}/{row.campaign_id}/beneficiaries",
        make=campaign_beneficiary,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/beneficiaries",
        action="update",
        method="POST",
        url=lambda campaign: f"{API}/{campaign.pk}/beneficiaries",
        make=listing_campaign,
        data=_new_member,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"PATCH {API}/{{campaign_id}}/beneficiaries/{{beneficiary_id}}",
        action="update",
        method="PATCH",
        url=lambda row: f"{API}/{row.campaign_id}/beneficiaries/{row.pk}",
        make=campaign_beneficiary,
        data=lambda world, row: {"amount": "300.00", "reason": "核实收入"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{campaign_id}}/beneficiaries/{{beneficiary_id}}/remove",
        action="delete",
        method="POST",
        url=lambda row: f"{API}/{row.campaign_id}/beneficiaries/{row.pk}/remove",
        make=campaign_beneficiary,
        data=lambda world, row: {"reason": "已调离"},
        ok=frozenset({204}),
    ),
    # --- API: applications ---
    ScopedEndpoint(
        covers=f"GET {API}/applications",
        action="list",
        url=lambda application: f"{API}/applications",
        make=education_application,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/applications/{{application_id}}",
        action="detail",
        url=lambda application: f"{API}/applications/{application.pk}",
        make=education_application,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/applications/{{application_id}}/decide",
        action="update",
        method="POST",
        url=lambda application: f"{API}/applications/{application.pk}/decide",
        make=education_application,
        data=lambda world, application: {"decision": "approve", "reason": ""},
    ),
]

_OWN = "the signed-in member's own applications, found by their ID blind index; no officer scope"
UNSCOPED: dict[str, str] = {
    f"GET {API}/my-applications": _OWN,
    f"GET {API}/open": "the education campaigns open to the signed-in member by the campaigns' own rules",
    f"POST {API}/{{campaign_id}}/applications": (
        "a member applies for their own child; the service admits only campaigns whose rules pick the caller"
    ),
}
