"""Handing disputes over to another mediator: one dispute with a reason (console, API, the new
mediator's desk), and switching off a mediator who still has disputes in hand."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import DisputeAction, DisputeHistory, DisputeStatus, Mediator
from gonghui.rights.services import centres as centre_services
from gonghui.rights.tests.factories import make_centre, make_dispute, make_mediator

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree):
    return officer_at(tree.east, "east.handler", Role.CASE_HANDLER)


def test_a_dispute_is_handed_over_with_its_reason_and_shows_on_the_new_desk(tree, handler, client):
    leaving = make_mediator(make_centre(tree.acme))
    taking = make_mediator(make_centre(tree.beta))
    dispute = make_dispute(tree.acme, status=DisputeStatus.IN_MEDIATION, mediator=leaving)
    sign_in_verified(client, handler)
    response = client.post(
        f"/console/rights/{dispute.pk}/act/reassign/",
        {"reassign-mediator": taking.pk, "reassign-reason": "原调解员调离"},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.mediator, dispute.centre, dispute.status) == (taking, taking.centre, "in_mediation")
    entry = DisputeHistory.objects.get(dispute=dispute, action=DisputeAction.REASSIGN)
    assert (entry.from_status, entry.to_status, entry.comment) == (
        "in_mediation",
        "in_mediation",
        "原调解员调离",
    )
    assert AuditEvent.objects.filter(action="rights.reassign_dispute").count() == 1

    desk = Client()
    sign_in_verified(desk, User.objects.get(mediator=taking))
    page = desk.get("/console/rights/desk/").content.decode()
    assert f'data-handed-over="{dispute.pk}"' in page
    assert "原调解员调离" in page


def test_a_hand_over_without_a_reason_or_to_a_mediator_out_of_scope_changes_nothing(tree, handler, client):
    mediator = make_mediator(make_centre(tree.acme))
    west = make_mediator(make_centre(tree.gamma))
    dispute = make_dispute(tree.acme, status=DisputeStatus.ACCEPTED, mediator=mediator)
    sign_in_verified(client, handler)
    response = client.post(
        f"/api/v1/rights/disputes/{dispute.pk}/reassign",
        data=json.dumps({"mediator_id": west.pk, "reason": " "}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["fields"]) == {"mediator", "reason"}
    settled = make_dispute(tree.acme, status=DisputeStatus.SETTLED, mediator=mediator)
    refused = client.post(
        f"/api/v1/rights/disputes/{settled.pk}/reassign",
        data=json.dumps({"mediator_id": make_mediator(mediator.centre).pk, "reason": "调离"}),
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "not_open")
    assert not DisputeHistory.objects.filter(action=DisputeAction.REASSIGN).exists()
    dispute.refresh_from_db()
    assert dispute.mediator == mediator


def test_switching_off_a_mediator_with_disputes_in_hand_needs_a_successor(tree, handler, client):
    centre = make_centre(tree.acme)
    leaving, taking = make_mediator(centre), make_mediator(centre)
    in_hand = [
        make_dispute(tree.acme, status=status, mediator=leaving)
        for status in (DisputeStatus.ACCEPTED, DisputeStatus.IN_MEDIATION)
    ]
    done = make_dispute(tree.acme, status=DisputeStatus.SETTLED, mediator=leaving)
    sign_in_verified(client, handler)
    url = f"/console/rights/mediators/{leaving.pk}/deactivate/"

    refused = client.post(url, {})
    assert refused.status_code == 422
    assert "该调解员还有 2 件办理中的争议" in refused.content.decode()
    assert Mediator.objects.get(pk=leaving.pk).active

    assert client.post(url, {f"mediator-{leaving.pk}-successor": taking.pk}).status_code == 302
    leaving.refresh_from_db()
    assert (leaving.active, User.objects.get(mediator=leaving).is_active) == (False, False)
    for dispute in in_hand:
        dispute.refresh_from_db()
        assert dispute.mediator == taking
        assert DisputeHistory.objects.filter(dispute=dispute, action=DisputeAction.REASSIGN).count() == 1
    done.refresh_from_db()
    assert done.mediator == leaving


def test_the_api_switches_off_with_a_successor_or_refuses_in_chinese(tree, handler, client):
    centre = make_centre(tree.acme)
    leaving, taking = make_mediator(centre), make_mediator(centre)
    dispute = make_dispute(tree.acme, status=DisputeStatus.RECEIVED, mediator=leaving)
    sign_in_verified(client, handler)
    url = f"/api/v1/rights/centres/{centre.pk}/mediators/{leaving.pk}/deactivate"
    refused = client.post(url, data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 422
    assert (refused.json()["code"], "successor" in refused.json()["fields"]) == ("disputes_in_hand", True)
    assert refused.json()["message"] == "该调解员还有 1 件办理中的争议，请指定接手的调解员后再停用。"
    itself = client.post(url, data=json.dumps({"successor_id": leaving.pk}), content_type="application/json")
    assert itself.status_code == 422
    ok = client.post(url, data=json.dumps({"successor_id": taking.pk}), content_type="application/json")
    assert ok.status_code == 200
    assert [row["active"] for row in ok.json()["mediators"] if row["id"] == leaving.pk] == [False]
    dispute.refresh_from_db()
    assert dispute.mediator == taking
    wrong_centre = make_centre(tree.acme)
    assert (
        client.post(
            f"/api/v1/rights/centres/{wrong_centre.pk}/mediators/{taking.pk}/deactivate",
            data="{}",
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_api_switches_off_a_mediator_without_disputes_in_hand_with_no_body(tree, handler, client):
    centre = make_centre(tree.acme)
    mediator = make_mediator(centre)
    sign_in_verified(client, handler)
    response = client.generic(
        "POST", f"/api/v1/rights/centres/{centre.pk}/mediators/{mediator.pk}/deactivate"
    )
    assert response.status_code == 200
    assert [row["active"] for row in response.json()["mediators"] if row["id"] == mediator.pk] == [False]


def test_a_mediator_without_disputes_in_hand_is_switched_off_directly(tree, handler):
    mediator = make_mediator(make_centre(tree.acme))
    make_dispute(tree.acme, status=DisputeStatus.CLOSED, mediator=mediator)
    assert centre_services.deactivate_mediator(mediator.pk, actor=handler) is True
    assert centre_services.deactivate_mediator(mediator.pk, actor=handler) is False
