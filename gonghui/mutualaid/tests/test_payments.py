"""Payments: a batch of the approved claims, the bank transfer file, paid and failed claims."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.mutualaid.models import AidClaim, AidClaimAction, AidClaimStatus, PaymentBatchStatus
from gonghui.mutualaid.services.claims import approve_claim, check_claim, submit_claim
from gonghui.mutualaid.services.payments import (
    bank_transfer_file,
    create_payment_batch,
    export_payment_batch,
    mark_paid,
)
from gonghui.mutualaid.tests.factories import claim_input, line, make_enrolment, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db

D = Decimal


def approved(world: Any, user: Any, number: str, amount: str, **overrides: Any) -> AidClaim:
    claim = submit_claim(world.plan, actor=user, **claim_input(lines=[line(number, amount)], **overrides))
    return approve_claim(check_claim(claim, actor=world.handler), actor=world.handler)


@pytest.fixture
def two(world: Any) -> list[AidClaim]:
    other, user = make_member_with_account(world.tree.beta)
    make_enrolment(world.plan, other)
    return [
        approved(world, world.user, "FP1", "13500.00"),  # 12,500 above: 5,000 + 1,750 = 6,750.00
        approved(
            world,
            user,
            "FP2",
            "2000.01",
            bank_account_name="=HYPERLINK(1)",
            bank_account_number="6222000011112222",
        ),
    ]


def test_a_batch_takes_every_approved_claim(world: Any, two: list[AidClaim]) -> None:
    batch = create_payment_batch(world.plan, actor=world.handler)
    assert (batch.count, batch.total, batch.status) == (2, D("7250.01"), PaymentBatchStatus.OPEN)
    assert set(AidClaim.objects.values_list("status", flat=True)) == {AidClaimStatus.IN_PAYMENT}
    assert all(c.history.last().action == AidClaimAction.ADD_TO_PAYMENT for c in AidClaim.objects.all())  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        create_payment_batch(world.plan, actor=world.handler)


def test_the_transfer_file_is_exact_utf8_with_bom_and_has_no_formulas(
    world: Any, two: list[AidClaim]
) -> None:
    batch = create_payment_batch(world.plan, actor=world.handler)
    content = export_payment_batch(batch, actor=world.handler)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "户名", "账号", "金额", "用途"]
    assert [row[:4] for row in rows[1:]] == [
        ["1", "王小明", "6222021234567890", "6750.00"],
        ["2", "'=HYPERLINK(1)", "6222000011112222", "500.01"],
    ]
    assert two[0].reference in rows[1][4]
    assert sum(D(row[3]) for row in rows[1:]) == batch.total
    batch.refresh_from_db()
    assert batch.status == PaymentBatchStatus.EXPORTED
    assert bank_transfer_file(batch) == content


def test_paid_and_failed_claims_after_the_banks_answer(world: Any, two: list[AidClaim]) -> None:
    batch = create_payment_batch(world.plan, actor=world.handler)
    with pytest.raises(Conflict):
        mark_paid(batch, actor=world.handler)  # not exported yet
    export_payment_batch(batch, actor=world.handler)
    failed = two[1]
    with pytest.raises(ValidationFailed) as caught:
        mark_paid(batch, actor=world.handler, failed_claim_ids=[failed.pk, 999999], reasons={})
    assert set(caught.value.fields) == {"failed_claim_ids", f"reasons.{failed.pk}"}
    assert AidClaim.objects.filter(status=AidClaimStatus.IN_PAYMENT).count() == 2
    batch = mark_paid(
        batch, actor=world.handler, failed_claim_ids=[failed.pk], reasons={failed.pk: "账号户名不符"}
    )
    assert batch.status == PaymentBatchStatus.CLOSED
    paid, back = AidClaim.objects.get(pk=two[0].pk), AidClaim.objects.get(pk=failed.pk)
    assert (paid.status, paid.paid_at is not None) == (AidClaimStatus.PAID, True)
    assert (back.status, back.payment_batch) == (AidClaimStatus.APPROVED, None)
    last = back.history.last()
    assert last is not None
    assert (last.action, last.comment) == (AidClaimAction.PAYMENT_FAILED, "账号户名不符")
    # Back in the queue: the next batch takes it.
    again = create_payment_batch(world.plan, actor=world.handler)
    assert list(again.claims.values_list("pk", flat=True)) == [failed.pk]
    with pytest.raises(Conflict):
        export_payment_batch(batch, actor=world.handler)  # closed


def test_payments_need_a_claim_handler_of_the_federation(world: Any, two: list[AidClaim]) -> None:
    with pytest.raises(Forbidden):
        create_payment_batch(world.plan, actor=officer_at(world.tree.east, "east.fin", Role.FINANCE_OFFICER))
    with pytest.raises(NotFound):
        create_payment_batch(world.plan, actor=officer_at(world.tree.west, "west.admin"))
    assert AidClaim.objects.filter(status=AidClaimStatus.APPROVED).count() == 2
