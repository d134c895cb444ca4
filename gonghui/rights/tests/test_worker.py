"""The worker's side: messages with the handlers, documents, the rating, and the portal pages
(report online on a phone, follow the case, rate it)."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_workplace, officer_at
from gonghui.portal.cases import PortalCase
from gonghui.rights.models import Dispute, DisputeStatus, MessageAuthor
from gonghui.rights.portal_cases import portal_cases
from gonghui.rights.services import disputes as services
from gonghui.rights.tests.factories import make_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    return make_member("13800001234", display_name="王小明")


def test_messages_go_both_ways_and_only_to_the_own_dispute(tree, worker, english):
    dispute = make_dispute(tree.acme, reporter=worker)
    handler = officer_at(tree.east, "east.handler", Role.CASE_HANDLER)
    services.post_message(dispute.pk, actor=handler, text="请带上工资条")
    services.post_worker_message(dispute.pk, actor=worker, text="好的")
    assert [m.author_kind for m in dispute.messages.order_by("id")] == [
        MessageAuthor.HANDLER,
        MessageAuthor.WORKER,
    ]
    with pytest.raises(ValidationFailed):
        services.post_worker_message(dispute.pk, actor=worker, text="  ")
    other = make_dispute(tree.acme)
    with pytest.raises(NotFound):
        services.post_worker_message(other.pk, actor=worker, text="你好")


def test_the_worker_rates_once_when_the_dispute_has_ended(tree, worker, english):
    dispute = make_dispute(tree.acme, reporter=worker)
    with pytest.raises(Conflict):
        services.rate_dispute(dispute.pk, actor=worker, rating=5)
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.SETTLED)
    with pytest.raises(ValidationFailed):
        services.rate_dispute(dispute.pk, actor=worker, rating=6)
    assert services.rate_dispute(dispute.pk, actor=worker, rating=4, comment="调解员很耐心").rating == 4
    with pytest.raises(Conflict):
        services.rate_dispute(dispute.pk, actor=worker, rating=5)


def test_portal_cases_lists_my_disputes_and_what_waits_for_me(tree, worker):
    mine = make_dispute(tree.acme, reporter=worker, status=DisputeStatus.SETTLED)
    make_dispute(tree.acme)
    cases = portal_cases(worker)
    assert len(cases) == 1
    assert isinstance(cases[0], PortalCase)
    assert cases[0].url == f"/help/disputes/{mine.pk}/"
    assert cases[0].needs_reply  # waiting for the rating


def test_a_worker_reports_online_follows_and_rates(tree, worker, client: Client):
    place = make_workplace(tree.town, tree.acme, name="示范精工机械有限公司")
    sign_in_verified(client, worker)
    assert client.get("/help/disputes/new/").status_code == 200
    found = client.get("/help/disputes/workplaces/", {"employer_search": "精工"}).content.decode()
    assert f'value="{place.pk}"' in found
    response = client.post(
        "/help/disputes/new/",
        {
            "name": "王小明",
            "employer_search": "示范精工",
            "workplace": place.pk,
            "summary": "三月、四月工资未发",
            "workers_count": 1,
            "claims-TOTAL_FORMS": 2,
            "claims-INITIAL_FORMS": 0,
            "claims-0-type": "wage_arrears",
            "claims-0-amount_claimed": "8600",
            "photos": [_upload("工资条.pdf", b"%PDF-1.4\n%wages\n")],
        },
    )
    assert response.status_code == 302, response.content.decode()
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/help/disputes/{dispute.pk}/"
    assert (dispute.org, dispute.workplace, dispute.reporter) == (tree.acme, place, worker)
    page = client.get(response["Location"]).content.decode()
    assert dispute.number in page
    assert "工资条.pdf" in page
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.SETTLED)
    assert client.post(f"/help/disputes/{dispute.pk}/rating/", {"rating-rating": "5"}).status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).rating == 5


def test_a_bad_report_shows_the_errors_and_writes_nothing(tree, worker, client: Client):
    sign_in_verified(client, worker)
    response = client.post(
        "/help/disputes/new/",
        {
            "name": "王小明",
            "employer_search": "某公司",
            "summary": "欠薪",
            "workers_count": 1,
            "claims-TOTAL_FORMS": 1,
            "claims-INITIAL_FORMS": 0,
            "claims-0-type": "wage_arrears",
            "claims-0-amount_claimed": "-5",
        },
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not Dispute.objects.exists()


def test_another_workers_dispute_and_the_console_are_closed_to_a_worker(tree, worker, client: Client):
    other = make_dispute(tree.acme, reporter=make_member("13800005678"))
    sign_in_verified(client, worker)
    assert client.get(f"/help/disputes/{other.pk}/").status_code == 404
    assert client.get(f"/help/disputes/{other.pk}/settlement.pdf").status_code == 404
    assert client.get(f"/console/rights/{other.pk}/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client):
    response = client.get("/help/disputes/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")
