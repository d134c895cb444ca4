"""The console pages: the list (filters, alerts, query count), one dispute (contacts masked for
viewers), intake, the settlement PDF, documents, centres and the mediator's desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import CollectiveAlert, Dispute, DisputeStatus, Mediator
from gonghui.rights.tests.factories import make_centre, make_dispute, make_mediator

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_client(tree, client: Client) -> Client:
    sign_in_verified(client, officer_at(tree.east, "east.handler", Role.CASE_HANDLER))
    return client


def test_the_list_filters_and_keeps_its_query_count_flat(tree, handler_client):
    for _ in range(3):
        make_dispute(tree.acme, mediator=make_mediator(make_centre(tree.acme)))
    collective = make_dispute(tree.beta, parties=10, status=DisputeStatus.ACCEPTED)
    with CaptureQueriesContext(connection) as few:
        handler_client.get("/console/rights/")
    for _ in range(10):
        make_dispute(tree.acme, mediator=make_mediator(make_centre(tree.acme)))
    with CaptureQueriesContext(connection) as many:
        page = handler_client.get("/console/rights/").content.decode()
    assert len(many) == len(few)
    assert page.count("data-row-id=") == 14
    filtered = handler_client.get(
        "/console/rights/", {"collective": "on", "status": "accepted"}
    ).content.decode()
    assert filtered.count("data-row-id=") == 1
    assert f'data-row-id="{collective.pk}"' in filtered
    bad = handler_client.get("/console/rights/", {"status": "nonsense"})
    assert bad.status_code == 200
    assert bad.content.decode().count("data-row-id=") == 14


def test_officers_of_the_superior_org_see_and_acknowledge_the_collective_alert(tree, client):
    dispute = make_dispute(tree.acme, parties=10)
    alert = CollectiveAlert.objects.create(dispute=dispute, org=tree.town)
    sign_in_verified(client, officer_at(tree.town, "town.admin"))
    assert f'data-alert-id="{alert.pk}"' in client.get("/console/rights/").content.decode()
    assert client.post(f"/console/rights/alerts/{alert.pk}/acknowledge/").status_code == 302
    assert CollectiveAlert.objects.get(pk=alert.pk).acknowledged_at is not None
    assert f'data-alert-id="{alert.pk}"' not in client.get("/console/rights/").content.decode()


def test_contact_details_are_shown_to_handlers_and_masked_for_auditors(tree, handler_client, client):
    dispute = make_dispute(tree.acme, mobile="13912345678")
    party = dispute.parties.get()
    page = handler_client.get(f"/console/rights/{dispute.pk}/").content.decode()
    assert "13912345678" in page
    assert party.id_number in page
    auditor = Client()
    sign_in_verified(auditor, officer_at(tree.city, "city.auditor", Role.AUDITOR))
    masked = auditor.get(f"/console/rights/{dispute.pk}/").content.decode()
    assert "13912345678" not in masked
    assert party.id_number not in masked
    assert party.masked_mobile in masked
    assert 'id="accept-form"' not in masked  # viewers take no steps


def test_the_intake_form_shows_every_problem_and_writes_nothing(tree, handler_client):
    response = handler_client.post(
        "/console/rights/new/",
        {
            "org": "NOPE",
            "channel": "walk_in",
            "received_on": timezone.localdate().isoformat(),
            "summary": "欠薪",
            "workers_count": 1,
            "parties-TOTAL_FORMS": 1,
            "parties-INITIAL_FORMS": 0,
            "parties-0-name": "王小明",
            "claims-TOTAL_FORMS": 1,
            "claims-INITIAL_FORMS": 0,
            "claims-0-type": "wage_arrears",
            "claims-0-amount_claimed": "8600",
        },
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_handler_settles_and_downloads_the_agreement(tree, handler_client):
    dispute = make_dispute(
        tree.acme, status=DisputeStatus.IN_MEDIATION, received_on=timezone.localdate() - timedelta(days=1)
    )
    claim = dispute.claims.get()
    response = handler_client.post(
        f"/console/rights/{dispute.pk}/act/settle/",
        {
            "settle-terms": "用人单位于十日内支付工资8000元。",
            "settle-signed_on": timezone.localdate().isoformat(),
            f"settle-agreed_{claim.pk}": "8000",
        },
    )
    assert response.status_code == 302
    pdf = handler_client.get(f"/console/rights/{dispute.pk}/settlement.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    refused = handler_client.post(f"/console/rights/{dispute.pk}/act/settle/", {"settle-terms": "x"})
    assert refused.status_code == 422  # no longer in mediation: the page shows why


def test_the_mediator_sees_only_their_own_disputes(tree, client):
    mediator = make_mediator(make_centre(tree.acme))
    mine = make_dispute(tree.acme, mediator=mediator, status=DisputeStatus.ACCEPTED)
    other = make_dispute(tree.acme, status=DisputeStatus.ACCEPTED)
    assert mediator.user is not None
    sign_in_verified(client, mediator.user)
    desk = client.get("/console/rights/desk/").content.decode()
    assert f'data-row-id="{mine.pk}"' in desk
    assert f'data-row-id="{other.pk}"' not in desk
    assert client.get(f"/console/rights/{mine.pk}/").status_code == 200
    assert client.get(f"/console/rights/{other.pk}/").status_code == 404
    assert client.get("/console/rights/").status_code == 404
    assert client.get("/console/rights/centres/").status_code == 404
    assert client.post(f"/console/rights/{mine.pk}/act/start_mediation/").status_code == 302
    assert Dispute.objects.get(pk=mine.pk).status == DisputeStatus.IN_MEDIATION
    assert client.get(f"/api/v1/rights/disputes/{other.pk}").status_code == 404
    assert [row["id"] for row in client.get("/api/v1/rights/disputes/desk").json()] == [mine.pk]


def test_a_desk_is_for_mediators_only(tree, handler_client):
    assert handler_client.get("/console/rights/desk/").status_code == 404


def test_a_mediator_with_a_sign_in_is_created_from_the_centre_page(tree, handler_client):
    centre = make_centre(tree.acme)
    response = handler_client.post(
        f"/console/rights/centres/{centre.pk}/mediators/",
        {"name": "陈调解", "username": "chen.mediator", "password": "Quiet-harbour-2026"},
    )
    assert response.status_code == 302
    mediator = Mediator.objects.get(centre=centre)
    assert mediator.user is not None
    assert mediator.user.username == "chen.mediator"
    taken = handler_client.post(
        f"/console/rights/centres/{centre.pk}/mediators/",
        {"name": "李调解", "username": "chen.mediator", "password": "Quiet-harbour-2026"},
    )
    assert taken.status_code == 422
