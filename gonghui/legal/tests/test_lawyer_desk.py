"""A volunteer lawyer's sign-in sees the consultations and aid cases assigned to them on their
desk, and nothing else anywhere: every registered console page and API operation of every app
treats the lawyer like an officer of another district."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.legal.models import AidStatus, ConsultationMessage, LegalAid, LegalAidDocument
from gonghui.legal.tests.endpoints.common import PDF, pdf_upload
from gonghui.legal.tests.factories import make_aid, make_consultation, make_lawyer
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at
from gonghui.orgs.tests.scoping import (
    ScopedEndpoint,
    _listed,
    _request,
    _state,
    build_world,
    grant_officers,
    registered_endpoints,
)

pytestmark = pytest.mark.django_db

DESK = "/console/legal/desk"
ALL_ENDPOINTS = registered_endpoints()


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def desk(tree: Tree) -> dict[str, Any]:
    lawyer = make_lawyer(tree.east)
    other = make_lawyer(tree.east)
    return {
        "lawyer": lawyer,
        "mine": make_aid(tree.acme, status=AidStatus.ASSIGNED, lawyer=lawyer),
        "theirs": make_aid(tree.acme, status=AidStatus.ASSIGNED, lawyer=other),
        "unassigned": make_aid(tree.acme, status=AidStatus.APPROVED),
        "question": make_consultation(tree.acme, lawyer=lawyer),
        "other_question": make_consultation(tree.acme, lawyer=other),
        "client": _client(lawyer.user),
    }


def test_the_desk_lists_only_my_cases(desk: dict[str, Any]) -> None:
    page = desk["client"].get(f"{DESK}/").content.decode()
    assert f'data-row-id="{desk["mine"].pk}"' in page
    assert f'data-consultation-id="{desk["question"].pk}"' in page
    for key in ("theirs", "unassigned"):
        assert f'data-row-id="{desk[key].pk}"' not in page
    assert f'data-consultation-id="{desk["other_question"].pk}"' not in page


def test_my_case_shows_the_applicants_number_and_takes_my_steps(desk: dict[str, Any]) -> None:
    client, aid = desk["client"], desk["mine"]
    page = client.get(f"{DESK}/aid/{aid.pk}/").content.decode()
    assert "13812345678" in page
    assert client.post(f"{DESK}/aid/{aid.pk}/", {"action": "start"}).status_code == 302
    response = client.post(
        f"{DESK}/aid/{aid.pk}/",
        {"action": "conclude", "outcome": "won", "amount_recovered": "abc", "summary": "胜诉"},
    )
    assert response.status_code == 422
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.IN_PROGRESS
    response = client.post(
        f"{DESK}/aid/{aid.pk}/",
        {"action": "conclude", "outcome": "won", "amount_recovered": "12000", "summary": "胜诉"},
    )
    assert response.status_code == 302
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.CONCLUDED


def test_a_handlers_step_is_refused_on_the_desk(desk: dict[str, Any]) -> None:
    response = desk["client"].post(f"{DESK}/aid/{desk['mine'].pk}/", {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert LegalAid.objects.get(pk=desk["mine"].pk).status == AidStatus.ASSIGNED


def test_messages_and_documents_on_my_case(desk: dict[str, Any]) -> None:
    client, aid = desk["client"], desk["mine"]
    assert (
        client.post(f"{DESK}/aid/{aid.pk}/", {"form": "message", "text": "请提供工资条"}).status_code == 302
    )
    assert aid.messages.get().author == "lawyer"
    response = client.post(f"{DESK}/aid/{aid.pk}/", {"form": "documents", "documents": pdf_upload()})
    assert response.status_code == 302
    document = LegalAidDocument.objects.get(aid=aid)
    download = client.get(f"{DESK}/aid/{aid.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_other_cases_are_missing_on_the_desk(desk: dict[str, Any]) -> None:
    client = desk["client"]
    for key in ("theirs", "unassigned"):
        assert client.get(f"{DESK}/aid/{desk[key].pk}/").status_code == 404
        assert client.post(f"{DESK}/aid/{desk[key].pk}/", {"action": "start"}).status_code == 404
    assert client.get(f"{DESK}/consultations/{desk['other_question'].pk}/").status_code == 404
    response = client.post(f"{DESK}/consultations/{desk['other_question'].pk}/", {"text": "答"})
    assert response.status_code == 404
    assert not ConsultationMessage.objects.exists()


def test_answering_my_consultation(desk: dict[str, Any]) -> None:
    client, question = desk["client"], desk["question"]
    assert client.post(f"{DESK}/consultations/{question.pk}/", {"text": ""}).status_code == 422
    assert client.post(f"{DESK}/consultations/{question.pk}/", {"text": "可以申请仲裁"}).status_code == 302
    message = ConsultationMessage.objects.get(consultation=question)
    assert (message.author, message.lawyer_id) == ("lawyer", desk["lawyer"].pk)


@pytest.mark.parametrize("role", [Role.FEDERATION_ADMIN, Role.CASE_HANDLER])
def test_officers_have_no_desk(tree: Tree, desk: dict[str, Any], role: str) -> None:
    client = _client(officer_at(tree.east, f"east.{role}", role))
    assert client.get(f"{DESK}/").status_code == 404
    assert client.get(f"{DESK}/aid/{desk['mine'].pk}/").status_code == 404


def test_a_switched_off_lawyer_loses_the_desk(desk: dict[str, Any]) -> None:
    lawyer = desk["lawyer"]
    lawyer.is_active = False
    lawyer.save()
    assert desk["client"].get(f"{DESK}/").status_code == 404


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=[endpoint.id for endpoint in ALL_ENDPOINTS])
def test_a_lawyer_reaches_nothing_through_the_scoped_endpoints(endpoint: ScopedEndpoint) -> None:
    """Every registered endpoint of every app, called by a lawyer to whom a case of the very
    union the object belongs to is assigned: refused like a missing object, nothing changed."""
    world = build_world()
    grant_officers(world, endpoint.role)
    lawyer = make_lawyer(world.own)
    make_aid(world.own, status=AidStatus.ASSIGNED, lawyer=lawyer)
    obj = endpoint.make(world.own)
    url = endpoint.url(world.own if endpoint.action == "create" else obj)
    data = endpoint.data(world, obj) if endpoint.data else None
    before = _state(obj)
    count = endpoint.model._default_manager.count() if endpoint.model else None
    response = _request(endpoint, _client(lawyer.user), url, data)
    where = f"{endpoint.id}: HTTP {response.status_code}"
    if endpoint.action == "list":
        # 302: a page with nothing in the caller's scope sends them elsewhere (the member export).
        assert response.status_code in {200, 302, 403, 404}, where
        if response.status_code == 200:
            assert not _listed(endpoint, response, obj), f"{where}: the lawyer sees the object"
    else:
        refused = {403, 404, 422} if endpoint.action == "create" else {403, 404}
        assert response.status_code in refused, where
    if endpoint.action in {"update", "delete", "create"}:
        assert _state(obj) == before, f"{where}: the object changed"
    if count is not None and endpoint.model is not None:
        assert endpoint.model._default_manager.count() == count, f"{where}: a row was created"
