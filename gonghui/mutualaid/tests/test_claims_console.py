"""Console pages of claims: the queue with its status tabs and filters, the claim page and each of
its actions (with their refusals shown as messages, never a 500), the officer's entry of a claim
for a member, and the documents."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from gonghui.mutualaid.models import AidClaim, AidClaimAttachment, AidClaimStatus, ClaimType, LineStatus
from gonghui.mutualaid.services.claims import (
    add_claim_attachment,
    approve_claim,
    check_claim,
    reject_claim,
    submit_claim,
)
from gonghui.mutualaid.tests.factories import claim_input, line, make_enrolment, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at

pytestmark = pytest.mark.django_db

QUEUE = "/console/mutualaid/claims/"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, "PNG")
    return out.getvalue()


def submit(world: Any, **overrides: Any) -> AidClaim:
    return submit_claim(world.plan, actor=world.user, **claim_input(**overrides))


def page(url: str, user: Any) -> tuple[int, str]:
    response = client_for(user).get(url)
    return response.status_code, response.content.decode()


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, follow=True)


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_lists_entered_claims_oldest_first_with_counts_per_status(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    first = submit(world)
    second = submit(world, lines=[line("FP0002", "3000.00")])
    checked = check_claim(submit(world, lines=[line("FP0003", "2000.00")]), actor=world.handler)
    AidClaim.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=3))
    client = client_for(world.handler)
    with django_assert_max_num_queries(14):
        response = client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f'data-row-id="{first.pk}"') < html.index(f'data-row-id="{second.pk}"')
    assert f'data-row-id="{checked.pk}"' not in html
    assert 'data-status="entered"' in html
    assert 'Entered <span class="badge">2</span>' in html
    assert 'Checked <span class="badge">1</span>' in html
    assert first.reference in html
    assert world.member.masked_name in html
    assert world.member.name not in html
    assert "示范市第一人民医院" not in html  # the queue shows no medical details


def test_the_queue_paginates_with_a_bounded_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(60):
        submit(world, lines=[line(f"FP{number:04d}", "1500.00")])
    client = client_for(world.handler)
    with django_assert_max_num_queries(14):
        html = client.get(QUEUE).content.decode()
    assert html.count("data-row-id=") == 50
    assert "Page 1 of 2" in html
    assert client.get(f"{QUEUE}?page=2").content.decode().count("data-row-id=") == 10


def test_the_queue_filters_by_type_union_reference_and_date(world: Any) -> None:
    claim = submit(world)
    other_member, _ = make_member_with_account(world.tree.beta)
    make_enrolment(world.plan, other_member)
    other = submit_claim(
        world.plan, actor=world.handler, member=other_member, **claim_input(lines=[line("FP9", "2000")])
    )
    _, html = page(f"{QUEUE}?org=E-T-A", world.handler)
    assert f'data-row-id="{claim.pk}"' in html
    assert f'data-row-id="{other.pk}"' not in html
    _, html = page(f"{QUEUE}?reference={other.reference}", world.handler)
    assert f'data-row-id="{other.pk}"' in html
    assert f'data-row-id="{claim.pk}"' not in html
    _, html = page(f"{QUEUE}?claim_type={ClaimType.ACCIDENT}", world.handler)
    assert "data-row-id=" not in html
    day = timezone.localtime(claim.created_at).date()
    _, html = page(f"{QUEUE}?submitted_from={day}&submitted_to={day}", world.handler)
    assert html.count("data-row-id=") == 2
    _, html = page(f"{QUEUE}?submitted_from={day + timedelta(days=1)}", world.handler)
    assert "data-row-id=" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("org=NOPE", "There is no union with this code in your scope."),
        ("org=W", "There is no union with this code in your scope."),
        ("reference=abc", "A claim reference looks like 2027-0000042."),
        ("submitted_from=2027-13-01", "Enter a valid date."),
        (
            "submitted_from=2027-06-02&submitted_to=2027-06-01",
            "The end of the period cannot be before its start.",
        ),
        ("status=bogus&claim_type=bogus", "Select a valid choice."),
        ("page=x9", ""),
    ],
)
def test_bad_filters_are_explained_and_never_fail(world: Any, query: str, message: str) -> None:
    submit(world)
    status, html = page(f"{QUEUE}?{query}", world.handler)
    assert status == 200
    assert message in html


def test_officers_see_only_their_scope_and_members_none(world: Any) -> None:
    claim = submit(world)
    west = officer_at(world.tree.west, "west.admin")
    _, html = page(QUEUE, west)
    assert f'data-row-id="{claim.pk}"' not in html
    assert page(f"{QUEUE}{claim.pk}/", west)[0] == 404
    union_officer = officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER)
    assert page(QUEUE, union_officer)[0] == 404  # no mutual aid permission anywhere
    response = client_for(world.user).get(QUEUE)
    assert response.status_code in {302, 403, 404}


# --- the claim page and its actions -----------------------------------------------------------


def test_a_handler_checks_and_approves_a_claim(world: Any) -> None:
    claim = submit(world)
    client = client_for(world.handler)
    html = post(client, f"{QUEUE}{claim.pk}/check/").content.decode()
    assert "The claim has been checked and its payout computed." in html
    assert "5,700.00" in html
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.CHECKED
    assert claim.payout_steps[-1]["label"] in html
    html = post(client, f"{QUEUE}{claim.pk}/approve/").content.decode()
    assert "The claim has been approved and waits for payment." in html
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.APPROVED
    assert f'href="{QUEUE}{claim.pk}/approve/"' not in html


def test_the_second_review_is_refused_to_the_approver_and_done_by_another_handler(world: Any) -> None:
    world.plan.second_review_rate = Decimal("1")
    world.plan.save()
    claim = check_claim(submit(world), actor=world.handler)
    client = client_for(world.handler)
    html = post(client, f"{QUEUE}{claim.pk}/approve/").content.decode()
    assert "The claim was drawn for a second review" in html
    html = post(client, f"{QUEUE}{claim.pk}/confirm/", {"reason": ""}).content.decode()
    assert "A second review must be done by someone other than the officer who checked or approved" in html
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.SECOND_REVIEW
    html = post(
        client_for(world.reviewer), f"{QUEUE}{claim.pk}/confirm/", {"reason": "已核对原件"}
    ).content.decode()
    assert "The second review has confirmed the claim" in html
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (AidClaimStatus.APPROVED, world.reviewer)


def test_a_rejection_needs_a_reason(world: Any) -> None:
    claim = submit(world)
    client = client_for(world.handler)
    response = client.post(f"{QUEUE}{claim.pk}/reject/", {"reason": "  "})
    assert response.status_code == 422
    assert "Give the reason for the rejection: the member is told it." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.ENTERED
    html = post(client, f"{QUEUE}{claim.pk}/reject/", {"reason": "发票为复印件"}).content.decode()
    assert "The claim has been rejected." in html
    claim.refresh_from_db()
    assert (claim.status, claim.decision_reason) == (AidClaimStatus.REJECTED, "发票为复印件")


def test_rejecting_lines_needs_a_choice_and_a_reason_per_line(world: Any) -> None:
    claim = check_claim(
        submit(world, lines=[line("FP0001", "13500.00", "1500.00"), line("FP0002", "1000.00")]),
        actor=world.handler,
    )
    first, second = claim.lines.order_by("position")
    client = client_for(world.handler)
    response = client.post(f"{QUEUE}{claim.pk}/reject-lines/", {})
    assert response.status_code == 422
    assert "Choose the lines to reject." in response.content.decode()
    response = client.post(
        f"{QUEUE}{claim.pk}/reject-lines/", {"line": [second.pk], f"reason_{second.pk}": ""}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give a reason." in html
    assert f'value="{second.pk}" id="line-{second.pk}" checked' in html
    html = post(
        client, f"{QUEUE}{claim.pk}/reject-lines/", {"line": [second.pk], f"reason_{second.pk}": "自费药品"}
    ).content.decode()
    assert "The lines have been rejected and the payout computed again." in html
    second.refresh_from_db()
    assert (second.line_status, second.reject_reason) == (LineStatus.REJECTED, "自费药品")
    first.refresh_from_db()
    assert first.line_status == LineStatus.APPROVED


def test_a_forged_line_id_is_refused_without_change(world: Any) -> None:
    claim = check_claim(submit(world), actor=world.handler)
    html = post(
        client_for(world.handler),
        f"{QUEUE}{claim.pk}/reject-lines/",
        {"line": ["999999"], "reason_999999": "x"},
    ).content.decode()
    assert "The lines shown have changed." in html
    assert not claim.lines.filter(line_status=LineStatus.REJECTED).exists()


def test_someone_else_acting_first_is_a_message_not_an_error(world: Any) -> None:
    claim = check_claim(submit(world), actor=world.handler)
    reject_claim(claim, actor=world.reviewer, reason="重复报销")  # while the handler's page was open
    client = client_for(world.handler)
    for action, data in (
        ("approve", {}),
        ("check", {}),
        ("reject", {"reason": "x"}),
        ("confirm", {}),
        ("reject-lines", {"line": [claim.lines.get().pk], f"reason_{claim.lines.get().pk}": "x"}),
    ):
        response = post(client, f"{QUEUE}{claim.pk}/{action}/", data)
        assert response.status_code == 200, action
        assert 'class="toast' in response.content.decode() or 'role="alert"' in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.decision_reason) == (AidClaimStatus.REJECTED, "重复报销")


def test_a_finance_officer_may_look_but_not_decide(world: Any) -> None:
    claim = check_claim(submit(world), actor=world.handler)
    finance = officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER)
    client = client_for(finance)
    html = client.get(f"{QUEUE}{claim.pk}/").content.decode()
    assert f"{QUEUE}{claim.pk}/approve/" not in html
    html = post(client, f"{QUEUE}{claim.pk}/approve/").content.decode()
    assert "Only claim handlers of the federation running the plan may decide on claims." in html
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.CHECKED


def test_actions_need_post(world: Any) -> None:
    claim = submit(world)
    client = client_for(world.handler)
    for action in ("check", "approve", "confirm", "reject", "reject-lines", "documents"):
        assert client.get(f"{QUEUE}{claim.pk}/{action}/").status_code == 405


# --- documents ------------------------------------------------------------------------------------


def test_a_handler_uploads_and_downloads_a_document(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    client = client_for(world.handler)
    upload = SimpleUploadedFile("出院小结.png", png(), content_type="image/png")
    html = post(client, f"{QUEUE}{claim.pk}/documents/", {"file": upload}).content.decode()
    assert "The document has been added to the claim." in html
    document = AidClaimAttachment.objects.get(claim=claim)
    assert "出院小结.png" in html
    response = client.get(f"{QUEUE}{claim.pk}/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]


def test_a_document_that_is_not_a_photo_or_pdf_is_refused(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    upload = SimpleUploadedFile("x.png", b"<html>", content_type="image/png")
    response = client_for(world.handler).post(f"{QUEUE}{claim.pk}/documents/", {"file": upload})
    assert response.status_code == 422
    assert "Upload a photo (JPEG, PNG or WebP) or a PDF file." in response.content.decode()
    response = client_for(world.handler).post(f"{QUEUE}{claim.pk}/documents/", {})
    assert response.status_code == 422
    assert "Choose the file to upload." in response.content.decode()
    assert not AidClaimAttachment.objects.exists()


def test_documents_of_a_decided_claim_cannot_be_added(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = approve_claim(check_claim(submit(world), actor=world.handler), actor=world.handler)
    html = client_for(world.handler).get(f"{QUEUE}{claim.pk}/").content.decode()
    assert f'action="{QUEUE}{claim.pk}/documents/"' not in html
    upload = SimpleUploadedFile("a.png", png(), content_type="image/png")
    html = post(client_for(world.handler), f"{QUEUE}{claim.pk}/documents/", {"file": upload}).content.decode()
    assert "The claim has been decided: no more documents can be added." in html


def test_documents_are_not_served_to_finance_officers_or_outside_the_scope(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    document = add_claim_attachment(claim, actor=world.user, name="a.png", content=png())
    url = f"{QUEUE}{claim.pk}/documents/{document.pk}/"
    for user in (
        officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER),
        officer_at(world.tree.east, "east.auditor", Role.AUDITOR),
        officer_at(world.tree.west, "west.admin"),
    ):
        assert client_for(user).get(url).status_code == 404
    other = submit(world, lines=[line("FP0099", "2000")])
    assert client_for(world.handler).get(f"{QUEUE}{other.pk}/documents/{document.pk}/").status_code == 404


# --- entering a claim for a member ---------------------------------------------------------------


def entry_data(world: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "member": str(world.member.pk),
        "plan": str(world.plan.pk),
        "claim_type": ClaimType.INPATIENT,
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": "2027-06-01",
        "discharged_on": "2027-06-10",
        "treated_on": "",
        "bank_account_name": "王小明",
        "bank_account_number": "6222 0212 3456 7890",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-invoice_number": "fp0001",
        "lines-0-description": "住院费用",
        "lines-0-amount": "13500.00",
        "lines-0-excluded": "1500.00",
        "lines-1-invoice_number": "",
        "lines-1-amount": "",
        "lines-1-excluded": "",
        **overrides,
    }


def test_finding_the_member_by_id_number(world: Any) -> None:
    client = client_for(world.handler)
    html = client.get(f"{QUEUE}new/").content.decode()
    assert 'name="id_number"' in html
    html = client.get(f"{QUEUE}new/", {"id_number": world.member.id_number}).content.decode()
    assert f'data-member-id="{world.member.pk}"' in html
    assert world.member.masked_name in html
    assert str(world.plan) in html
    response = client.get(f"{QUEUE}new/", {"id_number": "123"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    stranger, _ = make_member_with_account(world.tree.gamma)
    response = client.get(f"{QUEUE}new/", {"id_number": stranger.id_number})
    assert f'data-member-id="{stranger.pk}"' not in response.content.decode()
    assert "No active member with this ID number belongs to a union where you handle claims." in (
        response.content.decode()
    )


def test_a_member_not_enrolled_is_found_but_cannot_be_claimed_for(world: Any) -> None:
    member, _ = make_member_with_account(world.tree.beta)
    html = client_for(world.handler).get(f"{QUEUE}new/", {"id_number": member.id_number}).content.decode()
    assert "This member is not enrolled in a mutual aid plan in force or ended" in html


def test_an_officer_enters_a_claim_with_a_document(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = entry_data(world, documents=[SimpleUploadedFile("发票.png", png(), content_type="image/png")])
    response = client_for(world.handler).post(f"{QUEUE}new/", data)
    claim = AidClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}{claim.pk}/"
    assert (claim.channel, claim.submitted_by, claim.member) == ("officer", world.handler, world.member)
    assert [(line.invoice_number, line.amount) for line in claim.lines.all()] == [
        ("FP0001", Decimal("13500.00"))
    ]
    assert claim.attachments.get().original_name == "发票.png"


def test_a_refused_document_stops_the_whole_entry(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = entry_data(
        world,
        documents=[
            SimpleUploadedFile("好.png", png(), content_type="image/png"),
            SimpleUploadedFile("坏.png", b"not a picture", content_type="image/png"),
        ],
    )
    response = client_for(world.handler).post(f"{QUEUE}new/", data)
    assert response.status_code == 422
    assert "坏.png: Upload a photo (JPEG, PNG or WebP) or a PDF file." in response.content.decode()
    assert not AidClaim.objects.exists()
    assert not AidClaimAttachment.objects.exists()


def test_entry_errors_are_shown_by_field_and_line(world: Any) -> None:
    submit(world, lines=[line("FP0007", "100.00")])
    client = client_for(world.handler)
    response = client.post(
        f"{QUEUE}new/", entry_data(world, **{"lines-0-excluded": "14000", "discharged_on": "2027-05-01"})
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "The discharge cannot be before the admission." in html
    assert "The self-paid part cannot be more than the line" in html
    assert 'value="示范市第一人民医院"' in html  # what was typed is kept
    response = client.post(f"{QUEUE}new/", entry_data(world, **{"lines-0-invoice_number": "FP0007"}))
    assert response.status_code == 422
    assert "Invoice FP0007 is already part of claim" in response.content.decode()
    emptied = {f"lines-0-{name}": "" for name in ("invoice_number", "description", "amount", "excluded")}
    response = client.post(f"{QUEUE}new/", entry_data(world, **emptied))
    assert response.status_code == 422
    assert "Add at least one invoice line." in response.content.decode()
    response = client.post(f"{QUEUE}new/", entry_data(world, **{"lines-0-amount": ""}))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert AidClaim.objects.count() == 1


def test_adding_a_line_keeps_what_was_typed_without_errors(world: Any) -> None:
    response = client_for(world.handler).post(f"{QUEUE}new/", entry_data(world, add_line="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-2-invoice_number"' in html  # the two rows sent and one more
    assert 'name="lines-3-invoice_number"' not in html
    assert 'value="fp0001"' in html
    assert 'name="lines-INITIAL_FORMS" value="0"' in html
    assert "Please correct the errors below." not in html
    assert not AidClaim.objects.exists()


def test_entering_for_a_member_outside_the_scope_answers_404(world: Any) -> None:
    stranger, _ = make_member_with_account(world.tree.gamma)
    response = client_for(world.handler).post(f"{QUEUE}new/", entry_data(world, member=str(stranger.pk)))
    assert response.status_code == 404
    response = client_for(world.handler).post(f"{QUEUE}new/", entry_data(world, member="x"))
    assert response.status_code == 404
    assert not AidClaim.objects.exists()


def test_the_claim_page_needs_a_bounded_number_of_queries(
    world: Any, settings: Any, tmp_path: Any, django_assert_max_num_queries: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world, lines=[line(f"FP{n:04d}", "1000.00") for n in range(20)])
    for _ in range(5):
        add_claim_attachment(claim, actor=world.user, name="a.png", content=png())
    check_claim(claim, actor=world.handler)
    client = client_for(world.handler)
    with django_assert_max_num_queries(20):
        response = client.get(f"{QUEUE}{claim.pk}/")
    assert response.content.decode().count("data-line-id=") == 20
