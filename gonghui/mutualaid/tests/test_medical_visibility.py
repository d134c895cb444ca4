"""Medical details (hospital, diagnosis, dates, invoice lines, documents, payout explanation) are
for claim handlers and the member only: `selectors.can_see_medical` decides it for every role,
and the console pages, the API and the transfer file follow it."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import AidClaim
from gonghui.mutualaid.services.claims import (
    add_claim_attachment,
    approve_claim,
    check_claim,
    reject_lines,
    submit_claim,
)
from gonghui.mutualaid.services.payments import create_payment_batch, export_payment_batch
from gonghui.mutualaid.tests.factories import claim_input, line, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at

pytestmark = pytest.mark.django_db

HOSPITAL = "示范市第一人民医院"
DIAGNOSIS = "Heart and blood vessels"  # the label of "cardiovascular" (the tests run in English)
DOCUMENT = "出院小结.pdf"
REASON = "自费药品不予报销"


@pytest.fixture
def claim(world: Any, settings: Any, tmp_path: Any) -> AidClaim:
    """A checked claim with a rejected line (its reason names a medicine) and a document."""
    settings.MEDIA_ROOT = tmp_path
    submitted = submit_claim(
        world.plan,
        actor=world.user,
        **claim_input(
            lines=[line("FP0001", "13500.00", "1500.00"), line("FP0002", "800.00", description="进口药")]
        ),
    )
    add_claim_attachment(submitted, actor=world.user, name=DOCUMENT, content=b"%PDF-1.7\n")
    checked = check_claim(submitted, actor=world.handler)
    return reject_lines(checked, actor=world.handler, reasons={checked.lines.get(position=2).pk: REASON})


@pytest.fixture
def visitors(world: Any) -> dict[str, tuple[Any, bool]]:
    """Each kind of visitor and whether they may see the medical details."""
    _other_member, other_user = make_member_with_account(world.tree.acme)
    return {
        "handler of the plan's federation": (world.handler, True),
        "handler of the member's union": (officer_at(world.tree.acme, "acme.admin"), True),
        "handler of the city above": (officer_at(world.tree.city, "city.admin"), True),
        "handler of another district": (officer_at(world.tree.west, "west.admin"), False),
        "finance officer": (officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER), False),
        "auditor": (officer_at(world.tree.east, "east.auditor", Role.AUDITOR), False),
        "union officer": (officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER), False),
        "the member": (world.user, True),
        "another member": (other_user, False),
    }


def test_can_see_medical_for_each_role(visitors: dict[str, tuple[Any, bool]], claim: AidClaim) -> None:
    for role, (user, allowed) in visitors.items():
        assert selectors.can_see_medical(user, claim) is allowed, role


def test_anonymous_visitors_see_nothing(world: Any, claim: AidClaim) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert selectors.can_see_medical(AnonymousUser(), claim) is False


def test_the_console_claim_page_shows_medical_details_only_to_handlers(
    visitors: dict[str, tuple[Any, bool]], claim: AidClaim
) -> None:
    url = f"/console/mutualaid/claims/{claim.pk}/"
    document = claim.attachments.get()
    for role in ("handler of the plan's federation", "handler of the member's union"):
        user, _ = visitors[role]
        html = client_for(user).get(url).content.decode()
        for secret in (HOSPITAL, DIAGNOSIS, "FP0002", REASON, DOCUMENT, claim.payout_steps[0]["label"]):
            assert secret in html, (role, secret)
        assert f"/documents/{document.pk}/" in html
    for role in ("finance officer", "auditor"):
        user, _ = visitors[role]
        response = client_for(user).get(url)
        html = response.content.decode()
        assert response.status_code == 200, role
        assert claim.reference in html
        assert "5,700.00" in html  # the payout is not a medical detail
        for secret in (
            HOSPITAL,
            DIAGNOSIS,
            "FP0002",
            "进口药",
            REASON,
            DOCUMENT,
            claim.payout_steps[0]["label"],
        ):
            assert secret not in html, (role, secret)
        assert "data-medical-hidden" in html


def test_the_api_gives_the_medical_part_only_to_handlers(
    world: Any, visitors: dict[str, tuple[Any, bool]], claim: AidClaim
) -> None:
    url = f"/api/v1/mutualaid/claims/{claim.pk}"
    body = client_for(world.handler).get(url).json()
    assert body["medical"]["hospital"] == HOSPITAL
    assert any(REASON in step["comment"] for step in body["history"])
    for role in ("finance officer", "auditor"):
        user, _ = visitors[role]
        response = client_for(user).get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["medical"] is None
        assert body["payout"] == str(claim.payout)
        text = response.content.decode()
        for secret in (HOSPITAL, "cardiovascular", "FP0002", REASON, DOCUMENT):
            assert secret not in text, (role, secret)
    listing = client_for(world.handler).get("/api/v1/mutualaid/claims").content.decode()
    assert HOSPITAL not in listing
    assert "FP0001" not in listing


def test_payments_and_the_transfer_file_carry_no_medical_detail(
    world: Any, visitors: dict[str, tuple[Any, bool]], claim: AidClaim
) -> None:
    approve_claim(claim, actor=world.handler)
    batch = create_payment_batch(world.plan, actor=world.handler)
    finance, _ = visitors["finance officer"]
    for user in (world.handler, finance):
        html = client_for(user).get(f"/console/mutualaid/payments/{batch.pk}/").content.decode()
        body = client_for(user).get(f"/api/v1/mutualaid/payment-batches/{batch.pk}").content.decode()
        for text in (html, body):
            assert claim.reference in text
            for secret in (HOSPITAL, DIAGNOSIS, "cardiovascular", "FP0001", REASON):
                assert secret not in text
    content = export_payment_batch(batch, actor=world.handler).decode("utf-8-sig")
    assert claim.reference in content
    for secret in (HOSPITAL, "FP0001", REASON, "cardiovascular"):
        assert secret not in content


def test_the_queue_shows_no_medical_detail_to_anyone(
    world: Any, visitors: dict[str, tuple[Any, bool]], claim: AidClaim
) -> None:
    for user in (world.handler, visitors["auditor"][0]):
        html = client_for(user).get("/console/mutualaid/claims/?status=checked").content.decode()
        assert f'data-row-id="{claim.pk}"' in html
        assert HOSPITAL not in html
        assert "FP0001" not in html
