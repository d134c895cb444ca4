"""The hardship file and threshold API: officers' operations, the member's own files, document
uploads for every kind of visitor, and bad input answered with `{code, message, fields}`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gonghui.assistance.models import HardshipDocument, HardshipFile, IncomeThreshold
from gonghui.assistance.tests.factories_files import (
    PDF,
    household_id,
    make_file,
    make_member_with_account,
)
from gonghui.core.idnumbers import mask_id_number
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at, send_json

pytestmark = pytest.mark.django_db

FILES = "/api/v1/assistance/files"
ME = "/api/v1/assistance/me/files"


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tree() -> Any:
    return make_tree()


def _household(member: Any, **spouse: Any) -> list[dict[str, Any]]:
    return [
        {
            "relation": "self",
            "name": member.name,
            "id_number": member.id_number,
            "occupation": "employed",
            "monthly_income": "1800.00",
        },
        {
            "relation": "spouse",
            "name": "李秀英",
            "id_number": household_id(),
            "occupation": "unable",
            "monthly_income": "0",
            **spouse,
        },
    ]


def _body(member: Any, **fields: Any) -> dict[str, Any]:
    return {
        "household": _household(member),
        "other_monthly_income": "200.00",
        "causes": ["illness"],
        "situation": "妻子患尿毒症长期透析。",
        **fields,
    }


def test_a_member_applies_and_reads_their_own_files(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    client = client_for(user)

    response = send_json(client, "post", ME, _body(member))

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["per_capita_income"] == "1000.00"
    assert created["household"][0]["id_number"] == mask_id_number(member.id_number)
    assert member.id_number not in response.content.decode()
    assert created["allowed_actions"] == []
    listed = client.get(ME).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert client.get(f"{ME}/{created['id']}").status_code == 200

    _other, other_user = make_member_with_account(tree.beta)
    assert client_for(other_user).get(f"{ME}/{created['id']}").status_code == 404
    assert client_for(other_user).get(ME).json() == {"items": []}


def test_the_member_api_refuses_bad_input_with_field_paths(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    client = client_for(user)
    response = send_json(
        client,
        "post",
        ME,
        _body(
            member,
            household=_household(member, id_number="330205198501011234", monthly_income="-1"),
            causes=[],
        ),
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "causes" in fields
    assert "household.1.monthly_income" in fields
    assert not HardshipFile.objects.exists()

    response = send_json(
        client, "post", ME, _body(member, household=_household(member, id_number="330205198501011234"))
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["household.1.id_number"]


def test_a_second_file_for_the_family_is_a_conflict(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    client = client_for(user)
    assert send_json(client, "post", ME, _body(member)).status_code == 201
    response = send_json(client, "post", ME, _body(member))
    assert response.status_code == 409
    assert response.json()["code"] == "already_on_file"
    assert HardshipFile.objects.count() == 1


def test_an_officer_creates_decides_and_reads_files(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    client = client_for(officer_at(tree.east, "east.admin"))

    response = send_json(client, "post", FILES, {"member": member.pk, **_body(member)})
    assert response.status_code == 201, response.content
    file_id = response.json()["id"]
    assert response.json()["allowed_actions"] == ["approve", "reject"]

    listed = client.get(FILES, {"status": "applied"}).json()
    assert [item["id"] for item in listed["items"]] == [file_id]
    assert listed["items"][0]["member_name"] == member.name

    approved = send_json(
        client, "post", f"{FILES}/{file_id}/approve", {"grade": "severe", "opinion": "属实"}
    ).json()
    assert approved["status"] == "on_file"
    assert approved["allowed_actions"] == ["recheck", "exit"]
    again = send_json(client, "post", f"{FILES}/{file_id}/approve", {"grade": "severe"})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"

    rechecked = send_json(
        client,
        "post",
        f"{FILES}/{file_id}/recheck",
        {"result": "regrade", "grade": "relative", "per_capita_income": "1100.50", "opinion": "病情稳定"},
    ).json()
    assert rechecked["grade"] == "relative"
    assert rechecked["per_capita_income"] == "1100.50"
    assert rechecked["rechecks"][0]["grade_before"] == "severe"

    exited = send_json(client, "post", f"{FILES}/{file_id}/exit", {"reason": "已再就业"}).json()
    assert exited["status"] == "exited"
    assert [entry["action"] for entry in exited["history"]] == ["apply", "approve", "recheck", "exit"]
    assert client.get(FILES, {"recheck_due_by": "2100-01-01"}).json()["count"] == 0


def test_decisions_refuse_bad_input(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    client = client_for(officer_at(tree.east, "east.admin"))
    response = send_json(client, "post", f"{FILES}/{hardship_file.pk}/approve", {"grade": "extreme"})
    assert response.status_code == 422
    assert "grade" in response.json()["fields"]
    response = send_json(client, "post", f"{FILES}/{hardship_file.pk}/reject", {"opinion": "   "})
    assert response.status_code == 422
    assert response.json()["fields"] == {"opinion": [response.json()["fields"]["opinion"][0]]}
    assert (
        send_json(
            client, "post", f"{FILES}/{hardship_file.pk}/reject", {"opinion": "x", "extra": 1}
        ).status_code
        == 422
    )
    assert client.get(f"{FILES}/99999999999999999999").status_code in {404, 422}
    assert HardshipFile.objects.get(pk=hardship_file.pk).status == "applied"


def test_a_viewer_reads_masked_lists_and_may_not_decide(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme, name="赵建国")
    hardship_file = make_file(member)
    client = client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER))
    assert client.get(FILES).json()["items"][0]["member_name"] == "赵**"
    assert client.get(f"{FILES}/{hardship_file.pk}").json()["allowed_actions"] == []
    response = send_json(client, "post", f"{FILES}/{hardship_file.pk}/approve", {"grade": "severe"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("member", 404),
        ("sibling", 404),
        ("viewer", 403),
        ("parent", 201),
        ("own", 201),
        ("owner", 201),
    ],
)
def test_document_upload_through_the_api_for_each_visitor(tree: Any, who: str, expected: int) -> None:
    member, user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    clients = {
        "anonymous": Client(),
        "member": client_for(make_member_with_account(tree.beta)[1]),
        "sibling": client_for(officer_at(tree.west, "west.admin")),
        "viewer": client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER)),
        "parent": client_for(officer_at(tree.east, "east.admin")),
        "own": client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)),
    }
    if who == "owner":
        response = client_for(user).post(
            f"{ME}/{hardship_file.pk}/documents", {"file": SimpleUploadedFile("证明.pdf", PDF)}
        )
    else:
        response = clients[who].post(
            f"{FILES}/{hardship_file.pk}/documents", {"file": SimpleUploadedFile("证明.pdf", PDF)}
        )
    assert response.status_code == expected, response.content
    assert HardshipDocument.objects.count() == (1 if expected == 201 else 0)


def test_a_member_cannot_upload_to_someone_elses_file(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    _other, other_user = make_member_with_account(tree.beta)
    response = client_for(other_user).post(
        f"{ME}/{hardship_file.pk}/documents", {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 404
    assert not HardshipDocument.objects.exists()


def test_an_upload_that_is_not_a_document_is_refused(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    response = client_for(user).post(
        f"{ME}/{hardship_file.pk}/documents", {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["file"]
    assert client_for(user).post(f"{ME}/{hardship_file.pk}/documents", {}).status_code == 422


def test_documents_are_downloaded_by_handlers(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    uploaded = client_for(user).post(
        f"{ME}/{hardship_file.pk}/documents", {"file": SimpleUploadedFile("证明.pdf", PDF)}
    )
    document_id = uploaded.json()["id"]
    response = client_for(officer_at(tree.east, "east.admin")).get(
        f"{FILES}/{hardship_file.pk}/documents/{document_id}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    viewer = client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER))
    assert viewer.get(f"{FILES}/{hardship_file.pk}/documents/{document_id}").status_code == 404


def test_thresholds_are_set_changed_and_locked(tree: Any) -> None:
    year = timezone.localdate().year
    client = client_for(officer_at(tree.east, "east.admin"))
    body = {"org": tree.east.pk, "year": year, "monthly_per_capita": "1300.00", "note": "东政发〔2027〕3号"}
    assert send_json(client, "post", "/api/v1/assistance/thresholds", body).status_code == 201
    changed = send_json(
        client, "post", "/api/v1/assistance/thresholds", {**body, "monthly_per_capita": "1350.00"}
    )
    assert changed.status_code == 200
    assert changed.json()["monthly_per_capita"] == "1350.00"

    member, user = make_member_with_account(tree.acme)
    assert send_json(client_for(user), "post", ME, _body(member)).status_code == 201
    locked = send_json(
        client, "post", "/api/v1/assistance/thresholds", {**body, "monthly_per_capita": "1400.00"}
    )
    assert locked.status_code == 409
    assert locked.json()["code"] == "threshold_in_use"
    listed = client.get("/api/v1/assistance/thresholds", {"year": year}).json()
    assert listed["items"][0]["in_use"] is True
    assert IncomeThreshold.objects.get().monthly_per_capita == Decimal("1350.00")

    bad = send_json(
        client, "post", "/api/v1/assistance/thresholds", {**body, "monthly_per_capita": "0", "year": 1990}
    )
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"monthly_per_capita", "year"}
    not_a_federation = send_json(
        client, "post", "/api/v1/assistance/thresholds", {**body, "org": tree.acme.pk}
    )
    assert not_a_federation.status_code == 422
    assert list(not_a_federation.json()["fields"]) == ["org"]


def test_the_api_never_shows_a_full_id_number(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    spouse_id = household_id()
    send_json(client_for(user), "post", ME, _body(member, household=_household(member, id_number=spouse_id)))
    hardship_file = HardshipFile.objects.get()
    for client, url in (
        (client_for(user), f"{ME}/{hardship_file.pk}"),
        (client_for(officer_at(tree.east, "east.admin")), f"{FILES}/{hardship_file.pk}"),
    ):
        text = json.dumps(client.get(url).json(), ensure_ascii=False)
        assert member.id_number not in text
        assert spouse_id not in text
        assert mask_id_number(spouse_id) in text
