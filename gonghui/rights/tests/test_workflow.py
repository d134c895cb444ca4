"""The dispute workflow: each legal step, its inputs and side effects, who may take it, and a
property test that every step the table refuses raises InvalidTransition and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import (
    DISPUTE_TRANSITIONS,
    ClaimType,
    Dispute,
    DisputeAction,
    DisputeHistory,
    DisputeStatus,
    ReferralBody,
    Settlement,
)
from gonghui.rights.services import disputes as services
from gonghui.rights.tests.factories import make_centre, make_dispute, make_mediator
from gonghui.workdays.deadlines import due_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree: Any) -> Any:
    return officer_at(tree.east, "east.handler", Role.CASE_HANDLER)


@pytest.fixture
def mediator(tree: Any) -> Any:
    return make_mediator(make_centre(tree.east))


def _step(dispute: Dispute, actor: Any, action: str, **data: Any) -> Dispute:
    return services.apply_action(dispute.pk, actor=actor, action=action, data=data)


def _last_history(dispute: Dispute) -> DisputeHistory:
    return dispute.history.order_by("-id").first()  # type: ignore[return-value]


def test_accepting_assigns_the_centre_and_mediator_and_writes_history(tree, handler, mediator):
    dispute = make_dispute(tree.acme)
    accepted = services.accept_dispute(
        dispute.pk, actor=handler, centre_id=mediator.centre_id, mediator_id=mediator.pk, comment="材料齐全"
    )
    assert accepted.status == DisputeStatus.ACCEPTED
    assert (accepted.centre_id, accepted.mediator_id) == (mediator.centre_id, mediator.pk)
    entry = _last_history(accepted)
    assert (entry.from_status, entry.to_status, entry.actor, entry.comment) == (
        "received",
        "accepted",
        handler,
        "材料齐全",
    )
    assert AuditEvent.objects.filter(action="rights.accept", object_id=str(dispute.pk)).exists()


def test_declining_needs_a_reason_and_concludes_the_dispute(tree, handler, english):
    dispute = make_dispute(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        services.decline_dispute(dispute.pk, actor=handler, reason=" ")
    assert set(caught.value.fields) == {"reason"}
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.RECEIVED
    declined = services.decline_dispute(dispute.pk, actor=handler, reason="不属于劳动争议")
    today = timezone.localdate()
    assert (declined.status, declined.decline_reason, declined.concluded_on) == (
        "declined",
        "不属于劳动争议",
        today,
    )
    assert declined.followup_due == due_date("rights.followup", today)


def test_mediation_starts_only_with_a_mediator(tree, handler, mediator, english):
    dispute = make_dispute(tree.acme, status=DisputeStatus.ACCEPTED)
    with pytest.raises(ValidationFailed) as caught:
        services.start_mediation(dispute.pk, actor=handler)
    assert set(caught.value.fields) == {"mediator"}
    Dispute.objects.filter(pk=dispute.pk).update(mediator=mediator, centre=mediator.centre)
    assert services.start_mediation(dispute.pk, actor=handler).status == DisputeStatus.IN_MEDIATION


def test_settling_records_the_agreement_and_the_amount_per_claim(tree, handler):
    dispute = make_dispute(
        tree.acme,
        status=DisputeStatus.IN_MEDIATION,
        received_on=timezone.localdate() - timedelta(days=3),
        claims=[(ClaimType.WAGE_ARREARS, "8600.00"), (ClaimType.OVERTIME, "1200.50")],
    )
    wages, overtime = dispute.claims.order_by("position")
    settled = services.settle_dispute(
        dispute.pk,
        actor=handler,
        terms="用人单位于2026年12月10日前一次性支付工资8000元、加班费1000元。",
        signed_on=timezone.localdate(),
        payment_due=timezone.localdate() + timedelta(days=7),
        amounts=[
            services.AmountInput(claim_id=wages.pk, amount_agreed="8000", amount_recovered="3000.00"),
            services.AmountInput(claim_id=overtime.pk, amount_agreed=Decimal("1000.00")),
        ],
    )
    assert settled.status == DisputeStatus.SETTLED
    assert settled.concluded_on == timezone.localdate()
    rows = {claim.type: (claim.amount_agreed, claim.amount_recovered) for claim in settled.claims.all()}
    assert rows == {
        "wage_arrears": (Decimal("8000.00"), Decimal("3000.00")),
        "overtime": (Decimal("1000.00"), Decimal("0.00")),
    }
    assert Settlement.objects.get(dispute=dispute).terms.startswith("用人单位")


def test_a_settlement_refuses_bad_amounts_and_dates_all_at_once_and_writes_nothing(tree, handler, english):
    dispute = make_dispute(tree.acme, status=DisputeStatus.IN_MEDIATION, received_on=timezone.localdate())
    claim = dispute.claims.get()
    with pytest.raises(ValidationFailed) as caught:
        services.settle_dispute(
            dispute.pk,
            actor=handler,
            terms="",
            signed_on=timezone.localdate() + timedelta(days=1),
            amounts=[services.AmountInput(claim_id=claim.pk, amount_agreed="100", amount_recovered="200")],
        )
    assert set(caught.value.fields) == {"terms", "signed_on", f"amounts.{claim.pk}.amount_recovered"}
    with pytest.raises(ValidationFailed) as caught:
        services.settle_dispute(
            dispute.pk,
            actor=handler,
            terms="支付",
            signed_on=timezone.localdate(),
            amounts=[services.AmountInput(claim_id=claim.pk, amount_agreed="-1")],
        )
    assert set(caught.value.fields) == {f"amounts.{claim.pk}.amount_agreed"}
    with pytest.raises(ValidationFailed) as caught:
        services.settle_dispute(
            dispute.pk, actor=handler, terms="支付", signed_on=timezone.localdate(), amounts=[]
        )
    assert set(caught.value.fields) == {f"amounts.{claim.pk}.amount_agreed"}
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.IN_MEDIATION
    assert not Settlement.objects.exists()


def test_failing_and_referring_to_arbitration(tree, handler, english):
    dispute = make_dispute(tree.acme, status=DisputeStatus.IN_MEDIATION)
    failed = services.fail_mediation(dispute.pk, actor=handler, reason="用人单位拒绝调解")
    assert (failed.status, failed.concluded_on) == ("failed", timezone.localdate())
    with pytest.raises(ValidationFailed) as caught:
        services.refer_dispute(dispute.pk, actor=handler, referred_to="police", body="", referred_on=None)
    assert set(caught.value.fields) == {"referred_to", "body", "referred_on"}
    referred = services.refer_dispute(
        dispute.pk,
        actor=handler,
        referred_to=ReferralBody.ARBITRATION,
        body="东区劳动人事争议仲裁委员会",
        referred_on=timezone.localdate(),
    )
    assert (referred.status, referred.referral_body) == ("referred", "东区劳动人事争议仲裁委员会")


def test_closing_after_the_follow_up_records_the_recovered_amounts_then_archiving(tree, handler, english):
    dispute = make_dispute(
        tree.acme,
        status=DisputeStatus.SETTLED,
        claims=[(ClaimType.WAGE_ARREARS, "8600.00", "8000.00")],
        concluded_on=timezone.localdate() - timedelta(days=20),
    )
    claim = dispute.claims.get()
    with pytest.raises(ValidationFailed) as caught:
        services.close_dispute(dispute.pk, actor=handler, followup_on=date(2000, 1, 1), note="")
    assert set(caught.value.fields) == {"followup_on", "note"}
    closed = services.close_dispute(
        dispute.pk,
        actor=handler,
        followup_on=timezone.localdate(),
        note="工资已全部到账",
        amounts=[services.AmountInput(claim_id=claim.pk, amount_recovered="8000.00")],
    )
    assert (closed.status, closed.followup_note) == ("closed", "工资已全部到账")
    assert closed.claims.get().amount_recovered == Decimal("8000.00")
    assert services.archive_dispute(dispute.pk, actor=handler).status == DisputeStatus.ARCHIVED
    assert [entry.to_status for entry in dispute.history.order_by("id")] == ["closed", "archived"]


def test_a_declined_dispute_can_be_closed_too(tree, handler):
    dispute = make_dispute(tree.acme, status=DisputeStatus.DECLINED)
    closed = _step(dispute, handler, DisputeAction.CLOSE, followup_on=timezone.localdate(), note="已电话告知")
    assert closed.status == DisputeStatus.CLOSED


def test_the_assigned_mediator_mediates_but_does_not_accept_or_refer(tree, mediator, english):
    dispute = make_dispute(tree.acme, status=DisputeStatus.ACCEPTED, mediator=mediator)
    user = mediator.user
    assert services.start_mediation(dispute.pk, actor=user).status == DisputeStatus.IN_MEDIATION
    assert services.fail_mediation(dispute.pk, actor=user, reason="双方分歧大").status == DisputeStatus.FAILED
    with pytest.raises(Forbidden):
        _step(
            dispute,
            user,
            DisputeAction.REFER,
            referred_to="court",
            body="东区人民法院",
            referred_on="2026-01-05",
        )
    fresh = make_dispute(tree.acme, mediator=mediator)
    with pytest.raises(Forbidden):
        services.accept_dispute(fresh.pk, actor=user)
    other = make_dispute(tree.acme, status=DisputeStatus.ACCEPTED)
    with pytest.raises(NotFound):
        services.start_mediation(other.pk, actor=user)


def test_a_switched_off_mediator_reaches_nothing(tree, mediator):
    dispute = make_dispute(tree.acme, status=DisputeStatus.ACCEPTED, mediator=mediator)
    mediator.active = False
    mediator.save()
    with pytest.raises(NotFound):
        services.start_mediation(dispute.pk, actor=mediator.user)


def test_viewers_may_not_act_and_other_districts_find_nothing(tree, english):
    dispute = make_dispute(tree.acme)
    auditor = officer_at(tree.city, "city.auditor", Role.AUDITOR)
    with pytest.raises(Forbidden):
        services.accept_dispute(dispute.pk, actor=auditor)
    with pytest.raises(NotFound):
        services.accept_dispute(dispute.pk, actor=officer_at(tree.west, "west.handler", Role.CASE_HANDLER))
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.RECEIVED


def test_an_unknown_action_is_bad_input(tree, handler):
    dispute = make_dispute(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        _step(dispute, handler, "teleport")
    assert set(caught.value.fields) == {"action"}


ILLEGAL = [
    (status, action)
    for status in DisputeStatus.values
    for action in DISPUTE_TRANSITIONS
    if not DISPUTE_TRANSITIONS.allows(action, status)
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=st.sampled_from(ILLEGAL))
def test_every_refused_step_raises_invalid_transition_and_changes_nothing(tree, pair):
    status, action = pair
    handler = officer_at(
        tree.east, f"h{DisputeHistory.objects.count()}{Dispute.objects.count()}", Role.CASE_HANDLER
    )
    dispute = make_dispute(tree.acme, status=status)
    before = Dispute.objects.filter(pk=dispute.pk).values().get()
    counts = (DisputeHistory.objects.count(), AuditEvent.objects.count(), Settlement.objects.count())
    data = {
        "reason": "原因",
        "terms": "条款",
        "signed_on": timezone.localdate().isoformat(),
        "amounts": [{"claim_id": claim.pk, "amount_agreed": "1.00"} for claim in dispute.claims.all()],
        "referred_to": "arbitration",
        "body": "仲裁委",
        "referred_on": timezone.localdate().isoformat(),
        "followup_on": timezone.localdate().isoformat(),
        "note": "回访",
    }
    with pytest.raises(InvalidTransition):
        _step(dispute, handler, action, **data)
    assert Dispute.objects.filter(pk=dispute.pk).values().get() == before
    assert (DisputeHistory.objects.count(), AuditEvent.objects.count(), Settlement.objects.count()) == counts


def test_the_table_covers_every_status():
    reachable = {transition.target for transition in DISPUTE_TRANSITIONS.values()}
    assert reachable | {DisputeStatus.RECEIVED} == set(DisputeStatus)
