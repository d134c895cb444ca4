"""Grant services: proposing by ID number or from a hardship file, approving (paid through the
ledger, four-eyes, insufficient funds), rejecting, reversing; history and audit for each."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.assistance.models import (
    GRANT_TRANSITIONS,
    EntryKind,
    Fund,
    FundEntry,
    FundStatus,
    Grant,
    GrantAction,
    GrantPurpose,
    GrantStatus,
    HardshipFileStatus,
)
from gonghui.assistance.services.funds import InsufficientFunds, correct_fund, deposit
from gonghui.assistance.services.grants import (
    approve_grant,
    grant_decisions,
    member_grants,
    propose_grant,
    reject_grant,
    reverse_grant,
)
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import (
    assert_ledger_consistent,
    handler_at,
    keeper_at,
    make_file_on_record,
    make_grant,
    make_member,
)
from gonghui.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.members.models import MemberStatus
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import make_tree, officer_at

pytestmark = pytest.mark.django_db

_names = count()


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def people(tree):
    return {
        "handler": handler_at(tree.acme),
        "keeper": keeper_at(tree.east),
        "member": make_member(tree.acme),
        "fund": fund_with(tree.east, "1000.00"),
    }


def propose(people: dict[str, Any], **values: Any) -> Grant:
    data = {
        "actor": people["handler"],
        "fund": people["fund"],
        "purpose": GrantPurpose.MEDICAL,
        "amount": "300.00",
        "reason": "本人患病住院，自付医疗费较多",
        "id_number": people["member"].id_number,
    }
    data.update(values)
    return propose_grant(**data)


def test_a_union_officer_proposes_a_grant_by_id_number(people):
    grant = propose(people, id_number=people["member"].id_number.lower() + " ")
    assert grant.status == GrantStatus.PROPOSED
    assert grant.member == people["member"]
    assert grant.org == people["member"].org
    assert grant.person_index == people["member"].id_number_index
    assert grant.amount == Decimal("300.00")
    assert grant.proposed_by == people["handler"]
    assert grant.hardship_file is None
    assert [(row.action, row.to_status) for row in grant.history.all()] == [("propose", "proposed")]
    assert AuditEvent.objects.filter(action="assistance.propose_grant", object_id=str(grant.pk)).exists()
    assert not FundEntry.objects.filter(grant=grant).exists()


def test_a_grant_from_a_hardship_file_names_the_file(people):
    file = make_file_on_record(people["member"])
    grant = propose(people, id_number=None, hardship_file=file.pk)
    assert grant.hardship_file == file
    assert grant.member == people["member"]


def test_a_file_not_on_record_or_of_another_person_is_refused(tree, people, english):
    applied = make_file_on_record(people["member"], status=HardshipFileStatus.APPLIED)
    with pytest.raises(ValidationFailed) as caught:
        propose(people, id_number=None, hardship_file=applied)
    assert set(caught.value.fields) == {"hardship_file"}
    other = make_file_on_record(make_member(tree.acme, name="赵二"))
    with pytest.raises(ValidationFailed) as caught:
        propose(people, hardship_file=other)
    assert set(caught.value.fields) == {"id_number"}
    assert not Grant.objects.exists()


def test_proposing_refuses_bad_input_all_at_once(people, english):
    with pytest.raises(ValidationFailed) as caught:
        propose(people, id_number="330203", purpose=GrantPurpose.SEASONAL, amount="-1", reason="", fund=None)
    assert set(caught.value.fields) == {"id_number", "purpose", "amount", "reason", "fund"}
    assert not Grant.objects.exists()


def test_a_member_outside_the_officers_unions_is_like_no_member(tree, people):
    stranger = make_member(tree.gamma)
    with pytest.raises(ValidationFailed) as caught:
        propose(people, id_number=stranger.id_number)
    assert set(caught.value.fields) == {"id_number"}
    left = make_member(tree.acme)
    left.status = MemberStatus.LEFT
    left.save()
    with pytest.raises(ValidationFailed):
        propose(people, id_number=left.id_number)


def test_the_fund_must_cover_the_members_union_and_be_open(tree, people):
    west = fund_with(tree.west, "1000.00", name="西区基金")
    with pytest.raises(ValidationFailed) as caught:
        propose(people, fund=west)
    assert set(caught.value.fields) == {"fund"}
    Fund.objects.filter(pk=people["fund"].pk).update(status=FundStatus.CLOSED)
    with pytest.raises(ValidationFailed):
        propose(people)
    own = fund_with(tree.acme, "50.00", name="甲公司帮扶金")
    assert propose(people, fund=own).fund == own


def test_only_assistance_handlers_propose(tree, people):
    # Out of reach is answered like a member who does not exist.
    with pytest.raises(ValidationFailed) as caught:
        propose(people, actor=officer_at(tree.east, "auditor", Role.AUDITOR))
    assert set(caught.value.fields) == {"id_number"}
    with pytest.raises(ValidationFailed):  # keepers decide; they do not propose
        propose(people, actor=people["keeper"])
    assert not Grant.objects.exists()


def test_approving_pays_the_grant_from_the_fund(people):
    grant = propose(people)
    approve_grant(grant, actor=people["keeper"], note="同意")
    assert grant.status == GrantStatus.APPROVED
    assert grant.decided_by_id == people["keeper"].pk
    assert grant.decided_at is not None
    (entry,) = FundEntry.objects.filter(grant=grant)
    assert entry.kind == EntryKind.GRANT
    assert entry.amount == Decimal("-300.00")
    assert entry.balance_after == Decimal("700.00")
    assert [row.action for row in grant.history.all()] == ["propose", "approve"]
    assert AuditEvent.objects.filter(action="assistance.approve_grant").count() == 1
    assert_ledger_consistent(people["fund"])


def test_the_proposer_never_approves_their_own_grant(tree, people):
    admin = officer_at(tree.east, "admin", Role.FEDERATION_ADMIN)
    grant = propose(people, actor=admin)
    with pytest.raises(Forbidden) as caught:
        approve_grant(grant, actor=admin)
    assert caught.value.code == "four_eyes"
    assert grant_decisions(admin, grant) == [GrantAction.REJECT]
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.PROPOSED
    approve_grant(grant, actor=people["keeper"])
    assert_ledger_consistent(people["fund"])


def test_a_fund_that_cannot_pay_refuses_the_approval_and_nothing_changes(people, english):
    grant = propose(people, amount="1000.01")
    with pytest.raises(InsufficientFunds) as caught:
        approve_grant(grant, actor=people["keeper"])
    assert "¥1,000.00" in caught.value.message
    assert "¥0.01" in caught.value.message
    fresh = Grant.objects.get(pk=grant.pk)
    assert fresh.status == GrantStatus.PROPOSED
    assert fresh.history.count() == 1
    assert not AuditEvent.objects.filter(action="assistance.approve_grant").exists()
    assert_ledger_consistent(people["fund"])


def test_the_insufficient_funds_message_is_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        message = InsufficientFunds(balance=Decimal("5.00"), shortfall=Decimal("1.00")).message
    assert message.startswith("基金余额不足")


def test_only_the_funds_keepers_decide(tree, people):
    grant = propose(people)
    with pytest.raises(Forbidden):
        approve_grant(grant, actor=people["handler"])
    with pytest.raises(NotFound):
        approve_grant(grant, actor=keeper_at(tree.west, "west"))
    with pytest.raises(Forbidden):  # keeps the acme funds, not the east federation's
        reject_grant(grant, actor=keeper_at(tree.acme, "acme"), reason="不符合条件")
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.PROPOSED


def test_rejecting_needs_a_reason(people):
    grant = propose(people)
    with pytest.raises(ValidationFailed) as caught:
        reject_grant(grant, actor=people["keeper"], reason="  ")
    assert set(caught.value.fields) == {"reason"}
    reject_grant(grant, actor=people["keeper"], reason="家庭人均收入高于当地标准")
    assert grant.status == GrantStatus.REJECTED
    assert grant.decision_reason == "家庭人均收入高于当地标准"
    assert [row.comment for row in grant.history.all()][-1] == "家庭人均收入高于当地标准"
    assert not FundEntry.objects.filter(grant=grant).exists()


def test_reversing_pays_the_money_back_with_a_new_entry(people):
    grant = propose(people)
    approve_grant(grant, actor=people["keeper"], note="同意")
    with pytest.raises(ValidationFailed):
        reverse_grant(grant, actor=people["keeper"], reason="")
    reverse_grant(grant, actor=people["keeper"], reason="重复发放，已退回")
    assert grant.status == GrantStatus.REVERSED
    assert grant.decision_reason == "同意"  # the approval stays as it was
    kinds = list(FundEntry.objects.filter(grant=grant).order_by("id").values_list("kind", "amount"))
    assert kinds == [(EntryKind.GRANT, Decimal("-300.00")), (EntryKind.REVERSAL, Decimal("300.00"))]
    assert Fund.objects.get(pk=people["fund"].pk).balance == Decimal("1000.00")
    assert [row.action for row in grant.history.all()] == ["propose", "approve", "reverse"]
    assert_ledger_consistent(people["fund"])


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (status, action)
        for status in GrantStatus
        for action in GRANT_TRANSITIONS
        if not GRANT_TRANSITIONS.allows(action, status)
    ],
)
def test_every_illegal_step_is_refused_and_changes_nothing(people, status, action):
    grant = make_grant(people["fund"], people["member"])
    Grant.objects.filter(pk=grant.pk).update(status=status)
    services: dict[str, Any] = {"approve": approve_grant, "reject": reject_grant, "reverse": reverse_grant}
    service = services[action]
    kwargs = {} if action == "approve" else {"reason": "理由"}
    with pytest.raises(InvalidTransition):
        service(grant, actor=people["keeper"], **kwargs)
    assert Grant.objects.get(pk=grant.pk).status == status
    assert not FundEntry.objects.filter(grant=grant).exists()


def test_a_member_sees_only_their_decided_grants(tree, people):
    from gonghui.benefits.tests.factories import make_member_with_account

    member, user = make_member_with_account(tree.acme)
    people = {**people, "member": member}
    paid = propose(people)
    approve_grant(paid, actor=people["keeper"])
    propose(people, amount="10.00")  # still waiting
    assert list(member_grants(user)) == [paid]


def test_member_api_lists_only_my_paid_grants(tree, people, client):
    from gonghui.benefits.tests.factories import make_member_with_account

    member, user = make_member_with_account(tree.acme)
    people = {**people, "member": member}
    paid = propose(people)
    approve_grant(paid, actor=people["keeper"])
    propose(people, amount="10.00")  # still waiting
    assert client.get("/api/v1/assistance/me/grants").status_code == 401
    client.force_login(user)
    items = client.get("/api/v1/assistance/me/grants").json()["items"]
    assert [(item["id"], item["amount"], item["status"]) for item in items] == [
        (paid.pk, str(paid.amount), "approved")
    ]
    client.force_login(make_member_with_account(tree.beta)[1])
    assert client.get("/api/v1/assistance/me/grants").json()["items"] == []


_step = st.one_of(
    st.tuples(st.just("deposit"), st.integers(1, 200_000)),
    st.tuples(st.just("grant"), st.integers(1, 150_000)),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("correct"), st.integers(-150_000, 150_000).filter(bool)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=15))
def test_random_service_sequences_hold_the_invariant(tree, people, steps):
    fund = fund_with(tree.east, name=f"基金{next(_names)}")
    keeper, handler, member = people["keeper"], people["handler"], people["member"]
    expected = Decimal("0.00")
    approved: list[Grant] = []
    for kind, number in steps:
        amount = Decimal(number).scaleb(-2)
        try:
            if kind == "deposit":
                deposit(fund, actor=keeper, amount=str(amount), memo="拨款")
                expected += amount
            elif kind == "correct":
                correct_fund(fund, actor=keeper, amount=str(amount), reason="冲正")
                expected += amount
            elif kind == "grant":
                grant = propose_grant(
                    actor=handler,
                    fund=fund,
                    purpose=GrantPurpose.LIVING,
                    amount=str(amount),
                    reason="生活困难",
                    id_number=member.id_number,
                )
                approve_grant(grant, actor=keeper)
                expected -= amount
                approved.append(grant)
            elif approved:
                grant = approved.pop(number % len(approved))
                reverse_grant(grant, actor=keeper, reason="撤销")
                expected += grant.amount
        except InsufficientFunds:
            assert expected - amount < 0 if kind == "grant" else expected + amount < 0
        assert expected >= 0
        assert Fund.objects.get(pk=fund.pk).balance == expected
        assert_ledger_consistent(fund)
