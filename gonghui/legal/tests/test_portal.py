"""Portal pages for any signed-in worker: asking a question and reading the answer, applying for
legal aid and following it, rating a concluded case; another worker's cases are missing; the
"I need help" hub's case list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import make_member
from gonghui.legal.models import AidStatus, ConsultationStatus, LegalAid, LegalConsultation
from gonghui.legal.portal_cases import portal_cases
from gonghui.legal.services import consultations as services
from gonghui.legal.tests.endpoints.common import pdf_upload
from gonghui.legal.tests.factories import make_aid, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_worker_asks_and_reads_the_answer(tree: Tree) -> None:
    user = make_member("13700005555")
    client = _client(user)
    assert client.get("/legal/ask/").status_code == 200
    assert client.post("/legal/ask/", {"topic": "wages", "question": ""}).status_code == 422
    response = client.post("/legal/ask/", {"topic": "wages", "question": "公司拖欠工资两个月"})
    assert response.status_code == 302
    consultation = LegalConsultation.objects.get()
    assert response["Location"] == f"/legal/questions/{consultation.pk}/"
    services.answer_consultation(
        consultation.pk,
        actor=officer_at(tree.city, "city.handler", Role.CASE_HANDLER),
        text="可以申请劳动仲裁。",
    )
    page = client.get(f"/legal/questions/{consultation.pk}/").content.decode()
    assert "可以申请劳动仲裁。" in page
    assert client.post(f"/legal/questions/{consultation.pk}/", {"text": "需要什么材料？"}).status_code == 302
    assert LegalConsultation.objects.get().status == ConsultationStatus.AWAITING


def test_another_workers_question_is_missing(tree: Tree) -> None:
    owner = make_member("13700005556")
    consultation = services.ask_online(actor=owner, topic="other", question="问题")
    stranger = _client(make_member("13700005557"))
    assert stranger.get(f"/legal/questions/{consultation.pk}/").status_code == 404
    assert stranger.post(f"/legal/questions/{consultation.pk}/", {"text": "？"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/legal/ask/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_applies_for_legal_aid_with_a_document(tree: Tree) -> None:
    _, user = make_member_with_account(tree.acme)
    client = _client(user)
    assert client.get("/legal/aid/apply/").status_code == 200
    data = {
        "matter_type": "wages",
        "description": "拖欠工资",
        "employer_name": "某公司",
        "amount_at_stake": "9000",
        "applicant_mobile": user.mobile,
        "documents": pdf_upload(),
    }
    response = client.post("/legal/aid/apply/", data)
    assert response.status_code == 302
    aid = LegalAid.objects.get()
    assert (aid.is_eligible, aid.documents.count(), aid.org_id) == (True, 1, tree.acme.pk)
    page = client.get(f"/legal/aid/{aid.pk}/").content.decode()
    assert 'data-status="submitted"' in page


def test_a_bad_application_is_shown_with_its_errors(tree: Tree) -> None:
    client = _client(make_member("13700005558"))
    response = client.post(
        "/legal/aid/apply/", {"matter_type": "wages", "description": "x", "employer_name": ""}
    )
    assert response.status_code == 422
    assert not LegalAid.objects.exists()


def test_the_applicant_writes_and_rates(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    aid = make_aid(tree.acme, status=AidStatus.CONCLUDED, applicant=user, member=member)
    client = _client(user)
    assert client.post(f"/legal/aid/{aid.pk}/", {"form": "message", "text": "谢谢律师"}).status_code == 302
    assert client.post(f"/legal/aid/{aid.pk}/", {"form": "rating", "rating": "9"}).status_code == 422
    assert client.post(f"/legal/aid/{aid.pk}/", {"form": "rating", "rating": "4"}).status_code == 302
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.rating) == (AidStatus.CLOSED, 4)
    assert client.post(f"/legal/aid/{aid.pk}/", {"form": "message", "text": "再问一下"}).status_code == 422


def test_another_workers_application_is_missing(tree: Tree) -> None:
    _, owner = make_member_with_account(tree.acme)
    aid = make_aid(tree.acme, applicant=owner)
    stranger = _client(make_member("13700005559"))
    assert stranger.get(f"/legal/aid/{aid.pk}/").status_code == 404


def test_portal_cases_lists_my_questions_and_applications_newest_first(tree: Tree) -> None:
    _, user = make_member_with_account(tree.acme)
    consultation = services.ask_online(actor=user, topic="wages", question="第一行\n第二行")
    aid = make_aid(tree.acme, status=AidStatus.CONCLUDED, applicant=user)
    make_aid(tree.acme, applicant=make_member("13700005560"))
    cases = portal_cases(user)
    assert [case.url for case in cases] == [f"/legal/aid/{aid.pk}/", f"/legal/questions/{consultation.pk}/"]
    assert cases[0].needs_reply is True
    assert cases[1].title == "第一行"
    page = _client(user).get("/legal/").content.decode()
    assert f'data-aid-id="{aid.pk}"' in page
