"""Plans and benefit rules: creating, versioning, the rule in force, permissions and the audit log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.models import (
    AID_PLAN_TRANSITIONS,
    AidPlan,
    AidPlanAction,
    AidPlanHistory,
    AidPlanStatus,
    BenefitRule,
    ClaimType,
)
from gonghui.mutualaid.payout import InvoiceLine, compute_payout, terms_of
from gonghui.mutualaid.services.plans import (
    add_rule_version,
    close_plan,
    create_plan,
    open_plan,
    rule_in_force,
)
from gonghui.mutualaid.tests.factories import make_plan, make_rule, rule_input
from gonghui.orgs.models import OrgStatus, Role
from gonghui.orgs.permissions import ROLE_PERMISSIONS, Perm
from gonghui.orgs.tests.factories import Tree, make_tree, officer_at

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def tree() -> Tree:
    return make_tree()


@pytest.fixture
def admin(tree: Tree) -> User:
    return officer_at(tree.east, "east.admin")


def plan_input(tree: Tree, **overrides: Any) -> dict[str, Any]:
    return {
        "org": tree.east,
        "year": 2027,
        "name": "2027年度职工住院医疗互助",
        "coverage_start": date(2027, 1, 1),
        "coverage_end": date(2027, 12, 31),
        "contribution_per_member": "60.00",
        **overrides,
    }


# --- permissions ---------------------------------------------------------------------------------


def test_the_roles_hold_the_mutual_aid_permissions_the_brief_gives() -> None:
    mutualaid = {Perm.MUTUALAID_VIEW, Perm.MUTUALAID_MANAGE, Perm.MUTUALAID_HANDLE}
    assert ROLE_PERMISSIONS[Role.FEDERATION_ADMIN] >= mutualaid
    assert ROLE_PERMISSIONS[Role.FINANCE_OFFICER] & mutualaid == {Perm.MUTUALAID_VIEW}
    assert ROLE_PERMISSIONS[Role.AUDITOR] & mutualaid == {Perm.MUTUALAID_VIEW}
    assert not ROLE_PERMISSIONS[Role.UNION_OFFICER] & mutualaid
    assert not ROLE_PERMISSIONS[Role.CASE_HANDLER] & mutualaid


def test_an_officer_outside_the_subtree_cannot_create_a_plan(tree: Tree) -> None:
    sibling = officer_at(tree.west, "west.admin")
    below = officer_at(tree.town, "town.admin")
    union_officer = officer_at(tree.east, "east.union", Role.UNION_OFFICER)
    for actor in (sibling, below, union_officer):
        with pytest.raises(NotFound):
            create_plan(**plan_input(tree), actor=actor)
    with pytest.raises(NotFound):
        create_plan(**plan_input(tree), actor=None)
    assert not AidPlan.objects.exists()


def test_a_finance_officer_sees_plans_but_may_not_manage_them(tree: Tree) -> None:
    finance = officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER)
    with pytest.raises(Forbidden):
        create_plan(**plan_input(tree), actor=finance)
    plan = make_plan(tree.east)
    with pytest.raises(Forbidden):
        add_rule_version(plan, **rule_input(), actor=finance)
    with pytest.raises(Forbidden):
        open_plan(plan, actor=finance)
    assert not BenefitRule.objects.exists()
    assert AidPlan.objects.get().status == AidPlanStatus.DRAFT


def test_an_officer_of_a_parent_federation_manages_the_plan(tree: Tree) -> None:
    city = officer_at(tree.city, "city.admin")
    plan = create_plan(**plan_input(tree), actor=city)
    assert add_rule_version(plan, **rule_input(), actor=city).version == 1


def test_officers_elsewhere_get_not_found_for_an_existing_plan(tree: Tree) -> None:
    plan = make_plan(tree.east)
    sibling = officer_at(tree.west, "west.admin")
    for write in (
        lambda: add_rule_version(plan, **rule_input(), actor=sibling),
        lambda: open_plan(plan, actor=sibling),
        lambda: close_plan(plan.pk, actor=sibling),
    ):
        with pytest.raises(NotFound) as caught:
            write()
        assert caught.value.message == "The mutual aid plan was not found."
    with pytest.raises(NotFound):
        open_plan(999_999, actor=sibling)


# --- creating plans ------------------------------------------------------------------------------


def test_create_plan_writes_the_plan_its_history_and_an_audit_event(tree: Tree, admin: User) -> None:
    plan = create_plan(**plan_input(tree, name="  2027年度职工住院医疗互助 "), actor=admin)
    assert plan.name == "2027年度职工住院医疗互助"
    assert plan.status == AidPlanStatus.DRAFT
    assert plan.contribution_per_member == D("60.00")
    assert plan.created_by == admin
    history = AidPlanHistory.objects.get(plan=plan)
    assert (history.action, history.from_status, history.to_status) == (
        AidPlanAction.CREATE,
        "",
        AidPlanStatus.DRAFT,
    )
    event = AuditEvent.objects.get(action="mutualaid.create_plan")
    assert event.actor == admin
    assert event.org_path == tree.east.path
    assert event.changes["contribution_per_member"] == [None, "60.00"]


def test_create_plan_reports_every_problem_at_once(tree: Tree, admin: User) -> None:
    bad = plan_input(
        tree,
        org=tree.beta,  # a grassroots union, not a federation
        year=1999,
        name=" ",
        coverage_start=date(2027, 12, 31),
        coverage_end=date(2027, 1, 1),
        contribution_per_member="-5",
    )
    with pytest.raises(ValidationFailed) as caught:
        create_plan(**bad, actor=admin)
    assert caught.value.fields == {
        "org": ["Only a federation of unions runs a mutual aid plan."],
        "year": ["Enter a year from 2000 to 2100."],
        "name": ["This field is required."],
        "coverage_end": ["The coverage cannot end before it starts."],
        "contribution_per_member": ["The amount cannot be negative."],
    }
    assert not AidPlan.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mutualaid.").exists()


def test_create_plan_refuses_long_coverage_bad_amounts_and_a_dissolved_org(tree: Tree, admin: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_plan(
            **plan_input(tree, coverage_end=date(2028, 1, 1), contribution_per_member="60.005"), actor=admin
        )
    assert caught.value.fields == {
        "coverage_end": ["A plan covers one year at most."],
        "contribution_per_member": ["An amount can have at most 2 decimal places (fen)."],
    }
    leap = create_plan(
        **plan_input(tree, year=2028, coverage_start=date(2028, 1, 1), coverage_end=date(2028, 12, 31)),
        actor=admin,
    )
    assert leap.coverage_end == date(2028, 12, 31)
    town = tree.fresh(tree.town)
    town.status = OrgStatus.DISSOLVED
    town.save(update_fields=["status"])
    with pytest.raises(ValidationFailed) as caught:
        create_plan(**plan_input(tree, org=town), actor=admin)
    assert caught.value.fields == {"org": ["A dissolved organisation cannot run a mutual aid plan."]}


def test_a_plan_name_is_unique_per_federation_and_year(tree: Tree, admin: User) -> None:
    create_plan(**plan_input(tree), actor=admin)
    with pytest.raises(ValidationFailed) as caught:
        create_plan(**plan_input(tree), actor=admin)
    assert caught.value.fields == {
        "name": ["This organisation already has a plan with this name for this year."]
    }
    create_plan(
        **plan_input(tree, year=2028, coverage_start=date(2028, 1, 1), coverage_end=date(2028, 12, 31)),
        actor=admin,
    )
    create_plan(**plan_input(tree, org=tree.town), actor=admin)
    assert AidPlan.objects.count() == 3


# --- opening and closing -------------------------------------------------------------------------


def test_a_plan_opens_once_it_has_a_rule_and_closes(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east)
    with pytest.raises(Conflict) as caught:
        open_plan(plan, actor=admin)
    assert caught.value.message == "Add at least one benefit rule before opening the plan."
    add_rule_version(plan, **rule_input(), actor=admin)
    assert open_plan(plan, actor=admin).status == AidPlanStatus.OPEN
    assert close_plan(plan, actor=admin).status == AidPlanStatus.CLOSED
    assert list(
        AidPlanHistory.objects.filter(plan=plan).values_list("action", "from_status", "to_status")
    ) == [
        (AidPlanAction.OPEN, AidPlanStatus.DRAFT, AidPlanStatus.OPEN),
        (AidPlanAction.CLOSE, AidPlanStatus.OPEN, AidPlanStatus.CLOSED),
    ]
    events = AuditEvent.objects.filter(action__in=["mutualaid.open_plan", "mutualaid.close_plan"])
    assert sorted(event.changes["status"][1] for event in events) == [
        AidPlanStatus.CLOSED,
        AidPlanStatus.OPEN,
    ]


@pytest.mark.parametrize("status", AidPlanStatus.values)
@pytest.mark.parametrize("action", [AidPlanAction.OPEN, AidPlanAction.CLOSE])
def test_illegal_transitions_are_refused_and_change_nothing(
    tree: Tree, admin: User, status: str, action: str
) -> None:
    if AID_PLAN_TRANSITIONS.allows(action, status):
        return
    plan = make_plan(tree.east, status=status)
    make_rule(plan)
    service = open_plan if action == AidPlanAction.OPEN else close_plan
    with pytest.raises(InvalidTransition):
        service(plan, actor=admin)
    assert AidPlan.objects.get(pk=plan.pk).status == status
    assert not AidPlanHistory.objects.exists()
    assert not AuditEvent.objects.exists()


# --- rule versions -------------------------------------------------------------------------------


def test_add_rule_version_numbers_versions_per_claim_type_and_audits(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east)
    first = add_rule_version(plan, **rule_input(note="年初方案"), actor=admin)
    second = add_rule_version(
        plan, **rule_input(effective_from=date(2027, 7, 1), deductible="800"), actor=admin
    )
    other = add_rule_version(plan, **rule_input(claim_type=ClaimType.ACCIDENT), actor=admin)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.deductible == D("800.00")
    assert first.bands == [{"up_to": "10000.00", "rate": "0.50"}, {"up_to": None, "rate": "0.70"}]
    assert first.created_by == admin
    events = AuditEvent.objects.filter(action="mutualaid.add_rule_version").order_by("id")
    assert events.count() == 3
    assert events[0].org_path == tree.east.path
    assert events[0].note == "年初方案"
    assert events[1].changes["version"] == [None, 2]
    assert events[1].changes["deductible"] == [None, "800.00"]


def test_a_claim_is_computed_with_the_version_in_force_on_its_date_of_treatment(
    tree: Tree, admin: User
) -> None:
    """v1 from 1 January: deductible 1,000.00; v2 from 1 July: deductible 500.00.

    Invoice 13,500.00, self-paid 1,500.00 → eligible 12,000.00.
    Treated 30 June (v1): 11,000.00 above → 5,000.00 + 1,000.00 × 0.70 = 5,700.00
    Treated 1 July (v2): 11,500.00 above → 5,000.00 + 1,500.00 × 0.70 = 6,050.00
    """
    plan = make_plan(tree.east)
    add_rule_version(plan, **rule_input(), actor=admin)
    add_rule_version(plan, **rule_input(effective_from=date(2027, 7, 1), deductible="500.00"), actor=admin)
    lines = [InvoiceLine("住院费", D("13500.00"), D("1500.00"))]

    def payout_on(day: date) -> tuple[int, Decimal]:
        rule = rule_in_force(plan, ClaimType.INPATIENT, day)
        result = compute_payout(
            terms_of(rule), lines, treated_on=day, enrolled_on=date(2026, 1, 1), paid_this_year=D("0")
        )
        assert result.rule_id == rule.pk
        return result.version, result.amount

    assert payout_on(date(2027, 6, 30)) == (1, D("5700.00"))
    assert payout_on(date(2027, 7, 1)) == (2, D("6050.00"))
    assert payout_on(date(2027, 12, 31)) == (2, D("6050.00"))


def test_a_later_version_on_the_same_day_replaces_the_earlier_one(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east)
    add_rule_version(plan, **rule_input(effective_from=date(2027, 3, 1)), actor=admin)
    fixed = add_rule_version(
        plan, **rule_input(effective_from=date(2027, 3, 1), waiting_days=30), actor=admin
    )
    assert rule_in_force(plan.pk, ClaimType.INPATIENT, date(2027, 3, 1)) == fixed


def test_rule_in_force_says_why_there_is_none(tree: Tree) -> None:
    plan = make_plan(tree.east)
    with pytest.raises(NotFound) as caught:
        rule_in_force(plan, ClaimType.INPATIENT, date(2027, 5, 1))
    assert caught.value.message == "The plan has no benefit rule for Inpatient."
    make_rule(plan, effective_from=date(2027, 3, 1))
    with pytest.raises(NotFound) as caught:
        rule_in_force(plan, ClaimType.INPATIENT, date(2027, 2, 28))
    assert caught.value.message == (
        "No benefit rule for Inpatient was in force on Feb. 28, 2027: "
        "the first one takes effect on March 1, 2027."
    )
    with pytest.raises(NotFound) as caught:
        rule_in_force(plan, ClaimType.INPATIENT, date(2028, 1, 1))
    assert caught.value.message == (
        "The date of treatment Jan. 1, 2028 is outside the plan's coverage period, "
        "Jan. 1, 2027 to Dec. 31, 2027."
    )
    with pytest.raises(NotFound):
        rule_in_force(plan, "dental", date(2027, 5, 1))
    with pytest.raises(NotFound):
        rule_in_force(999_999, ClaimType.INPATIENT, date(2027, 5, 1))


def test_add_rule_version_reports_every_problem_at_once(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east)
    bad = rule_input(
        claim_type="dental",
        effective_from=date(2028, 1, 1),
        deductible="-1",
        per_claim_cap="60000.00",
        per_year_cap="50000.00",
        waiting_days=400,
        bands=[{"up_to": None, "rate": "1.2"}, {"up_to": "5000.00", "rate": "0.12345"}],
        note="x" * 501,
    )
    with pytest.raises(ValidationFailed) as caught:
        add_rule_version(plan, **bad, actor=admin)
    assert caught.value.fields == {
        "claim_type": ["Choose one of the claim types."],
        "deductible": ["The amount cannot be negative."],
        "per_claim_cap": ["The limit per claim cannot be higher than the limit per year."],
        "waiting_days": ["Enter a whole number of days from 0 to 366."],
        "bands.0.rate": ["The rate must be from 0 to 1."],
        "bands.0.up_to": ["Only the last band can be without an upper limit."],
        "bands.1.rate": ["A rate can have at most 4 decimal places."],
        "bands.1.up_to": ["The last band must be without an upper limit."],
        "note": ["Enter at most 500 characters."],
        "effective_from": ["The date must lie in the plan's coverage period, Jan. 1, 2027 to Dec. 31, 2027."],
    }
    assert not BenefitRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_new_version_cannot_take_effect_before_the_previous_one(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east)
    add_rule_version(plan, **rule_input(effective_from=date(2027, 7, 1)), actor=admin)
    with pytest.raises(ValidationFailed) as caught:
        add_rule_version(plan, **rule_input(effective_from=date(2027, 6, 30)), actor=admin)
    assert caught.value.fields == {
        "effective_from": [
            "Version 1 takes effect on July 1, 2027: a new version cannot take effect before it."
        ]
    }
    # Another claim type has its own versions.
    assert (
        add_rule_version(plan, **rule_input(claim_type=ClaimType.CRITICAL_ILLNESS), actor=admin).version == 1
    )


def test_missing_and_malformed_amounts_are_field_errors(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east)
    with pytest.raises(ValidationFailed) as caught:
        add_rule_version(
            plan,
            **rule_input(
                deductible="", per_claim_cap="abc", per_year_cap=D("1.001"), waiting_days=True, bands="x"
            ),
            actor=admin,
        )
    assert caught.value.fields == {
        "deductible": ["This field is required."],
        "per_claim_cap": ["Enter an amount in yuan, such as 1234.50."],
        "per_year_cap": ["An amount can have at most 2 decimal places (fen)."],
        "waiting_days": ["Enter a whole number of days from 0 to 366."],
        "bands": ["Give at least one reimbursement band."],
    }


def test_a_closed_plan_takes_no_new_versions(tree: Tree, admin: User) -> None:
    plan = make_plan(tree.east, status=AidPlanStatus.CLOSED)
    with pytest.raises(Conflict) as caught:
        add_rule_version(plan, **rule_input(), actor=admin)
    assert caught.value.message == "The plan is closed: its rules can no longer change."


def test_rules_are_append_only(tree: Tree) -> None:
    rule = make_rule(make_plan(tree.east))
    rule.deductible = D("0.00")
    with pytest.raises(Conflict):
        rule.save()
    assert BenefitRule.objects.get(pk=rule.pk).deductible == D("1000.00")


def test_the_database_refuses_a_claim_cap_above_the_year_cap(tree: Tree) -> None:
    plan = make_plan(tree.east)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rule(plan, per_claim_cap=D("2.00"), per_year_cap=D("1.00"))


def test_terms_of_a_rule(tree: Tree) -> None:
    rule = make_rule(make_plan(tree.east), waiting_days=30)
    terms = terms_of(rule)
    assert (terms.version, terms.deductible, terms.waiting_days, terms.rule_id) == (
        1,
        D("1000.00"),
        30,
        rule.pk,
    )
    assert [(band.up_to, band.rate) for band in terms.bands] == [
        (D("10000.00"), D("0.50")),
        (None, D("0.70")),
    ]


def test_plans_and_rules_are_scoped_to_the_federation_subtree(tree: Tree) -> None:
    from gonghui.orgs.scoping import visible

    plan = make_plan(tree.east)
    make_rule(plan)
    west_plan = make_plan(tree.west)
    east = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    union = officer_at(tree.east, "east.union", Role.UNION_OFFICER)
    assert list(visible(AidPlan, east, Perm.MUTUALAID_VIEW)) == [plan]
    assert visible(BenefitRule, east, Perm.MUTUALAID_VIEW).count() == 1
    assert not visible(AidPlan, union, Perm.MUTUALAID_VIEW).exists()
    city = officer_at(tree.city, "city.finance", Role.FINANCE_OFFICER)
    assert set(visible(AidPlan, city, Perm.MUTUALAID_VIEW)) == {plan, west_plan}


def test_a_plan_covers_up_to_the_day_before_the_same_date_a_year_later(tree: Tree, admin: User) -> None:
    """1 March 2027 → at most 29 February 2028 (a leap day); 29 February 2028 → at most 28 February 2029."""
    first = create_plan(
        **plan_input(tree, name="A", coverage_start=date(2027, 3, 1), coverage_end=date(2028, 2, 29)),
        actor=admin,
    )
    assert first.coverage_end == date(2028, 2, 29)
    leap = plan_input(tree, name="B", year=2028, coverage_start=date(2028, 2, 29))
    assert create_plan(**{**leap, "coverage_end": date(2029, 2, 28)}, actor=admin).pk
    with pytest.raises(ValidationFailed) as caught:
        create_plan(**{**leap, "name": "C", "coverage_end": date(2029, 3, 1)}, actor=admin)
    assert caught.value.fields == {"coverage_end": ["A plan covers one year at most."]}


def test_missing_dates_are_field_errors_not_crashes(tree: Tree, admin: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_plan(**plan_input(tree, coverage_start=None, coverage_end="2027-12-31"), actor=admin)
    assert caught.value.fields == {
        "coverage_start": ["Enter a valid date."],
        "coverage_end": ["Enter a valid date."],
    }
    plan = make_plan(tree.east)
    with pytest.raises(ValidationFailed) as caught:
        add_rule_version(plan, **rule_input(effective_from=None), actor=admin)
    assert caught.value.fields == {"effective_from": ["Enter a valid date."]}
