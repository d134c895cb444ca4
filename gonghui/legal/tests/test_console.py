"""The officers' console pages: the consultation queue and figures, logging and answering, the
aid list with its tabs, the aid page with eligibility and steps, lawyers; the worker's mobile
number shown only to handlers; bad input answered on the page with nothing written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.legal.models import AidStatus, ConsultationStatus, Lawyer, LegalAid, LegalConsultation
from gonghui.legal.tests.factories import make_aid, make_consultation, make_lawyer
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db

CONSOLE = "/console/legal"


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def handler_client(tree: Tree) -> Client:
    return _client(officer_at(tree.east, "east.handler", Role.CASE_HANDLER))


def test_the_queue_marks_overdue_questions_and_counts_by_topic_and_channel(
    tree: Tree, handler_client: Client
) -> None:
    today = timezone.localdate()
    late = make_consultation(tree.acme, answer_due=today - timedelta(days=1))
    waiting = make_consultation(tree.beta, topic="dismissal", channel="walk_in")
    answered = make_consultation(tree.acme, status=ConsultationStatus.ANSWERED)
    page = handler_client.get(f"{CONSOLE}/").content.decode()
    assert 'data-figure="topic-wages">2<' in page
    assert 'data-figure="topic-dismissal">1<' in page
    assert 'data-figure="channel-hotline">2<' in page
    assert 'data-figure="channel-walk_in">1<' in page
    overdue = handler_client.get(f"{CONSOLE}/?queue=overdue").content.decode()
    assert f'data-row-id="{late.pk}"' in overdue
    assert f'data-row-id="{waiting.pk}"' not in overdue
    awaiting = handler_client.get(f"{CONSOLE}/?queue=awaiting").content.decode()
    assert f'data-row-id="{waiting.pk}"' in awaiting
    assert f'data-row-id="{answered.pk}"' not in awaiting


def test_a_bad_filter_is_shown_not_an_error(handler_client: Client) -> None:
    response = handler_client.get(f"{CONSOLE}/?topic=tax&start=yesterday")
    assert response.status_code == 200


def test_the_list_pages_have_bounded_queries(
    tree: Tree, handler_client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(15):
        make_consultation(tree.acme, lawyer=make_lawyer(tree.east))
        make_aid(tree.acme, status=AidStatus.ASSIGNED)
    handler_client.get(f"{CONSOLE}/")  # the first request of a session loads what later ones reuse
    for url in (f"{CONSOLE}/", f"{CONSOLE}/aid/", f"{CONSOLE}/lawyers/"):
        with django_assert_max_num_queries(15):
            assert handler_client.get(url).status_code == 200


def test_logging_and_answering_a_consultation(tree: Tree, handler_client: Client) -> None:
    data = {
        "org": "E-T-A",
        "channel": "hotline",
        "topic": "social_insurance",
        "asked_on": timezone.localdate().isoformat(),
        "asker_name": "王芳",
        "asker_mobile": "13912345678",
        "question": "公司不交社保怎么办？",
    }
    response = handler_client.post(f"{CONSOLE}/consultations/new/", data)
    assert response.status_code == 302
    consultation = LegalConsultation.objects.get()
    page = handler_client.get(f"{CONSOLE}/consultations/{consultation.pk}/").content.decode()
    assert "13912345678" in page
    response = handler_client.post(f"{CONSOLE}/consultations/{consultation.pk}/answer/", {"text": ""})
    assert response.status_code == 422
    response = handler_client.post(
        f"{CONSOLE}/consultations/{consultation.pk}/answer/", {"text": "可向社保部门投诉。"}
    )
    assert response.status_code == 302
    assert LegalConsultation.objects.get().status == ConsultationStatus.ANSWERED


def test_logging_refuses_a_union_outside_the_scope(tree: Tree, handler_client: Client) -> None:
    data = {"org": "W-G", "channel": "hotline", "topic": "wages", "asked_on": "2026-12-01", "question": "？"}
    response = handler_client.post(f"{CONSOLE}/consultations/new/", data)
    assert response.status_code == 422
    assert not LegalConsultation.objects.exists()


def test_an_auditor_reads_with_the_number_masked_and_cannot_answer(tree: Tree) -> None:
    consultation = make_consultation(tree.acme)
    aid = make_aid(tree.acme)
    auditor = _client(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    page = auditor.get(f"{CONSOLE}/consultations/{consultation.pk}/").content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page
    assert 'name="text"' not in page
    aid_page = auditor.get(f"{CONSOLE}/aid/{aid.pk}/").content.decode()
    assert "138****5678" in aid_page
    assert "13812345678" not in aid_page
    response = auditor.post(f"{CONSOLE}/consultations/{consultation.pk}/answer/", {"text": "答复"})
    assert response.status_code == 302
    assert not consultation.messages.exists()


def test_the_aid_list_has_status_tabs_and_marks_overdue_reviews(tree: Tree, handler_client: Client) -> None:
    late = make_aid(tree.acme, review_due=timezone.localdate() - timedelta(days=1))
    approved = make_aid(tree.acme, status=AidStatus.APPROVED)
    page = handler_client.get(f"{CONSOLE}/aid/?status=submitted").content.decode()
    assert f'data-row-id="{late.pk}"' in page
    assert f'data-row-id="{approved.pk}"' not in page
    overdue = handler_client.get(f"{CONSOLE}/aid/?overdue=on").content.decode()
    assert f'data-row-id="{late.pk}"' in overdue
    assert f'data-row-id="{approved.pk}"' not in overdue


def test_the_aid_page_states_eligibility_and_walks_the_workflow(tree: Tree, handler_client: Client) -> None:
    aid = make_aid(tree.acme)
    lawyer = make_lawyer(tree.east)
    page = handler_client.get(f"{CONSOLE}/aid/{aid.pk}/").content.decode()
    assert 'data-eligible="yes"' in page
    assert handler_client.post(f"{CONSOLE}/aid/{aid.pk}/step/", {"action": "review"}).status_code == 302
    assert handler_client.post(f"{CONSOLE}/aid/{aid.pk}/step/", {"action": "approve"}).status_code == 302
    response = handler_client.post(f"{CONSOLE}/aid/{aid.pk}/step/", {"action": "assign", "lawyer": ""})
    assert response.status_code == 422
    response = handler_client.post(f"{CONSOLE}/aid/{aid.pk}/step/", {"action": "assign", "lawyer": lawyer.pk})
    assert response.status_code == 302
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.lawyer_id) == (AidStatus.ASSIGNED, lawyer.pk)
    # A step the status does not allow: the message is shown, nothing changes.
    response = handler_client.post(f"{CONSOLE}/aid/{aid.pk}/step/", {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.ASSIGNED


def test_an_officer_records_an_application_for_a_worker(tree: Tree, handler_client: Client) -> None:
    data = {
        "org": "E-T-A",
        "applicant_name": "赵敏",
        "applicant_mobile": "13911112222",
        "matter_type": "work_injury",
        "description": "工伤未获赔偿",
        "employer_name": "某机械厂",
        "amount_at_stake": "50000",
    }
    response = handler_client.post(f"{CONSOLE}/aid/new/", data)
    assert response.status_code == 302
    aid = LegalAid.objects.get()
    assert (aid.channel, aid.is_eligible) == ("officer", False)
    response = handler_client.post(f"{CONSOLE}/aid/new/", {**data, "member_id_number": "123"})
    assert response.status_code == 422
    assert LegalAid.objects.count() == 1


def test_registering_a_lawyer_with_a_sign_in(tree: Tree, handler_client: Client) -> None:
    data = {
        "org": "E",
        "name": "陈律师",
        "law_firm": "明正律师事务所",
        "licence_number": "13302201010000009",
        "practice_areas": "劳动争议",
    }
    assert handler_client.post(f"{CONSOLE}/lawyers/new/", {**data, "licence_number": "12"}).status_code == 422
    assert handler_client.post(f"{CONSOLE}/lawyers/new/", data).status_code == 302
    lawyer = Lawyer.objects.get()
    account = {"username": "chen.lawyer", "password": "Quiet-harbour-2026"}
    assert handler_client.post(f"{CONSOLE}/lawyers/{lawyer.pk}/account/", account).status_code == 302
    assert Lawyer.objects.get().user is not None
    assert handler_client.post(f"{CONSOLE}/lawyers/{lawyer.pk}/deactivate/").status_code == 302
    assert not Lawyer.objects.get().is_active
