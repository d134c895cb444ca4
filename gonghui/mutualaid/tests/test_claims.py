"""Claims: submission, duplicate invoices, the check (version in force, year cap), line and whole
rejections, approval with sampled second review, every legal transition and the refusal of every
illegal one, documents and the audit log."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from gonghui.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.models import (
    AID_CLAIM_TRANSITIONS,
    AidClaim,
    AidClaimAction,
    AidClaimAttachment,
    AidClaimHistory,
    AidClaimStatus,
    AidInvoice,
    AidPlanStatus,
    ClaimChannel,
    LineStatus,
)
from gonghui.mutualaid.services.claims import (
    add_claim_attachment,
    approve_claim,
    check_claim,
    normalise_invoice_number,
    reject_claim,
    reject_lines,
    second_review_claim,
    submit_claim,
)
from gonghui.mutualaid.tests.factories import (
    claim_input,
    line,
    make_enrolment,
    make_member_with_account,
    make_rule,
)
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db

D = Decimal


def submit(world: Any, **overrides: Any) -> AidClaim:
    return submit_claim(world.plan, actor=world.user, **claim_input(**overrides))


def checked(world: Any, **overrides: Any) -> AidClaim:
    return check_claim(submit(world, **overrides), actor=world.handler)


# --- submitting ----------------------------------------------------------------------------------


def test_a_member_submits_a_claim_for_themselves(world: Any) -> None:
    claim = submit(world)
    assert claim.status == AidClaimStatus.ENTERED
    assert claim.channel == ClaimChannel.MEMBER
    assert claim.member == world.member
    assert claim.org == world.tree.acme
    assert claim.treated_on == date(2027, 6, 1)
    assert claim.bank_account_number == "6222021234567890"
    assert [(h.action, h.to_status) for h in claim.history.all()] == [("submit", "entered")]
    assert list(AidInvoice.objects.values_list("number", flat=True)) == ["FP0001"]


def test_an_officer_submits_for_a_member_in_scope_and_not_outside(world: Any) -> None:
    claim = submit_claim(world.plan, actor=world.handler, member=world.member, **claim_input())
    assert claim.channel == ClaimChannel.OFFICER
    west = officer_at(world.tree.west, "west.admin")
    with pytest.raises(NotFound):
        submit_claim(world.plan, actor=west, member=world.member, **claim_input(lines=[line("X1", "10.00")]))


def test_a_member_not_enrolled_cannot_claim(world: Any) -> None:
    _other, user = make_member_with_account(world.tree.acme)
    with pytest.raises(Conflict, match="not enrolled"):
        submit_claim(world.plan, actor=user, **claim_input())
    assert not AidClaim.objects.exists()


def test_a_member_cannot_claim_under_a_plan_not_in_force(world: Any) -> None:
    world.plan.status = AidPlanStatus.CLOSED
    world.plan.save()
    with pytest.raises(Conflict):
        submit(world)


def test_every_problem_is_reported_at_once_and_nothing_is_written(world: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(
            world,
            hospital=" ",
            diagnosis_category="flu",
            admitted_on=date(2026, 12, 30),
            lines=[line("发票 1", "-1.00"), line("FP2", "10.00", "20.00")],
            bank_account_number="12ab",
        )
    assert set(caught.value.fields) == {
        "hospital",
        "diagnosis_category",
        "admitted_on",
        "lines.0.invoice_number",
        "lines.0.amount",
        "lines.1.excluded",
        "bank_account_number",
    }
    assert not AidClaim.objects.exists()
    assert not AidInvoice.objects.exists()


def test_treatment_must_lie_in_the_coverage_period_and_not_in_the_future(world: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(world, admitted_on=date(2027, 12, 5), discharged_on=date(2027, 12, 6))
    assert "future" in caught.value.fields["admitted_on"][0]
    with pytest.raises(ValidationFailed) as caught:
        submit(world, claim_type="accident", treated_on=date(2028, 1, 2))
    assert "coverage period" in caught.value.fields["treated_on"][0]


# --- duplicate invoices --------------------------------------------------------------------------


def test_invoice_numbers_are_normalised() -> None:
    assert normalise_invoice_number(" ｆｐ２０２７－０１ ") == "FP2027-01"
    assert normalise_invoice_number("fp 2027 01") == "FP202701"


def test_a_duplicate_invoice_number_is_refused_naming_the_claim(world: Any) -> None:
    first = submit(world)
    other, user = make_member_with_account(world.tree.beta)
    make_enrolment(world.plan, other)
    with pytest.raises(ValidationFailed) as caught:
        submit_claim(
            world.plan, actor=user, **claim_input(lines=[line("OK-1", "10.00"), line(" ｆｐ０００１", "5")])
        )
    assert caught.value.code == "duplicate_invoice"
    assert first.reference in caught.value.message
    assert first.reference in caught.value.fields["lines.1.invoice_number"][0]
    assert AidClaim.objects.count() == 1
    # Once the first claim is rejected its invoice can be claimed again.
    reject_claim(first, actor=world.handler, reason="发票不属于本人")
    second = submit_claim(world.plan, actor=user, **claim_input())
    assert AidInvoice.objects.get(number="FP0001").claim == second


def test_one_claim_may_list_several_lines_of_one_invoice(world: Any) -> None:
    claim = submit(world, lines=[line("FP9", "100.00"), line("fp9", "200.00")])
    assert claim.lines.count() == 2
    assert AidInvoice.objects.filter(claim=claim).count() == 1


# --- checking ------------------------------------------------------------------------------------


def test_check_computes_the_worked_example_and_keeps_rule_and_steps(world: Any) -> None:
    claim = checked(world)
    assert claim.status == AidClaimStatus.CHECKED
    assert claim.payout == D("5700.00")
    assert claim.rule == world.rule
    assert claim.checked_by == world.handler
    assert claim.payout_steps[-1] == {"label": "Payout: 5,700.00 yuan", "amount": "5700.00"}
    assert all(set(step) == {"label", "amount"} for step in claim.payout_steps)


def test_the_version_in_force_on_the_treatment_date_is_used(world: Any) -> None:
    v2 = make_rule(world.plan, version=2, effective_from=date(2027, 7, 1), deductible=D("500.00"))
    before = checked(world, admitted_on=date(2027, 6, 30), discharged_on=date(2027, 7, 3))
    after = checked(
        world,
        admitted_on=date(2027, 7, 1),
        discharged_on=date(2027, 7, 3),
        lines=[line("FP2", "13500", "1500")],
    )
    assert (before.rule, before.payout) == (world.rule, D("5700.00"))
    assert (after.rule, after.payout) == (v2, D("6050.00"))


def test_the_year_cap_is_shared_by_two_claims_of_one_person(world: Any) -> None:
    world.rule.delete()
    make_rule(world.plan, per_claim_cap=D("8000.00"), per_year_cap=D("8000.00"))
    first = checked(world)
    second = checked(world, lines=[line("FP2", "13500.00", "1500.00")])
    assert first.payout == D("5700.00")
    assert second.payout == D("2300.00")
    assert "2,300.00 yuan left" in second.payout_steps[-2]["label"]
    # Another claim type has its own cap.
    make_rule(world.plan, claim_type="accident", waiting_days=0)
    accident = checked(world, claim_type="accident", treated_on=date(2027, 6, 1), lines=[line("FP3", "2000")])
    assert accident.payout == D("500.00")
    # A rejected claim frees its share: checking again uses it.
    reject_claim(first, actor=world.handler, reason="重复报销")
    assert check_claim(second, actor=world.handler).payout == D("5700.00")


def test_a_check_without_a_rule_in_force_is_a_conflict(world: Any) -> None:
    claim = submit(world, claim_type="accident", treated_on=date(2027, 6, 1))
    with pytest.raises(Conflict, match="no benefit rule"):
        check_claim(claim, actor=world.handler)
    assert AidClaim.objects.get().status == AidClaimStatus.ENTERED


def test_rejected_lines_count_as_excluded_and_recompute(world: Any) -> None:
    claim = checked(world, lines=[line("FP1", "13500.00", "1500.00"), line("FP2", "2000.00")])
    assert claim.payout == D("7100.00")  # 13,000 above the deductible: 5,000 + 3,000 × 70%
    second = claim.lines.get(position=2)
    claim = reject_lines(claim, actor=world.handler, reasons={second.pk: "非本次住院发票"})
    assert claim.status == AidClaimStatus.CHECKED
    assert claim.payout == D("5700.00")
    second.refresh_from_db()
    assert (second.line_status, second.reject_reason) == (LineStatus.REJECTED, "非本次住院发票")
    assert claim.history.last().comment == "FP2: 非本次住院发票"  # type: ignore[union-attr]


def test_line_rejections_need_a_reason_and_a_line_of_the_claim(world: Any) -> None:
    claim = checked(world)
    only = claim.lines.get()
    with pytest.raises(ValidationFailed) as caught:
        reject_lines(claim, actor=world.handler, reasons={only.pk: " ", 99999: "x"})
    assert set(caught.value.fields) == {"lines.0.reason", "lines"}
    assert claim.lines.get().line_status == LineStatus.APPROVED


# --- approval and second review ------------------------------------------------------------------


def test_approve_with_rate_zero_never_samples(world: Any) -> None:
    claims = [checked(world, lines=[line(f"A{n}", "1100.00")]) for n in range(5)]
    for claim in claims:
        approved = approve_claim(claim, actor=world.handler)
        assert (approved.status, approved.second_review) == (AidClaimStatus.APPROVED, False)


def test_approve_with_rate_one_always_samples(world: Any) -> None:
    world.plan.second_review_rate = D("1")
    world.plan.save()
    for n in range(5):
        claim = approve_claim(checked(world, lines=[line(f"A{n}", "1100.00")]), actor=world.handler)
        assert (claim.status, claim.second_review) == (AidClaimStatus.SECOND_REVIEW, True)
        assert claim.history.last().action == AidClaimAction.SEND_TO_REVIEW  # type: ignore[union-attr]


def test_a_zero_payout_is_rejected_not_approved(world: Any) -> None:
    claim = checked(world, lines=[line("FP1", "900.00")])
    assert claim.payout == D("0.00")
    with pytest.raises(Conflict):
        approve_claim(claim, actor=world.handler)


def sampled(world: Any) -> AidClaim:
    world.plan.second_review_rate = D("1")
    world.plan.save()
    return approve_claim(checked(world), actor=world.handler)


def test_the_second_reviewer_confirms(world: Any) -> None:
    claim = second_review_claim(sampled(world), actor=world.reviewer, approve=True)
    assert (claim.status, claim.reviewed_by) == (AidClaimStatus.APPROVED, world.reviewer)


def test_the_second_reviewer_rejects_with_a_reason(world: Any) -> None:
    claim = sampled(world)
    with pytest.raises(ValidationFailed):
        second_review_claim(claim, actor=world.reviewer, approve=False, reason="")
    claim = second_review_claim(claim, actor=world.reviewer, approve=False, reason="诊断与发票不符")
    assert (claim.status, claim.decision_reason) == (AidClaimStatus.REJECTED, "诊断与发票不符")


def test_the_checker_cannot_do_the_second_review(world: Any) -> None:
    claim = sampled(world)
    for approve in (True, False):
        with pytest.raises(Forbidden):
            second_review_claim(claim, actor=world.handler, approve=approve, reason="ok")
    assert AidClaim.objects.get().status == AidClaimStatus.SECOND_REVIEW


# --- rejection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["entered", "checked"])
def test_reject_from_entered_and_checked(world: Any, stage: str) -> None:
    claim = submit(world) if stage == "entered" else checked(world)
    with pytest.raises(ValidationFailed):
        reject_claim(claim, actor=world.handler, reason="  ")
    claim = reject_claim(claim, actor=world.handler, reason="不在保障范围")
    assert claim.status == AidClaimStatus.REJECTED
    assert claim.history.last().comment == "不在保障范围"  # type: ignore[union-attr]
    assert not AidInvoice.objects.exists()


# --- permissions ---------------------------------------------------------------------------------


def test_only_handlers_of_the_plans_federation_decide(world: Any) -> None:
    claim = submit(world)
    union_officer = officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER)
    auditor = officer_at(world.tree.east, "east.auditor", Role.AUDITOR)
    west = officer_at(world.tree.west, "west.admin")
    low_handler = officer_at(world.tree.acme, "acme.admin")  # MUTUALAID_HANDLE below the plan's org
    with pytest.raises(NotFound):
        check_claim(claim, actor=union_officer)
    with pytest.raises(NotFound):
        check_claim(claim, actor=west)
    with pytest.raises(Forbidden):
        check_claim(claim, actor=auditor)
    with pytest.raises(Forbidden):
        check_claim(claim, actor=low_handler)
    with pytest.raises(NotFound):
        check_claim(claim, actor=world.user)
    assert AidClaim.objects.get().status == AidClaimStatus.ENTERED


# --- every (status, action) pair the table refuses --------------------------------------------


def _act(world: Any, claim: AidClaim, action: str) -> Any:
    if action == AidClaimAction.CHECK:
        return check_claim(claim, actor=world.handler)
    if action == AidClaimAction.REJECT_LINES:
        return reject_lines(claim, actor=world.handler, reasons={claim.lines.get().pk: "不符"})
    if action in (AidClaimAction.APPROVE, AidClaimAction.SEND_TO_REVIEW):
        return approve_claim(claim, actor=world.handler)
    if action == AidClaimAction.CONFIRM:
        return second_review_claim(claim, actor=world.reviewer, approve=True)
    if action == AidClaimAction.REJECT:
        return reject_claim(claim, actor=world.reviewer, reason="不符")
    raise AssertionError(action)


CLAIM_LEVEL = [
    AidClaimAction.CHECK,
    AidClaimAction.REJECT_LINES,
    AidClaimAction.APPROVE,
    AidClaimAction.SEND_TO_REVIEW,
    AidClaimAction.CONFIRM,
    AidClaimAction.REJECT,
]
ILLEGAL = [
    (status, action)
    for status in AidClaimStatus.values
    for action in CLAIM_LEVEL
    if not AID_CLAIM_TRANSITIONS.allows(action, status)
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_pairs_are_refused_with_nothing_changed(world: Any, status: str, action: str) -> None:
    claim = checked(world)
    AidClaim.objects.filter(pk=claim.pk).update(status=status)
    before = AidClaim.objects.values().get(pk=claim.pk)
    history = AidClaimHistory.objects.count()
    audits = AuditEvent.objects.count()
    lines = list(claim.lines.values())
    with pytest.raises(InvalidTransition):
        _act(world, AidClaim.objects.get(pk=claim.pk), action)
    assert AidClaim.objects.values().get(pk=claim.pk) == before
    assert AidClaimHistory.objects.count() == history
    assert AuditEvent.objects.count() == audits
    assert list(claim.lines.values()) == lines
    assert AidInvoice.objects.filter(claim=claim).exists()


def test_the_table_has_the_documented_shape() -> None:
    shape = {action: (sorted(t.sources), t.target) for action, t in AID_CLAIM_TRANSITIONS.items()}
    assert shape == {
        "check": (["checked", "entered"], "checked"),
        "reject_lines": (["checked"], "checked"),
        "approve": (["checked"], "approved"),
        "send_to_review": (["checked"], "second_review"),
        "confirm": (["second_review"], "approved"),
        "reject": (["checked", "entered", "second_review"], "rejected"),
        "add_to_payment": (["approved"], "in_payment"),
        "mark_paid": (["in_payment"], "paid"),
        "payment_failed": (["in_payment"], "approved"),
    }


# --- documents -----------------------------------------------------------------------------------


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, "PNG")
    return out.getvalue()


def test_documents_photo_and_pdf_are_kept_privately(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    photo = add_claim_attachment(claim, actor=world.user, name="发票.png", content=png())
    pdf = add_claim_attachment(claim, actor=world.handler, name="出院小结.pdf", content=b"%PDF-1.7\n...")
    assert (photo.content_type, pdf.content_type) == ("image/png", "application/pdf")
    assert photo.file.name.startswith("mutualaid/claims/")
    assert photo.file.name.endswith(".png")
    assert "发票" not in photo.file.name


@pytest.mark.parametrize(
    "content", [b"", b"GIF89a....", b"<html>", b"\x89PNG\r\n\x1a\nbroken", b"%PDF" + b"0" * (10 * 2**20)]
)
def test_documents_that_are_not_photos_or_pdfs_are_refused(
    world: Any, settings: Any, tmp_path: Any, content: bytes
) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    with pytest.raises(ValidationFailed) as caught:
        add_claim_attachment(claim, actor=world.user, name="x.png", content=content)
    assert "file" in caught.value.fields
    assert not AidClaimAttachment.objects.exists()


def test_someone_else_cannot_add_documents(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = submit(world)
    _other, stranger = make_member_with_account(world.tree.acme)
    with pytest.raises(NotFound):
        add_claim_attachment(claim, actor=stranger, name="x.png", content=png())
    reject_claim(claim, actor=world.handler, reason="不符")
    with pytest.raises(Conflict):
        add_claim_attachment(claim, actor=world.user, name="x.png", content=png())


# --- audit ---------------------------------------------------------------------------------------


def test_every_write_is_audited_with_the_bank_account_masked(world: Any) -> None:
    claim = approve_claim(checked(world), actor=world.handler)
    actions = list(
        AuditEvent.objects.filter(object_id=str(claim.pk), object_type="mutualaid.aidclaim")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["mutualaid.submit_claim", "mutualaid.check_claim", "mutualaid.approve_claim"]
    changes = AuditEvent.objects.get(action="mutualaid.submit_claim").changes
    assert changes["bank_account_number"] == [None, "************7890"]
    assert changes["bank_account_name"][1] != "王小明"


def test_the_audit_log_records_no_medical_details(world: Any) -> None:
    # Auditors read the audit log but may not see medical details.
    claim = submit(world)
    changes = AuditEvent.objects.get(action="mutualaid.submit_claim").changes
    assert changes["hospital"] == [None, "***"]
    assert changes["diagnosis_category"] == [None, "***"]
    assert claim.hospital not in str(changes)


def test_domain_errors_only(world: Any) -> None:
    # A claim id that does not exist is NotFound for every service, never a crash.
    for call in (check_claim, approve_claim):
        with pytest.raises(DomainError):
            call(999999, actor=world.handler)
