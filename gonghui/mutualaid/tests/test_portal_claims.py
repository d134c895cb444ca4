"""The portal's claim pages: submitting with documents in one POST (all or nothing), every bad
input shown on the form with what was typed kept, a double tap, my claims, one claim with its
lines, payout explanation and history, and documents of my own claims only."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gonghui.accounts.tests.factories import make_member
from gonghui.mutualaid.models import AidClaim, AidClaimAttachment, AidClaimStatus, ClaimType
from gonghui.mutualaid.services.claims import (
    add_claim_attachment,
    approve_claim,
    check_claim,
    reject_claim,
    reject_lines,
    submit_claim,
)
from gonghui.mutualaid.tests.factories import (
    claim_input,
    line,
    make_enrolment,
    make_member_with_account,
    make_rule,
)

pytestmark = pytest.mark.django_db

NEW = "/mutualaid/claims/new/"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n"


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def photo(name: str = "发票.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content, content_type="image/png")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(world: Any, lines: list[dict[str, str]] | None = None, **overrides: Any) -> dict[str, Any]:
    rows = (
        lines
        if lines is not None
        else [{"invoice_number": "FP0001", "amount": "13500.00", "excluded": "1500"}]
    )
    data: dict[str, Any] = {
        "plan": str(world.plan.pk),
        "claim_type": "inpatient",
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": "2027-06-01",
        "discharged_on": "2027-06-10",
        "treated_on": "",
        "bank_account_name": "王小明",
        "bank_account_number": "6222 0212 3456 7890",
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key in ("invoice_number", "amount", "excluded", "description"):
            data[f"lines-{index}-{key}"] = row.get(key, "")
    data["documents"] = [photo()]
    data.update(overrides)
    return data


def stored_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "mutualaid" / "claims"
    return sorted(folder.iterdir()) if folder.exists() else []


# --- the form --------------------------------------------------------------------------------------


def test_the_form_offers_the_plans_claim_types_and_asks_for_documents(world: Any) -> None:
    response = signed_in(world.user).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="inpatient"' in html
    assert 'value="accident"' not in html  # the plan has no rule for it
    assert 'accept="image/*,application/pdf"' in html
    assert "multiple" in html
    assert 'x-data="aidClaimForm"' in html
    assert "data-line-template" in html
    assert "What happens next" in html
    assert "<script>" not in html
    assert "style=" not in html


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_someone_not_enrolled_is_told_no_claim_is_possible(world: Any) -> None:
    _member, user = make_member_with_account(world.tree.acme)
    response = signed_in(user).get(NEW)
    assert response.status_code == 200
    assert "ask your union" in response.content.decode()
    assert signed_in(make_member("13911113333")).post(NEW, {}).status_code == 200
    assert not AidClaim.objects.exists()


def test_a_claim_with_two_invoices_and_two_documents_is_submitted_at_once(world: Any, tmp_path: Path) -> None:
    rows = [
        {"invoice_number": " fp０００1 ", "amount": "13,500.00", "excluded": "1500", "description": "住院"},
        {},  # a spare row left empty is skipped
        {"invoice_number": "FP0002", "amount": "800", "excluded": ""},
    ]
    data = form_data(world, rows, documents=[photo("发票.png"), SimpleUploadedFile("出院小结.pdf", PDF)])
    client = signed_in(world.user)
    response = client.post(NEW, data)
    claim = AidClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:mutualaid_claim", args=[claim.pk])
    assert claim.status == AidClaimStatus.ENTERED
    assert claim.member == world.member
    assert claim.treated_on == date(2027, 6, 1)
    assert claim.bank_account_number == "6222021234567890"
    assert [(x.invoice_number, str(x.amount), str(x.excluded)) for x in claim.lines.all()] == [
        ("FP0001", "13500.00", "1500.00"),
        ("FP0002", "800.00", "0.00"),
    ]
    assert sorted(a.original_name for a in claim.attachments.all()) == ["出院小结.pdf", "发票.png"]
    assert len(stored_files(tmp_path)) == 2
    page = client.get(response["Location"]).content.decode()
    assert f"Your claim {claim.reference} has been submitted" in page


def test_an_outpatient_claim_gives_the_day_of_treatment(world: Any) -> None:
    make_rule(world.plan, claim_type=ClaimType.CHRONIC_OUTPATIENT, waiting_days=0)
    data = form_data(world, claim_type="chronic_outpatient", admitted_on="", discharged_on="", treated_on="")
    response = signed_in(world.user).post(NEW, data)
    assert response.status_code == 422
    assert "Enter the date of treatment." in response.content.decode()
    data.update(treated_on="2027-09-03", documents=[photo()])  # a file is read once
    assert signed_in(world.user).post(NEW, data).status_code == 302
    claim = AidClaim.objects.get()
    assert (claim.treated_on, claim.admitted_on) == (date(2027, 9, 3), None)


def test_one_refused_document_refuses_the_whole_claim_and_names_the_file(world: Any, tmp_path: Path) -> None:
    documents = [photo("发票.png"), SimpleUploadedFile("病历.txt", b"just text", content_type="image/png")]
    response = signed_in(world.user).post(NEW, form_data(world, documents=documents))
    assert response.status_code == 422
    html = response.content.decode()
    assert "病历.txt: Upload a photo (JPEG, PNG or WebP) or a PDF file." in html
    assert "choose the photos again" in html
    assert 'value="示范市第一人民医院"' in html  # what was typed is kept
    assert not AidClaim.objects.exists()
    assert not AidClaimAttachment.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_document_refused_while_storing_removes_the_files_already_stored(
    world: Any, tmp_path: Path
) -> None:
    """A claim one document short of the limit gets two more: the first is stored, the second
    refused by the service; neither stays, on disk or in the database."""
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    for number in range(19):
        add_claim_attachment(claim, actor=world.user, name=f"第{number}页.png", content=png())
    before = stored_files(tmp_path)
    url = reverse("portal:mutualaid_claim_documents", args=[claim.pk])
    response = signed_in(world.user).post(url, {"documents": [photo("补充一.png"), photo("补充二.png")]})
    assert response.status_code == 422
    assert "补充二.png: At most 20 documents can be added." in response.content.decode()
    assert claim.attachments.count() == 19
    assert stored_files(tmp_path) == before


def test_documents_are_required_and_limited(world: Any) -> None:
    response = signed_in(world.user).post(NEW, form_data(world, documents=[]))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    many = [photo(f"{n}.png") for n in range(21)]
    response = signed_in(world.user).post(NEW, form_data(world, documents=many))
    assert response.status_code == 422
    assert "At most 20 documents can be added." in response.content.decode()
    assert not AidClaim.objects.exists()


def test_every_problem_of_the_fields_and_lines_is_shown_at_once(world: Any) -> None:
    rows = [
        {"invoice_number": "", "amount": "12.345"},
        {"invoice_number": "FP9", "amount": "-5"},
        {"invoice_number": "FP10", "amount": "abc", "excluded": "1"},
    ]
    data = form_data(world, rows, hospital="", diagnosis_category="nonsense", discharged_on="")
    response = signed_in(world.user).post(NEW, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "This field is required." in html  # hospital
    assert "Select a valid choice." in html  # diagnosis
    assert "Enter the date of the hospital stay." in html
    assert "Enter the invoice number." in html
    assert html.count("errorlist") >= 6
    assert 'value="12.345"' in html
    assert 'value="FP10"' in html
    assert not AidClaim.objects.exists()


def test_the_services_refusals_land_on_their_fields(world: Any) -> None:
    rows = [{"invoice_number": "FP1", "amount": "100.00", "excluded": "200.00"}]
    data = form_data(world, rows, admitted_on="2026-12-30", bank_account_number="12-34")
    response = signed_in(world.user).post(NEW, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The self-paid part cannot be more than the line&#x27;s amount (100.00 yuan)." in html
    assert "The date of treatment must lie in the plan&#x27;s coverage period" in html
    assert "Enter the bank account number: 8 to 30 digits." in html
    assert not AidClaim.objects.exists()


def test_no_invoice_line_or_a_tampered_row_count_is_refused_without_error(world: Any) -> None:
    response = signed_in(world.user).post(NEW, form_data(world, [{}]))
    assert response.status_code == 422
    assert "Add at least one invoice line." in response.content.decode()
    for count in ("", "x", "100000"):
        data = form_data(world)
        data["lines-TOTAL_FORMS"] = count
        response = signed_in(world.user).post(NEW, data)
        assert response.status_code == 422, count
        assert 'class="form-errors"' in response.content.decode()
    assert not AidClaim.objects.exists()


def test_a_double_tap_takes_the_member_to_the_claim_already_submitted(world: Any) -> None:
    client = signed_in(world.user)
    first = client.post(NEW, form_data(world))
    second = client.post(NEW, form_data(world))
    claim = AidClaim.objects.get()
    assert first["Location"] == second["Location"] == reverse("portal:mutualaid_claim", args=[claim.pk])
    assert "You have already submitted this claim." in client.get(second["Location"]).content.decode()
    assert claim.attachments.count() == 1


def test_an_invoice_in_another_persons_claim_is_refused_with_a_message(world: Any) -> None:
    other, other_user = make_member_with_account(world.tree.acme)
    make_enrolment(world.plan, other)
    earlier = submit_claim(world.plan, actor=other_user, **claim_input())
    response = signed_in(world.user).post(NEW, form_data(world))
    assert response.status_code == 422
    assert f"Invoice FP0001 is already part of claim {earlier.reference}" in response.content.decode()
    assert AidClaim.objects.count() == 1


# --- my claims and one claim -----------------------------------------------------------------------


def test_my_claims_list_only_mine_with_status_in_words_and_payout(world: Any) -> None:
    mine = check_claim(submit_claim(world.plan, actor=world.user, **claim_input()), actor=world.handler)
    approve_claim(mine, actor=world.handler)
    other, other_user = make_member_with_account(world.tree.acme)
    make_enrolment(world.plan, other)
    theirs = submit_claim(world.plan, actor=other_user, **claim_input(lines=[line("FQ1", "500.00")]))
    html = signed_in(world.user).get(reverse("portal:mutualaid_claims")).content.decode()
    assert mine.reference in html
    assert theirs.reference not in html
    assert "Approved, payment on the way" in html
    assert "5,700.00 yuan" in html


def test_an_empty_list_offers_to_submit(world: Any) -> None:
    html = signed_in(world.user).get(reverse("portal:mutualaid_claims")).content.decode()
    assert "You have not submitted any claims yet." in html
    assert reverse("portal:mutualaid_claim_new") in html


def test_the_claim_page_before_the_check_says_when_the_payout_is_worked_out(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    html = signed_in(world.user).get(reverse("portal:mutualaid_claim", args=[claim.pk])).content.decode()
    assert "Submitted, waiting to be checked" in html
    assert "The payout is worked out when the claim is checked" in html
    assert "Claim submitted" in html
    assert "**********7890" in html
    assert "6222021234567890" not in html
    assert "13,500.00" in html
    assert "1,500.00" in html


def test_the_claim_page_shows_the_payout_explanation_and_refused_lines(world: Any) -> None:
    claim = submit_claim(
        world.plan,
        actor=world.user,
        **claim_input(lines=[line("FP0001", "13500.00", "1500.00"), line("FP0002", "900.00")]),
    )
    check_claim(claim, actor=world.handler)
    second = claim.lines.get(invoice_number="FP0002")
    reject_lines(claim, actor=world.handler, reasons={second.pk: "发票与病历日期不符"})
    approve_claim(claim, actor=world.handler)
    html = signed_in(world.user).get(reverse("portal:mutualaid_claim", args=[claim.pk])).content.decode()
    assert "Approved, payment on the way" in html
    assert "5,700.00 yuan" in html
    assert '<li class="payout-steps__total"><strong>Payout: 5,700.00 yuan</strong></li>' in html
    assert "Deductible 1,000.00 yuan" in html
    assert "Not accepted: 发票与病历日期不符" in html
    assert "Some invoice lines were not accepted: FP0002: 发票与病历日期不符" in html
    assert "The payout is transferred to your bank account with the next payment batch." in html
    assert "version 1" in html


def test_a_rejected_claim_says_why(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    reject_claim(claim, actor=world.handler, reason="未参保期间就诊")
    html = signed_in(world.user).get(reverse("portal:mutualaid_claim", args=[claim.pk])).content.decode()
    assert "Not approved" in html
    assert "Reason: 未参保期间就诊" in html
    assert "The claim was rejected before a payout was worked out." in html
    assert "Add documents" not in html


def test_another_persons_claim_and_a_missing_one_are_404(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    _other, other_user = make_member_with_account(world.tree.acme)
    client = signed_in(other_user)
    for url in (
        reverse("portal:mutualaid_claim", args=[claim.pk]),
        reverse("portal:mutualaid_claim", args=[claim.pk + 1000]),
        reverse("portal:mutualaid_claim_documents", args=[claim.pk]),
    ):
        assert client.get(url).status_code in {404, 405}
    assert client.post(reverse("portal:mutualaid_claim_documents", args=[claim.pk]), {}).status_code == 404
    assert signed_in(world.handler).get(reverse("portal:mutualaid_claim", args=[claim.pk])).status_code == 404


def test_documents_download_for_their_owner_only(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    document = add_claim_attachment(claim, actor=world.user, name="发票.png", content=png())
    url = reverse("portal:mutualaid_claim_document", args=[claim.pk, document.pk])
    response = signed_in(world.user).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    _other, other_user = make_member_with_account(world.tree.acme)
    assert signed_in(other_user).get(url).status_code == 404
    mine = submit_claim(world.plan, actor=world.user, **claim_input(lines=[line("FQ9", "100.00")]))
    wrong = reverse("portal:mutualaid_claim_document", args=[mine.pk, document.pk])
    assert signed_in(world.user).get(wrong).status_code == 404


def test_documents_can_be_added_while_the_claim_is_open(world: Any, tmp_path: Path) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    url = reverse("portal:mutualaid_claim_documents", args=[claim.pk])
    client = signed_in(world.user)
    refused = client.post(url, {"documents": [SimpleUploadedFile("空.png", b"")]})
    assert refused.status_code == 422
    assert "The documents were not added." in refused.content.decode()
    added = client.post(url, {"documents": [photo("补充.png"), SimpleUploadedFile("b.pdf", PDF)]})
    assert added.status_code == 302
    assert claim.attachments.count() == 2
    reject_claim(claim, actor=world.handler, reason="重复报销")
    late = client.post(url, {"documents": [photo()]})
    assert late.status_code == 422
    assert "The claim has been decided: no more documents can be added." in late.content.decode()
    assert claim.attachments.count() == 2
    assert len(stored_files(tmp_path)) == 2


def test_a_document_whose_file_is_gone_is_404_not_an_error(world: Any, tmp_path: Path) -> None:
    claim = submit_claim(world.plan, actor=world.user, **claim_input())
    document = add_claim_attachment(claim, actor=world.user, name="发票.png", content=png())
    Path(document.file.path).unlink()
    url = reverse("portal:mutualaid_claim_document", args=[claim.pk, document.pk])
    assert signed_in(world.user).get(url).status_code == 404


def test_the_claim_pages_read_a_bounded_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    claims = [
        submit_claim(world.plan, actor=world.user, **claim_input(lines=[line(f"FS{n}", "3000.00")]))
        for n in range(5)
    ]
    check_claim(claims[0], actor=world.handler)
    for n in range(3):
        add_claim_attachment(claims[0], actor=world.user, name=f"{n}.png", content=png())
    client = signed_in(world.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:mutualaid_claims")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:mutualaid_claim", args=[claims[0].pk])).status_code == 200
