"""Hardship files in the console and the portal: the queue and its masking, the detail page and
its decisions, an officer's application, the member's landing page, application and file."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gonghui.assistance.models import HardshipDocument, HardshipFile, HardshipFileStatus
from gonghui.assistance.services import files as services
from gonghui.assistance.tests.factories import make_threshold
from gonghui.assistance.tests.factories_files import (
    PDF,
    application,
    household_id,
    make_file,
    make_member_with_account,
    png,
)
from gonghui.core.idnumbers import mask_id_number
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tree() -> Any:
    return make_tree()


def _household_post(rows: list[dict[str, str]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "own_occupation": "employed",
        "own_monthly_income": "1800",
        "own_health": "",
        "other_monthly_income": "300",
        "causes": ["illness", "low_income"],
        "situation": "妻子患尿毒症长期透析，孩子上初中。",
        "household-TOTAL_FORMS": str(len(rows)),
        "household-INITIAL_FORMS": "0",
        "household-MIN_NUM_FORMS": "0",
        "household-MAX_NUM_FORMS": "19",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"household-{index}-{key}"] = value
    data.update(fields)
    return data


def _spouse(**fields: str) -> dict[str, str]:
    row = {
        "relation": "spouse",
        "name": "李秀英",
        "id_number": household_id(),
        "occupation": "unable",
        "monthly_income": "0",
        "health": "尿毒症",
    }
    row.update(fields)
    return row


# --- console -------------------------------------------------------------------------------------


def test_the_queue_lists_waiting_files_oldest_first_and_marks_overdue(tree: Any, english: Any) -> None:
    old, _u = make_member_with_account(tree.acme, name="赵建国")
    new, _u2 = make_member_with_account(tree.beta, name="钱学文")
    overdue = make_file(old)
    HardshipFile.objects.filter(pk=overdue.pk).update(created_at=timezone.now() - timedelta(days=40))
    recent = make_file(new)
    client = client_for(officer_at(tree.east, "east.admin"))

    response = client.get("/console/assistance/files/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(f'data-row-id="{overdue.pk}"') < body.index(f'data-row-id="{recent.pk}"')
    assert body.count("Overdue") == 1
    assert "赵建国" in body


def test_names_are_masked_for_officers_who_do_not_handle_files(tree: Any) -> None:
    member, _u = make_member_with_account(tree.acme, name="赵建国")
    make_file(member)
    client = client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER))
    body = client.get("/console/assistance/files/").content.decode()
    assert "赵**" in body
    assert "赵建国" not in body


def test_the_recheck_list_shows_what_falls_due_within_a_month(tree: Any, english: Any) -> None:
    today = timezone.localdate()
    due = make_file(
        make_member_with_account(tree.acme)[0], status="on_file", recheck_due=today - timedelta(days=2)
    )
    later = make_file(
        make_member_with_account(tree.acme)[0], status="on_file", recheck_due=today + timedelta(days=90)
    )
    body = (
        client_for(officer_at(tree.east, "east.admin"))
        .get("/console/assistance/files/recheck-due/")
        .content.decode()
    )
    assert f'data-row-id="{due.pk}"' in body
    assert f'data-row-id="{later.pk}"' not in body
    assert "Overdue" in body


def test_the_detail_states_the_comparison_and_masks_ids(tree: Any, english: Any) -> None:
    year = timezone.localdate().year
    make_threshold(tree.east, year=year, amount="1300.00")
    member, user = make_member_with_account(tree.acme)
    hardship_file = services.apply_for_hardship(actor=user, **application(member))
    client = client_for(officer_at(tree.east, "east.admin"))

    body = client.get(f"/console/assistance/files/{hardship_file.pk}/").content.decode()

    assert (
        "Monthly income per person: 900.00 yuan, below the threshold of 1,300.00 yuan set by 东区总工会."
        in body
    )
    assert mask_id_number(member.id_number) in body
    assert member.id_number not in body
    assert 'id="approve-form"' in body
    assert 'id="reject-form"' in body


def test_an_officer_approves_rejects_rechecks_and_exits(tree: Any, english: Any) -> None:
    member, _u = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    client = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    url = f"/console/assistance/files/{hardship_file.pk}"

    response = client.post(f"{url}/approve/", {"approve-grade": "", "approve-opinion": ""})
    assert response.status_code == 422
    assert (
        "Choose a grade." in response.content.decode()
        or "This field is required." in response.content.decode()
    )

    assert client.post(f"{url}/approve/", {"approve-grade": "severe"}).status_code == 302
    assert HardshipFile.objects.get(pk=hardship_file.pk).status == HardshipFileStatus.ON_FILE

    response = client.post(
        f"{url}/recheck/", {"recheck-result": "regrade", "recheck-grade": "severe", "recheck-opinion": "x"}
    )
    assert response.status_code == 422
    assert (
        client.post(
            f"{url}/recheck/", {"recheck-result": "keep", "recheck-opinion": "情况无变化"}
        ).status_code
        == 302
    )

    response = client.post(f"{url}/reject/", {"reject-opinion": "不符合"}, follow=True)
    assert "is not possible now" in response.content.decode()

    assert client.post(f"{url}/exit/", {"exit-reason": "已再就业"}).status_code == 302
    assert HardshipFile.objects.get(pk=hardship_file.pk).status == HardshipFileStatus.EXITED


def test_a_viewer_sees_the_file_without_decisions_or_downloads(tree: Any, english: Any) -> None:
    member, _u = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    services.add_hardship_documents(
        hardship_file, actor=officer_at(tree.acme, "acme.o"), documents=[("证明.pdf", PDF)]
    )
    document = hardship_file.documents.get()
    client = client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER))
    body = client.get(f"/console/assistance/files/{hardship_file.pk}/").content.decode()
    assert "You may look at this file but not decide on it." in body
    assert 'id="approve-form"' not in body
    assert (
        client.get(f"/console/assistance/files/{hardship_file.pk}/documents/{document.pk}/").status_code
        == 404
    )
    response = client.post(
        f"/console/assistance/files/{hardship_file.pk}/approve/", {"approve-grade": "severe"}, follow=True
    )
    assert "Only officers who handle hardship assistance" in response.content.decode()
    assert HardshipFile.objects.get(pk=hardship_file.pk).status == "applied"


def test_documents_are_uploaded_and_downloaded_as_attachments(tree: Any, english: Any) -> None:
    member, _u = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    client = client_for(officer_at(tree.acme, "acme.officer"))
    url = f"/console/assistance/files/{hardship_file.pk}/documents/"

    bad = client.post(url, {"document-documents": SimpleUploadedFile("a.txt", b"plain text")})
    assert bad.status_code == 422
    assert "a.txt: Upload a photo (JPEG, PNG or WebP) or a PDF file." in bad.content.decode()
    assert client.post(url, {"document-documents": SimpleUploadedFile("证明.pdf", PDF)}).status_code == 302

    document = HardshipDocument.objects.get()
    response = client.get(f"{url}{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


def test_an_officer_applies_for_a_member(tree: Any, english: Any) -> None:
    member, _u = make_member_with_account(tree.acme, name="孙志强")
    client = client_for(officer_at(tree.town, "town.officer", Role.UNION_OFFICER))

    found = client.get("/console/assistance/files/new/", {"id_number": member.id_number.lower()})
    assert found.status_code == 200
    assert mask_id_number(member.id_number) in found.content.decode()
    missing = client.get("/console/assistance/files/new/", {"id_number": household_id()})
    assert missing.status_code == 422
    assert "No active member of a union you handle has this ID number." in missing.content.decode()

    grown = client.post(
        "/console/assistance/files/new/", _household_post([_spouse()], member=str(member.pk), add_person="1")
    )
    assert grown.status_code == 200
    assert 'name="household-1-name"' in grown.content.decode()
    assert not HardshipFile.objects.exists()

    bad = client.post(
        "/console/assistance/files/new/", _household_post([_spouse(id_number="123")], member=str(member.pk))
    )
    assert bad.status_code == 422
    assert "The ID number must have 18 characters" in bad.content.decode()

    done = client.post(
        "/console/assistance/files/new/",
        _household_post(
            [_spouse(), {}], member=str(member.pk), documents=SimpleUploadedFile("证明.png", png())
        ),
    )
    assert done.status_code == 302
    created = HardshipFile.objects.get()
    assert created.channel == "officer"
    assert created.household_size == 2
    assert created.documents.count() == 1


def test_a_service_refusal_lands_on_the_person_row(tree: Any, english: Any) -> None:
    first, first_user = make_member_with_account(tree.acme)
    spouse_id = household_id()
    services.apply_for_hardship(actor=first_user, **application(first))
    second, _u = make_member_with_account(tree.beta)
    client = client_for(officer_at(tree.east, "east.admin"))
    response = client.post(
        "/console/assistance/files/new/",
        _household_post(
            [
                _spouse(id_number=spouse_id),
                _spouse(relation="parent", name="王老汉", id_number=first.id_number),
            ],
            member=str(second.pk),
        ),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_household-1-id_number_error"' in body
    assert "is already in hardship file KN" in body


def test_bad_console_requests_answer_without_errors(tree: Any) -> None:
    client = client_for(officer_at(tree.east, "east.admin"))
    assert client.get("/console/assistance/files/?status=nonsense&page=x").status_code == 200
    assert (
        client.post("/console/assistance/files/new/", {"member": "99999999999999999999"}).status_code == 404
    )
    assert client.post("/console/assistance/files/new/", {"member": "abc"}).status_code == 404
    assert client.get("/console/assistance/files/999999/").status_code == 404


# --- portal -------------------------------------------------------------------------------------


def test_the_landing_page_offers_to_apply_and_what_to_prepare(tree: Any, english: Any) -> None:
    _member, user = make_member_with_account(tree.acme)
    body = _portal(user).get(_url("hardship")).content.decode()
    assert "Apply for hardship help" in body
    assert "What to prepare" in body


def _portal(user: Any) -> Client:
    return client_for(user)


def _url(name: str, *args: Any) -> str:
    return reverse(f"portal:{name}", args=args)


def test_a_member_applies_in_the_portal_and_follows_the_file(tree: Any, english: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    client = _portal(user)
    assert client.get(_url("hardship_apply")).status_code == 200

    missing = client.post(_url("hardship_apply"), _household_post([_spouse(occupation="")], situation=""))
    assert missing.status_code == 422
    assert not HardshipFile.objects.exists()

    done = client.post(
        _url("hardship_apply"), _household_post([_spouse()], documents=SimpleUploadedFile("证明.pdf", PDF))
    )
    assert done.status_code == 302
    hardship_file = HardshipFile.objects.get()
    assert done["Location"] == _url("hardship_file", hardship_file.pk)
    assert hardship_file.household_monthly_income == Decimal("2100.00")

    landing = client.get(_url("hardship")).content.decode()
    assert "Your application is with your union, which will review it." in landing
    again = client.get(_url("hardship_apply"))
    assert again.status_code == 302

    services.reject_hardship_file(
        hardship_file, actor=officer_at(tree.acme, "acme.o"), opinion="人均收入高于标准"
    )
    detail = client.get(_url("hardship_file", hardship_file.pk)).content.decode()
    assert "Your application was not accepted." in detail
    assert "人均收入高于标准" in detail
    assert "You applied" in detail
    assert member.id_number not in detail
    assert mask_id_number(member.id_number) in detail


def test_a_member_adds_and_downloads_documents_of_their_own_file_only(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    client = _portal(user)
    response = client.post(
        _url("hardship_documents", hardship_file.pk),
        {"document-documents": SimpleUploadedFile("照片.png", png())},
    )
    assert response.status_code == 302
    document = hardship_file.documents.get()
    assert client.get(_url("hardship_document", hardship_file.pk, document.pk)).status_code == 200

    _other, other_user = make_member_with_account(tree.beta)
    other = _portal(other_user)
    assert other.get(_url("hardship_file", hardship_file.pk)).status_code == 404
    assert other.get(_url("hardship_document", hardship_file.pk, document.pk)).status_code == 404
    assert (
        other.post(
            _url("hardship_documents", hardship_file.pk),
            {"document-documents": SimpleUploadedFile("a.pdf", PDF)},
        ).status_code
        == 404
    )
    assert hardship_file.documents.count() == 1


def test_someone_without_a_membership_is_told_to_join(tree: Any, english: Any) -> None:
    officer = officer_at(tree.acme, "acme.officer")
    body = _portal(officer).get(_url("hardship")).content.decode()
    assert "Hardship help is for union members. Join a union first." in body
    assert _portal(officer).get(_url("hardship_apply")).status_code == 302


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(_url("hardship"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_queue_and_the_api_list_do_not_query_per_file(tree: Any) -> None:
    client = client_for(officer_at(tree.east, "east.admin"))
    make_file(make_member_with_account(tree.acme)[0])
    client.get("/console/assistance/files/")  # session and grants warmed up
    with CaptureQueriesContext(connection) as few:
        client.get("/console/assistance/files/")
        client.get("/api/v1/assistance/files")
    for _ in range(8):
        make_file(make_member_with_account(tree.beta)[0])
    with CaptureQueriesContext(connection) as many:
        client.get("/console/assistance/files/")
        client.get("/api/v1/assistance/files")
    assert len(many.captured_queries) == len(few.captured_queries)
