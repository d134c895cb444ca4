"""The daily command: the expiry reminder once per contract on its reminder day (a rule of
gonghui.workdays, i.e. data), SMS to the union's contact phone, and expiry after the term."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from gonghui.contracts.models import CollectiveContract, ContractStatus
from gonghui.contracts.services import contracts
from gonghui.contracts.services.reminders import send_due_reminders
from gonghui.contracts.tests.factories import contract_input, make_contract, make_workplace, today
from gonghui.core.sms import outbox_messages
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.factories import Tree, officer_at
from gonghui.workdays.deadlines import bump_version
from gonghui.workdays.models import DeadlineRule

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
MOBILE = "13912345678"


def _phone(org: Org, phone: str = MOBILE) -> None:
    Org.objects.filter(pk=org.pk).update(contact_phone=phone)


def _ending_in(org: Org, days: int, **fields: Any) -> CollectiveContract:
    end = today() + timedelta(days=days)
    return make_contract(org, start=end - timedelta(days=700), end=end, **fields)


def test_the_reminder_goes_out_once_on_its_day(
    tree: Tree, django_capture_on_commit_callbacks: Capture
) -> None:
    _phone(tree.acme)
    due = _ending_in(tree.acme, 80)
    _ending_in(tree.acme, 200)  # its reminder day has not come
    with django_capture_on_commit_callbacks(execute=True):
        first = send_due_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_due_reminders()
    assert (first.reminded, first.texted, second.reminded) == (1, 1, 0)
    texts = outbox_messages(MOBILE)
    assert len(texts) == 1
    assert due.title in texts[0]
    due.refresh_from_db()
    assert due.reminded_at is not None


def test_a_landline_gets_no_text_but_the_reminder_is_still_taken(
    tree: Tree, django_capture_on_commit_callbacks: Capture
) -> None:
    _phone(tree.acme, "0574-87654321")
    contract = _ending_in(tree.acme, 10)
    with django_capture_on_commit_callbacks(execute=True):
        result = send_due_reminders()
    assert (result.reminded, result.texted) == (1, 0)
    contract.refresh_from_db()
    assert contract.reminded_at is not None


def test_renewed_and_draft_contracts_are_not_reminded(tree: Tree) -> None:
    _phone(tree.acme)
    renewed = _ending_in(tree.acme, 30)
    make_contract(
        tree.acme, status=ContractStatus.DRAFT, start=renewed.term_end + timedelta(days=1), previous=renewed
    )
    _ending_in(tree.acme, 30, status=ContractStatus.DRAFT)
    assert send_due_reminders().reminded == 0


def test_contracts_past_their_term_expire(tree: Tree) -> None:
    ended = _ending_in(tree.acme, -1)
    running = _ending_in(tree.acme, 0)
    result = send_due_reminders()
    assert result.expired == 1
    ended.refresh_from_db()
    running.refresh_from_db()
    assert (ended.status, ended.ended_on) == (ContractStatus.EXPIRED, ended.term_end)
    assert running.status == ContractStatus.IN_FORCE
    step = ended.history.order_by("-pk").first()
    assert step is not None
    assert (step.from_status, step.to_status, step.actor) == (
        "in_force",
        "expired",
        None,
    )


def test_the_command_reports_in_chinese(tree: Tree) -> None:
    _ending_in(tree.acme, -3)
    out = StringIO()
    call_command("send_contract_reminders", stdout=out)
    assert "已到期 1 份" in out.getvalue()
    assert CollectiveContract.objects.get().status == ContractStatus.EXPIRED


def test_the_reminder_day_follows_the_rule_as_data(tree: Tree) -> None:
    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    data = contract_input([make_workplace(None, tree.acme)])
    assert data.term_end is not None
    calendar = contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    assert calendar.reminder_due_on == data.term_end - timedelta(days=90)
    DeadlineRule.objects.filter(code="contracts.expiry_reminder").update(days=-30)
    bump_version()
    try:
        data = contract_input([make_workplace(None, tree.acme)])
        shorter = contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    finally:
        DeadlineRule.objects.filter(code="contracts.expiry_reminder").update(days=-90)
        bump_version()
    assert data.term_end is not None
    assert shorter.reminder_due_on == data.term_end - timedelta(days=30)
