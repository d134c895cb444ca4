"""The legal aid workflow: every legal step with its preconditions and history row, who may take
it (handlers, the assigned lawyer, the applicant's rating), and that every step the table
refuses raises InvalidTransition and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.legal.models import AID_TRANSITIONS, AidAction, AidStatus, LegalAid, LegalAidHistory, Outcome
from gonghui.legal.services.aid import StepInput, available_steps, rate_aid, take_step
from gonghui.legal.tests.factories import make_aid, make_lawyer, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree: Tree) -> Any:
    return officer_at(tree.east, "east.handler", Role.CASE_HANDLER)


def _step(aid: LegalAid, action: str, actor: Any, **data: Any) -> LegalAid:
    return take_step(aid.pk, action, actor=actor, data=StepInput(**data))


def _last_history(aid: LegalAid) -> LegalAidHistory:
    return LegalAidHistory.objects.filter(aid=aid).order_by("-id")[0]


def test_review_then_approve(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme)
    _step(aid, AidAction.REVIEW, handler)
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.UNDER_REVIEW
    _step(aid, AidAction.APPROVE, handler, comment="符合条件")
    found = LegalAid.objects.get(pk=aid.pk)
    assert found.status == AidStatus.APPROVED
    entry = _last_history(aid)
    assert (entry.from_status, entry.to_status, entry.actor_id, entry.comment) == (
        AidStatus.UNDER_REVIEW,
        AidStatus.APPROVED,
        handler.pk,
        "符合条件",
    )
    assert AuditEvent.objects.filter(action="legal.approve_aid", object_id=str(aid.pk)).exists()


def test_an_ineligible_application_cannot_be_granted(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme, status=AidStatus.UNDER_REVIEW, is_eligible=False, eligible_as_member=False)
    with pytest.raises(Conflict) as caught:
        _step(aid, AidAction.APPROVE, handler)
    assert caught.value.code == "not_eligible"
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.UNDER_REVIEW


def test_rejecting_needs_a_reason_and_records_it(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme, status=AidStatus.UNDER_REVIEW)
    with pytest.raises(ValidationFailed) as caught:
        _step(aid, AidAction.REJECT, handler, reason="  ")
    assert "reason" in caught.value.fields
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.UNDER_REVIEW
    _step(aid, AidAction.REJECT, handler, reason="不属于劳动争议")
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.reject_reason) == (AidStatus.REJECTED, "不属于劳动争议")
    assert _last_history(aid).comment == "不属于劳动争议"


def test_assigning_needs_a_lawyer_serving_the_union(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme, status=AidStatus.APPROVED)
    west_lawyer = make_lawyer(tree.west)
    switched_off = make_lawyer(tree.east, is_active=False)
    for lawyer_id in (None, west_lawyer.pk, switched_off.pk):
        with pytest.raises(ValidationFailed) as caught:
            _step(aid, AidAction.ASSIGN, handler, lawyer_id=lawyer_id)
        assert "lawyer" in caught.value.fields
    assert LegalAid.objects.get(pk=aid.pk).lawyer_id is None
    lawyer = make_lawyer(tree.east)  # serves the district, so every union under it
    _step(aid, AidAction.ASSIGN, handler, lawyer_id=lawyer.pk)
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.lawyer_id) == (AidStatus.ASSIGNED, lawyer.pk)


def test_the_assigned_lawyer_starts_and_concludes(tree: Tree) -> None:
    lawyer = make_lawyer(tree.east)
    aid = make_aid(tree.acme, status=AidStatus.ASSIGNED, lawyer=lawyer)
    assert available_steps(lawyer.user, aid) == [AidAction.START]
    _step(aid, AidAction.START, lawyer.user)
    with pytest.raises(ValidationFailed) as caught:
        _step(aid, AidAction.CONCLUDE, lawyer.user, outcome="great", amount_recovered="1.234", summary="")
    assert set(caught.value.fields) == {"outcome", "amount_recovered", "summary"}
    _step(
        aid,
        AidAction.CONCLUDE,
        lawyer.user,
        outcome=Outcome.SETTLED,
        amount_recovered="8000.50",
        summary="调解结案",
    )
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.outcome, found.amount_recovered) == (
        AidStatus.CONCLUDED,
        Outcome.SETTLED,
        Decimal("8000.50"),
    )
    assert found.concluded_on is not None


def test_another_lawyer_is_told_the_case_does_not_exist(tree: Tree) -> None:
    aid = make_aid(tree.acme, status=AidStatus.ASSIGNED)
    other = make_lawyer(tree.east)
    with pytest.raises(NotFound):
        _step(aid, AidAction.START, other.user)
    assert available_steps(other.user, aid) == []


def test_a_lawyer_cannot_take_the_handlers_steps(tree: Tree) -> None:
    lawyer = make_lawyer(tree.east)
    aid = make_aid(tree.acme, status=AidStatus.UNDER_REVIEW, lawyer=lawyer)
    with pytest.raises(NotFound):
        _step(aid, AidAction.APPROVE, lawyer.user)


def test_the_applicant_rates_and_closes(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    aid = make_aid(tree.acme, status=AidStatus.CONCLUDED, applicant=user, member=member)
    with pytest.raises(ValidationFailed):
        rate_aid(aid.pk, actor=user, rating=6)
    rate_aid(aid.pk, actor=user, rating=5, comment="律师很专业")
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.rating, found.rating_comment) == (AidStatus.CLOSED, 5, "律师很专业")


def test_another_worker_cannot_rate(tree: Tree) -> None:
    _, owner = make_member_with_account(tree.acme)
    _, stranger = make_member_with_account(tree.acme)
    aid = make_aid(tree.acme, status=AidStatus.CONCLUDED, applicant=owner)
    with pytest.raises(NotFound):
        rate_aid(aid.pk, actor=stranger, rating=1)
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.CONCLUDED


def test_a_handler_may_close_without_a_rating(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme, status=AidStatus.CONCLUDED)
    _step(aid, AidAction.CLOSE, handler, comment="申请人未评价")
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.rating) == (AidStatus.CLOSED, None)


def test_a_viewer_is_forbidden_and_an_outsider_finds_nothing(tree: Tree) -> None:
    aid = make_aid(tree.acme)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    west = officer_at(tree.west, "west.handler", Role.CASE_HANDLER)
    with pytest.raises(Forbidden):
        _step(aid, AidAction.REVIEW, auditor)
    with pytest.raises(NotFound):
        _step(aid, AidAction.REVIEW, west)
    assert LegalAid.objects.get(pk=aid.pk).status == AidStatus.SUBMITTED


def test_an_unknown_action_is_bad_input(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        take_step(aid.pk, "teleport", actor=handler)
    assert "action" in caught.value.fields


def _ready(aid: LegalAid, action: str) -> dict[str, Any]:
    """Inputs that would satisfy `action` if the status allowed it."""
    if action == AidAction.REJECT:
        return {"reason": "理由"}
    if action == AidAction.ASSIGN:
        return {"lawyer_id": aid.lawyer_id or make_lawyer(aid.org).pk}
    if action == AidAction.CONCLUDE:
        return {"outcome": "won", "amount_recovered": "1.00", "summary": "胜诉"}
    return {}


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (status, action)
        for status in AidStatus
        for action in AID_TRANSITIONS
        if not AID_TRANSITIONS.allows(action, status)
    ],
)
def test_every_refused_step_changes_nothing(tree: Tree, handler: Any, status: str, action: str) -> None:
    aid = make_aid(tree.acme, status=status)
    history = LegalAidHistory.objects.filter(aid=aid).count()
    with pytest.raises(InvalidTransition):
        _step(aid, action, handler, **_ready(aid, action))
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.lawyer_id, found.reject_reason, found.outcome) == (
        status,
        aid.lawyer_id,
        "",
        "",
    )
    assert LegalAidHistory.objects.filter(aid=aid).count() == history


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(list(AID_TRANSITIONS)), min_size=1, max_size=10))
def test_any_sequence_follows_the_table(tree: Tree, handler: Any, actions: list[str]) -> None:
    """Whatever steps are tried in whatever order, a step succeeds exactly when the table allows
    it from the current status, and the history has one row per success."""
    aid = make_aid(tree.acme)
    status = AidStatus.SUBMITTED
    successes = 0
    for action in actions:
        current = LegalAid.objects.get(pk=aid.pk)
        if AID_TRANSITIONS.allows(action, status):
            _step(current, action, handler, **_ready(current, action))
            status = AID_TRANSITIONS[action].target
            successes += 1
        else:
            with pytest.raises(InvalidTransition):
                _step(current, action, handler, **_ready(current, action))
        assert LegalAid.objects.get(pk=aid.pk).status == status
    assert LegalAidHistory.objects.filter(aid=aid).count() == successes + 1
