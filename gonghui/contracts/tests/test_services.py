"""Registering, the workflow (every legal step, every illegal one refused), renewal, filing and
documents, through the services with the real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import cast

import pytest

from gonghui.accounts.models import User
from gonghui.contracts.models import (
    OFFICER_ACTIONS,
    TRANSITIONS,
    CollectiveContract,
    ContractAction,
    ContractHistory,
    ContractKind,
    ContractScope,
    ContractStatus,
)
from gonghui.contracts.services import contracts
from gonghui.contracts.tests.endpoints._objects import PDF
from gonghui.contracts.tests.factories import contract_input, make_contract, make_workplace, today
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at
from gonghui.workdays.deadlines import due_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(tree: Tree) -> User:
    return officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)


DATES = ("signed_on", "term_start", "term_end")


def _fields(error: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return set(error.value.fields)


# --- registering ---------------------------------------------------------------------------------


def test_register_a_workplace_contract_as_a_draft(tree: Tree, officer: User) -> None:
    workplace = make_workplace(None, tree.acme)
    data = contract_input([workplace], number="东劳备〔2026〕12号")
    contract = contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    assert contract.status == ContractStatus.DRAFT
    assert list(contract.workplaces.all()) == [workplace]
    assert [(c.position, c.topic) for c in contract.clauses.all()] == [(1, "hours")]
    assert contract.reminder_due_on == due_date("contracts.expiry_reminder", contract.term_end)
    assert list(contract.history.values_list("from_status", "to_status")) == [("", "draft")]
    assert AuditEvent.objects.filter(action="contracts.register", object_id=str(contract.pk)).exists()


def test_a_regional_wage_agreement_covers_many_workplaces(tree: Tree) -> None:
    admin = officer_at(tree.east, "east.admin")
    places = [
        make_workplace(tree.town, None),
        make_workplace(None, tree.beta),
        make_workplace(None, tree.acme),
    ]
    data = contract_input(
        places,
        scope=ContractScope.REGION,
        kind=ContractKind.WAGE,
        wage_increase=Decimal("6.5"),
        minimum_wage=Decimal("2490"),
        area_description="东区中小企业",
    )
    contract = contracts.register_contract(actor=admin, org_id=tree.east.pk, data=data)
    assert contract.workplaces.count() == 3
    assert (contract.wage_increase, contract.minimum_wage) == (Decimal("6.50"), Decimal("2490.00"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"term_end": 0}, "term_end"),
        ({"term_end": 4 * 365}, "term_end"),
        ({"signed_on": 1}, "signed_on"),
        ({"wage_increase": Decimal("5")}, "wage_increase"),
        ({"kind": ContractKind.WAGE}, "wage_increase"),
        ({"kind": ContractKind.WAGE, "wage_increase": Decimal("5.555")}, "wage_increase"),
        (
            {"kind": ContractKind.WAGE, "wage_increase": Decimal("3"), "minimum_wage": Decimal("-1")},
            "minimum_wage",
        ),
        ({"scope": ContractScope.REGION}, "area_description"),
        ({"scope": ContractScope.INDUSTRY, "area_description": "餐饮业"}, "industry"),
        ({"title": ""}, "title"),
        ({"workers_covered": 0}, "workers_covered"),
        ({"workplace_codes": []}, "workplaces"),
        ({"workplace_codes": ["91330203MA0000000X"]}, "workplaces"),
        ({"clauses": (contracts.ClauseInput("wages", ""),)}, "clauses.0.text"),
        ({"clauses": (contracts.ClauseInput("nonsense", "x"),)}, "clauses.0.topic"),
        ({"kind": "bogus"}, "kind"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(
    tree: Tree, officer: User, changes: dict[str, object], field: str
) -> None:
    # Dates are given as days from today, read when the test runs (not when it is collected).
    dated = {
        name: today() + timedelta(days=cast("int", value)) for name, value in changes.items() if name in DATES
    }
    values = {**changes, **dated}
    data = replace(contract_input([make_workplace(None, tree.acme)]), **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as error:
        contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    assert field in _fields(error)
    assert not CollectiveContract.objects.exists()


def test_every_problem_is_reported_at_once(tree: Tree, officer: User) -> None:
    data = replace(contract_input([make_workplace(None, tree.acme)]), title="", workers_covered=None)
    with pytest.raises(ValidationFailed) as error:
        contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    assert {"title", "workers_covered"} <= _fields(error)


def test_a_workplace_contract_covers_exactly_one_workplace(tree: Tree, officer: User) -> None:
    data = contract_input([make_workplace(None, tree.acme), make_workplace(None, tree.acme)])
    with pytest.raises(ValidationFailed) as error:
        contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    assert _fields(error) == {"workplaces"}


def test_workplaces_outside_the_scope_are_refused(tree: Tree, officer: User) -> None:
    data = contract_input([make_workplace(None, tree.gamma)])
    with pytest.raises(ValidationFailed) as error:
        contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    assert "workplaces" in _fields(error)


def test_an_org_outside_the_scope_is_missing(tree: Tree, officer: User) -> None:
    with pytest.raises(NotFound):
        contracts.register_contract(
            actor=officer, org_id=tree.beta.pk, data=contract_input([make_workplace(None, tree.beta)])
        )


def test_a_viewer_cannot_register(tree: Tree) -> None:
    auditor = officer_at(tree.acme, "acme.auditor", Role.AUDITOR)
    with pytest.raises(NotFound):
        contracts.register_contract(
            actor=auditor, org_id=tree.acme.pk, data=contract_input([make_workplace(None, tree.acme)])
        )


def test_a_registration_number_is_unique_per_union(tree: Tree, officer: User) -> None:
    first = contract_input([make_workplace(None, tree.acme)], number="A-1")
    contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=first)
    with pytest.raises(Conflict) as error:
        contracts.register_contract(
            actor=officer,
            org_id=tree.acme.pk,
            data=contract_input([make_workplace(None, tree.acme)], number="A-1"),
        )
    assert error.value.code == "number_taken"
    assert CollectiveContract.objects.count() == 1


# --- the workflow ----------------------------------------------------------------------------------


def test_bring_into_force(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme, status=ContractStatus.DRAFT)
    contracts.take_action(contract.pk, actor=officer, action="bring_into_force", comment="已签字盖章")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    step = contract.history.order_by("-pk").first()
    assert step is not None
    assert (step.from_status, step.to_status, step.actor) == (
        "draft",
        "in_force",
        officer,
    )


def test_terminate_needs_a_date_within_the_term_and_a_reason(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme)
    with pytest.raises(ValidationFailed) as error:
        contracts.take_action(contract.pk, actor=officer, action="terminate", ended_on=None, reason="")
    assert _fields(error) == {"ended_on", "reason"}
    with pytest.raises(ValidationFailed) as error:
        contracts.take_action(
            contract.pk,
            actor=officer,
            action="terminate",
            ended_on=contract.term_start - timedelta(days=1),
            reason="x",
        )
    assert _fields(error) == {"ended_on"}
    contracts.take_action(contract.pk, actor=officer, action="terminate", ended_on=today(), reason="企业破产")
    contract.refresh_from_db()
    assert (contract.status, contract.ended_on, contract.end_reason) == ("terminated", today(), "企业破产")


def _refused_pairs() -> list[tuple[str, str]]:
    return [
        (status, action)
        for status in ContractStatus.values
        for action in ContractAction.values
        if not TRANSITIONS.allows(action, status)
    ]


@pytest.mark.parametrize(("status", "action"), _refused_pairs())
def test_every_illegal_step_is_refused_and_changes_nothing(
    tree: Tree, officer: User, status: str, action: str
) -> None:
    contract = make_contract(tree.acme, status=status)
    before = contract.history.count()
    expected = Conflict if action not in OFFICER_ACTIONS else InvalidTransition
    with pytest.raises(expected):
        contracts.take_action(contract.pk, actor=officer, action=action, ended_on=today(), reason="x")
    contract.refresh_from_db()
    assert contract.status == status
    assert contract.history.count() == before


def test_expiry_is_the_systems_step_only(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme)
    with pytest.raises(Conflict) as error:
        contracts.take_action(contract.pk, actor=officer, action="expire")
    assert error.value.code == "system_step"


def test_an_unknown_action_is_bad_input(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme, status=ContractStatus.DRAFT)
    with pytest.raises(ValidationFailed):
        contracts.take_action(contract.pk, actor=officer, action="sign")


def test_two_general_contracts_of_a_workplace_cannot_overlap(tree: Tree, officer: User) -> None:
    workplace = make_workplace(None, tree.acme)
    make_contract(tree.acme, [workplace])
    second = make_contract(tree.acme, [workplace], status=ContractStatus.DRAFT, start=today())
    with pytest.raises(Conflict) as error:
        contracts.take_action(second.pk, actor=officer, action="bring_into_force")
    assert error.value.code == "overlapping_contract"
    second.refresh_from_db()
    assert second.status == ContractStatus.DRAFT


def test_other_kinds_and_regional_contracts_may_overlap_a_general_one(tree: Tree, officer: User) -> None:
    workplace = make_workplace(None, tree.acme)
    make_contract(tree.acme, [workplace])
    wage = make_contract(tree.acme, [workplace], kind=ContractKind.WAGE, status=ContractStatus.DRAFT)
    contracts.take_action(wage.pk, actor=officer, action="bring_into_force")
    regional = make_contract(tree.acme, [workplace], scope=ContractScope.REGION, status=ContractStatus.DRAFT)
    contracts.take_action(regional.pk, actor=officer, action="bring_into_force")
    assert CollectiveContract.objects.filter(status="in_force").count() == 3


def test_a_contract_whose_term_is_over_cannot_come_into_force(tree: Tree, officer: User) -> None:
    contract = make_contract(
        tree.acme,
        status=ContractStatus.DRAFT,
        start=today() - timedelta(days=400),
        end=today() - timedelta(days=1),
    )
    with pytest.raises(Conflict) as error:
        contracts.take_action(contract.pk, actor=officer, action="bring_into_force")
    assert error.value.code == "term_over"


def test_viewers_may_not_take_steps_and_outsiders_find_nothing(tree: Tree) -> None:
    contract = make_contract(tree.acme, status=ContractStatus.DRAFT)
    with pytest.raises(Forbidden):
        contracts.take_action(
            contract.pk, actor=officer_at(tree.acme, "aud", Role.AUDITOR), action="bring_into_force"
        )
    with pytest.raises(NotFound):
        contracts.take_action(contract.pk, actor=officer_at(tree.west, "west"), action="bring_into_force")
    assert ContractHistory.objects.filter(contract=contract).count() == 1


# --- renewal -------------------------------------------------------------------------------------


def test_renewal_links_to_the_previous_contract(tree: Tree, officer: User) -> None:
    previous = make_contract(tree.acme)
    data = contract_input(list(previous.workplaces.all()), term_start=previous.term_end + timedelta(days=1))
    renewal = contracts.renew_contract(previous.pk, actor=officer, data=data)
    assert renewal.previous == previous
    assert (renewal.scope, renewal.kind, renewal.status) == (previous.scope, previous.kind, "draft")
    previous.refresh_from_db()
    assert previous.renewal == renewal


def test_a_contract_is_renewed_once(tree: Tree, officer: User) -> None:
    previous = make_contract(tree.acme)
    data = contract_input(list(previous.workplaces.all()), term_start=previous.term_end + timedelta(days=1))
    contracts.renew_contract(previous.pk, actor=officer, data=data)
    with pytest.raises(Conflict) as error:
        contracts.renew_contract(previous.pk, actor=officer, data=data)
    assert error.value.code == "already_renewed"


def test_a_renewal_starts_after_the_previous_term(tree: Tree, officer: User) -> None:
    previous = make_contract(tree.acme)
    data = contract_input(list(previous.workplaces.all()), term_start=previous.term_end)
    with pytest.raises(Conflict) as error:
        contracts.renew_contract(previous.pk, actor=officer, data=data)
    assert error.value.code == "renewal_overlaps"
    assert "term_start" in error.value.fields


@pytest.mark.parametrize("status", [ContractStatus.DRAFT, ContractStatus.TERMINATED])
def test_drafts_and_terminated_contracts_are_not_renewed(tree: Tree, officer: User, status: str) -> None:
    previous = make_contract(tree.acme, status=status)
    data = contract_input(list(previous.workplaces.all()), term_start=previous.term_end + timedelta(days=1))
    with pytest.raises(Conflict):
        contracts.renew_contract(previous.pk, actor=officer, data=data)


# --- correcting a draft ----------------------------------------------------------------------------


def test_a_draft_is_corrected_with_its_workplaces_and_clauses_and_the_change_is_audited(
    tree: Tree, officer: User
) -> None:
    first, second = make_workplace(None, tree.acme), make_workplace(None, tree.acme)
    draft = contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=contract_input([first]))
    start = today() + timedelta(days=20)
    data = contract_input(
        [second],
        term_start=start,
        workers_covered=150,
        clauses=(
            contracts.ClauseInput("wages", "每年协商一次工资"),
            contracts.ClauseInput("hours", "每日工作不超过8小时"),
        ),
    )
    changed = contracts.change_draft(draft.pk, actor=officer, data=data)
    changed.refresh_from_db()
    assert (changed.term_start, changed.workers_covered) == (start, 150)
    assert changed.reminder_due_on == due_date("contracts.expiry_reminder", changed.term_end)
    assert list(changed.workplaces.all()) == [second]
    assert [(c.position, c.topic) for c in changed.clauses.all()] == [(1, "wages"), (2, "hours")]
    event = AuditEvent.objects.get(action="contracts.change_draft")
    assert set(event.changes) == {"term_start", "term_end", "workers_covered", "workplaces", "clauses"}
    assert event.changes["workers_covered"] == [120, 150]
    assert event.changes["clauses"] == [1, 2]
    assert changed.status == ContractStatus.DRAFT


def test_saving_a_draft_unchanged_writes_nothing(tree: Tree, officer: User) -> None:
    workplace = make_workplace(None, tree.acme)
    data = contract_input([workplace])
    draft = contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=data)
    contracts.change_draft(draft.pk, actor=officer, data=data)
    assert not AuditEvent.objects.filter(action="contracts.change_draft").exists()


def test_bad_corrections_are_refused_and_the_draft_stays_as_it_was(tree: Tree, officer: User) -> None:
    workplace = make_workplace(None, tree.acme)
    draft = contracts.register_contract(actor=officer, org_id=tree.acme.pk, data=contract_input([workplace]))
    stranger = make_workplace(None, tree.gamma)
    before = CollectiveContract.objects.filter(pk=draft.pk).values().get()
    with pytest.raises(ValidationFailed) as error:
        contracts.change_draft(
            draft.pk,
            actor=officer,
            data=contract_input([stranger], title="", workers_covered=0, wage_increase=Decimal("3")),
        )
    assert {"title", "workers_covered", "wage_increase"} <= _fields(error)
    assert CollectiveContract.objects.filter(pk=draft.pk).values().get() == before
    assert list(draft.workplaces.all()) == [workplace]
    make_contract(tree.acme, number="东劳备〔2026〕1号")
    with pytest.raises(Conflict) as taken:
        contracts.change_draft(
            draft.pk, actor=officer, data=contract_input([workplace], number="东劳备〔2026〕1号")
        )
    assert taken.value.code == "number_taken"


def test_a_renewal_draft_still_starts_after_the_previous_term(tree: Tree, officer: User) -> None:
    previous = make_contract(tree.acme)
    places = list(previous.workplaces.all())
    renewal = contracts.renew_contract(
        previous.pk,
        actor=officer,
        data=contract_input(places, term_start=previous.term_end + timedelta(days=1)),
    )
    with pytest.raises(Conflict) as error:
        contracts.change_draft(
            renewal.pk, actor=officer, data=contract_input(places, term_start=previous.term_end)
        )
    assert error.value.code == "renewal_overlaps"
    assert CollectiveContract.objects.get(pk=renewal.pk).previous == previous


@pytest.mark.parametrize(
    "status", [ContractStatus.IN_FORCE, ContractStatus.EXPIRED, ContractStatus.TERMINATED]
)
def test_only_drafts_are_corrected(tree: Tree, officer: User, status: str) -> None:
    contract = make_contract(tree.acme, status=status)
    with pytest.raises(Conflict) as error:
        contracts.change_draft(
            contract.pk, actor=officer, data=contract_input(list(contract.workplaces.all()), title="改")
        )
    assert error.value.code == "not_a_draft"


def test_viewers_may_not_correct_a_draft_and_outsiders_find_nothing(tree: Tree) -> None:
    draft = make_contract(tree.acme, status=ContractStatus.DRAFT)
    data = contract_input(list(draft.workplaces.all()), title="改")
    with pytest.raises(Forbidden):
        contracts.change_draft(draft.pk, actor=officer_at(tree.east, "east.auditor", Role.AUDITOR), data=data)
    with pytest.raises(NotFound):
        contracts.change_draft(draft.pk, actor=officer_at(tree.west, "west.admin"), data=data)


# --- filing and documents --------------------------------------------------------------------------


def test_filing_with_the_labour_administration(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme)
    with pytest.raises(ValidationFailed) as error:
        contracts.record_filing(
            contract.pk, actor=officer, filed_on=contract.signed_on, review_result="objections"
        )
    assert _fields(error) == {"review_note"}
    with pytest.raises(ValidationFailed):
        contracts.record_filing(
            contract.pk, actor=officer, filed_on=contract.signed_on - timedelta(days=1), review_result=""
        )
    contracts.record_filing(contract.pk, actor=officer, filed_on=contract.signed_on, review_result="accepted")
    contract.refresh_from_db()
    assert (contract.filed_on, contract.review_result) == (contract.signed_on, "accepted")


def test_documents_are_checked_by_their_bytes(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme)
    with pytest.raises(ValidationFailed):
        contracts.add_contract_documents(contract.pk, actor=officer, documents=[("合同.pdf", b"not a pdf")])
    assert not contract.documents.exists()
    stored = contracts.add_contract_documents(contract.pk, actor=officer, documents=[("合同.pdf", PDF)])
    assert [(d.original_name, d.content_type) for d in stored] == [("合同.pdf", "application/pdf")]
