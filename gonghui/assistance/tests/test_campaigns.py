"""Care campaigns: authoring, the list by rule (and rebuilt), adjusting it within the budget,
the workflow, and paying the confirmed list from a fund."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.assistance.models import (
    CARE_CAMPAIGN_TRANSITIONS,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignAction,
    CareCampaignStatus,
    CareExclusion,
    FundEntry,
    FundStatus,
    Grant,
    GrantPurpose,
    GrantStatus,
    HardshipFileStatus,
    HardshipGrade,
    Season,
)
from gonghui.assistance.services import campaigns as services
from gonghui.assistance.tests.factories import fund_with, make_care_campaign
from gonghui.assistance.tests.factories_campaigns import beneficiary, listing_campaign, member_of, on_file
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Role
from gonghui.orgs.permissions import Perm
from gonghui.orgs.tests.factories import Tree, make_tree, officer_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@dataclass
class World:
    tree: Tree
    admin: User  # federation admin of the east district
    acme_officer: User  # union officer of 东区甲公司工会
    finance: User  # finance officer of the east district
    west_admin: User


@pytest.fixture
def world() -> World:
    tree = make_tree()
    return World(
        tree=tree,
        admin=officer_at(tree.east, "east.admin"),
        acme_officer=officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER),
        finance=officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER),
        west_admin=officer_at(tree.west, "west.admin"),
    )


def data(**fields: Any) -> services.CampaignData:
    values: dict[str, Any] = {
        "season": Season.WINTER_WARMTH,
        "year": 2027,
        "title": "2027年送温暖",
        "budget": Decimal("10000.00"),
        "amount_per_person": Decimal("500.00"),
        **fields,
    }
    return services.CampaignData(**values)


def people(campaign: CareCampaign) -> set[int]:
    return set(CareBeneficiary.objects.filter(campaign=campaign).values_list("member_id", flat=True))


# --- authoring ------------------------------------------------------------------------------------


def test_create_campaign_writes_draft_history_and_audit(world: World) -> None:
    fund = fund_with(world.tree.city, "1000.00")
    campaign = services.create_campaign(
        world.tree.east,
        actor=world.admin,
        data=data(eligible_org="e-t", grades=["severe"], categories=["gig_worker"], fund=fund.pk),
    )
    assert campaign.status == CareCampaignStatus.DRAFT
    assert campaign.eligible_org == world.tree.town
    assert campaign.fund == fund
    assert list(campaign.history.values_list("action", "to_status")) == [("create", "draft")]
    assert AuditEvent.objects.filter(action="assistance.create_campaign", object_id=str(campaign.pk)).exists()


def test_create_campaign_reports_every_bad_field_and_writes_nothing(world: World) -> None:
    sibling_fund = fund_with(world.tree.west, "10.00", name="西区基金")
    with pytest.raises(ValidationFailed) as caught:
        services.create_campaign(
            world.tree.east,
            actor=world.admin,
            data=data(
                season="spring",
                year=1999,
                title=" ",
                budget=Decimal("-1"),
                amount_per_person=Decimal("0.001"),
                eligible_org="W-G",
                grades=["poor"],
                categories=["all"],
                fund=sibling_fund.pk,
            ),
        )
    assert set(caught.value.fields) == {
        "season",
        "year",
        "title",
        "budget",
        "amount_per_person",
        "eligible_org",
        "grades",
        "categories",
        "fund",
    }
    assert not CareCampaign.objects.exists()


def test_amount_per_person_above_budget_and_closed_fund_are_refused(world: World) -> None:
    fund = fund_with(world.tree.east, "10.00")
    fund.status = FundStatus.CLOSED
    fund.save()
    with pytest.raises(ValidationFailed) as caught:
        services.create_campaign(
            world.tree.east,
            actor=world.admin,
            data=data(budget=Decimal("100"), amount_per_person=Decimal("200"), fund=fund.pk),
        )
    assert set(caught.value.fields) == {"amount_per_person", "fund"}


def test_education_campaign_needs_its_window_and_others_drop_it(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.create_campaign(
            world.tree.east, actor=world.admin, data=data(season=Season.AUTUMN_EDUCATION)
        )
    assert set(caught.value.fields) == {"applications_from", "applications_until"}
    from datetime import date

    winter = services.create_campaign(
        world.tree.east,
        actor=world.admin,
        data=data(applications_from=date(2027, 1, 1), applications_until=date(2027, 2, 1)),
    )
    assert winter.applications_from is None
    assert winter.applications_until is None


def test_only_assistance_officers_of_the_org_or_above_create(world: World) -> None:
    with pytest.raises(Forbidden):
        services.create_campaign(world.tree.east, actor=world.acme_officer, data=data())
    with pytest.raises(Forbidden):
        services.create_campaign(world.tree.east, actor=world.finance, data=data())
    assert not CareCampaign.objects.exists()


def test_update_only_while_draft(world: World) -> None:
    campaign = make_care_campaign(world.tree.east)
    services.update_campaign(campaign, actor=world.admin, data=data(title="冬季送温暖"))
    campaign.refresh_from_db()
    assert campaign.title == "冬季送温暖"
    listing = listing_campaign(world.tree.east)
    with pytest.raises(Conflict):
        services.update_campaign(listing, actor=world.admin, data=data(title="改"))
    with pytest.raises(NotFound):
        services.update_campaign(campaign, actor=world.west_admin, data=data(title="改"))


# --- the list by rule ------------------------------------------------------------------------------


def test_build_picks_active_members_of_the_subtree_by_grade_and_category(world: World) -> None:
    tree = world.tree
    severe = member_of(tree.acme)
    severe_file = on_file(severe, HardshipGrade.SEVERE)
    relative = member_of(tree.beta)
    on_file(relative, HardshipGrade.RELATIVE)
    applied_only = member_of(tree.acme)
    on_file(applied_only, status=HardshipFileStatus.APPLIED)
    left = member_of(tree.acme, status=MemberStatus.LEFT)
    on_file(left, HardshipGrade.SEVERE)
    outside = member_of(tree.gamma)
    on_file(outside, HardshipGrade.SEVERE)
    campaign = make_care_campaign(tree.east, grades=["severe", "relative"])

    outcome = services.build_list(campaign, actor=world.admin)

    assert people(campaign) == {severe.pk, relative.pk}
    assert (outcome.added, outcome.dropped, outcome.people) == (2, 0, 2)
    assert outcome.total == Decimal("1000.00")
    row = CareBeneficiary.objects.get(campaign=campaign, member=severe)
    assert (row.source, row.amount, row.hardship_file, row.org) == (
        "rule",
        Decimal("500.00"),
        severe_file,
        tree.acme,
    )
    campaign.refresh_from_db()
    assert campaign.status == CareCampaignStatus.LISTING


def test_categories_narrow_and_no_rules_pick_every_active_member(world: World) -> None:
    tree = world.tree
    gig = member_of(tree.acme)
    Member.objects.filter(pk=gig.pk).update(is_gig_worker=True)
    plain = member_of(tree.beta)
    only_gig = make_care_campaign(tree.east, categories=["gig_worker"])
    services.build_list(only_gig, actor=world.admin)
    assert people(only_gig) == {gig.pk}
    everyone = make_care_campaign(tree.east, season=Season.SUMMER_COOLING)
    services.build_list(everyone, actor=world.admin)
    assert people(everyone) == {gig.pk, plain.pk}


def test_an_education_campaign_is_opened_without_picking(world: World) -> None:
    member_of(world.tree.acme)
    campaign = make_care_campaign(world.tree.east, season=Season.AUTUMN_EDUCATION)
    outcome = services.build_list(campaign, actor=world.admin)
    assert outcome.people == 0
    campaign.refresh_from_db()
    assert campaign.status == CareCampaignStatus.LISTING


def test_a_build_over_the_budget_is_refused_and_writes_nothing(world: World) -> None:
    for _ in range(3):
        member_of(world.tree.acme)
    campaign = make_care_campaign(world.tree.east, budget="1000.00", amount_per_person="500.00")
    with pytest.raises(Conflict) as caught:
        services.build_list(campaign, actor=world.admin)
    assert caught.value.code == "over_budget"
    assert "¥500.00" in caught.value.message  # by how much
    campaign.refresh_from_db()
    assert campaign.status == CareCampaignStatus.DRAFT
    assert not CareBeneficiary.objects.exists()


def test_rebuild_property(world: World) -> None:
    """Whatever officers did to the list, building again leaves: every member the rules pick on
    the list; no rule-picked row the rules no longer pick; every officer row and every changed
    amount of a still-picked person as it was; and a second build changes nothing."""
    tree = world.tree
    rng = random.Random(7)
    orgs = [tree.acme, tree.beta, tree.joint]
    members = [member_of(rng.choice(orgs)) for _ in range(24)]
    for member in members:
        if rng.random() < 0.6:
            on_file(member, rng.choice(list(HardshipGrade.values)))
    campaign = make_care_campaign(tree.east, grades=["severe", "relative"], budget="1000000.00")
    services.build_list(campaign, actor=world.admin)
    for round_number in range(4):
        rows = list(CareBeneficiary.objects.filter(campaign=campaign))
        for row in rng.sample(rows, k=min(3, len(rows))):
            services.change_amount(
                campaign, row, actor=world.admin, amount=Decimal(rng.randint(1, 900)), reason="核实"
            )
        active = set(Member.objects.active().values_list("pk", flat=True))
        outsiders = [m for m in members if m.pk not in people(campaign) and m.pk in active]
        for member in rng.sample(outsiders, k=min(2, len(outsiders))):
            services.add_beneficiary(campaign, actor=world.admin, id_number=member.id_number, note="补报")
        # The world changes: someone leaves, someone's file is exited or graded anew.
        member = rng.choice(members)
        Member.objects.filter(pk=member.pk).update(
            status=rng.choice([MemberStatus.LEFT, MemberStatus.ACTIVE])
        )
        newcomer = member_of(rng.choice(orgs))
        on_file(newcomer, HardshipGrade.SEVERE)
        members.append(newcomer)

        before = {row.member_id: row for row in CareBeneficiary.objects.filter(campaign=campaign)}
        services.build_list(campaign, actor=world.admin, comment=f"第{round_number}次")
        after = {row.member_id: row for row in CareBeneficiary.objects.filter(campaign=campaign)}

        picked = set(services.rule_members(campaign).values_list("pk", flat=True))
        assert picked <= set(after), "a member the rules pick is missing"
        for member_id, row in after.items():
            if row.source == BeneficiarySource.RULE:
                assert member_id in picked, "a rule-picked row the rules no longer pick stayed"
        for member_id, row in before.items():
            if row.source != BeneficiarySource.RULE or member_id in picked:
                assert after[member_id].amount == row.amount, "an officer's row or amount was lost"
        services.build_list(campaign, actor=world.admin)
        again = {row.member_id: row.amount for row in CareBeneficiary.objects.filter(campaign=campaign)}
        assert again == {member_id: row.amount for member_id, row in after.items()}


def test_a_person_taken_off_stays_off_when_the_list_is_built_again(world: World) -> None:
    tree = world.tree
    kept, removed = member_of(tree.acme), member_of(tree.acme)
    for member in (kept, removed):
        on_file(member, HardshipGrade.SEVERE)
    campaign = make_care_campaign(tree.east, grades=["severe"], budget="1000000.00")
    services.build_list(campaign, actor=world.admin)
    row = CareBeneficiary.objects.get(campaign=campaign, member=removed)
    services.remove_beneficiary(campaign, row, actor=world.admin, reason="已享受其他救助")
    services.build_list(campaign, actor=world.admin)
    assert people(campaign) == {kept.pk}
    exclusion = CareExclusion.objects.get(campaign=campaign)
    assert exclusion.reason == "已享受其他救助"
    # Put back by hand, the person is an ordinary row again and stays on through rebuilds.
    services.add_beneficiary(campaign, actor=world.admin, id_number=removed.id_number, note="复核后恢复")
    assert not CareExclusion.objects.filter(campaign=campaign).exists()
    services.build_list(campaign, actor=world.admin)
    assert people(campaign) == {kept.pk, removed.pk}


# --- adjusting the list ----------------------------------------------------------------------------


def test_add_by_id_number_and_the_same_person_never_twice(world: World) -> None:
    member = member_of(world.tree.acme)
    on_file(member, HardshipGrade.RELATIVE)
    campaign = listing_campaign(world.tree.east)
    row = services.add_beneficiary(campaign, actor=world.admin, id_number=member.id_number, note="突发重病")
    assert (row.source, row.amount, row.note) == ("officer", Decimal("500.00"), "突发重病")
    assert row.hardship_file is not None
    with pytest.raises(Conflict) as caught:
        services.add_beneficiary(campaign, actor=world.admin, id_number=member.id_number.lower())
    assert caught.value.code == "already_on_list"
    assert CareBeneficiary.objects.filter(campaign=campaign).count() == 1


def test_the_unique_index_is_the_last_guard(world: World) -> None:
    member = member_of(world.tree.acme)
    campaign = listing_campaign(world.tree.east)
    beneficiary(campaign, member)
    twin = CareBeneficiary(
        campaign=campaign,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        amount=Decimal("1.00"),
        source=BeneficiarySource.OFFICER,
    )
    with pytest.raises(Conflict) as caught:
        services.insert_beneficiary(twin)
    assert caught.value.code == "already_on_list"


@pytest.mark.parametrize(
    ("id_number", "field"),
    [("", "id_number"), ("330203198001011234", "id_number"), ("abc", "id_number")],
)
def test_add_refuses_bad_id_numbers(world: World, id_number: str, field: str) -> None:
    campaign = listing_campaign(world.tree.east)
    with pytest.raises(ValidationFailed) as caught:
        services.add_beneficiary(campaign, actor=world.admin, id_number=id_number)
    assert field in caught.value.fields


def test_add_refuses_people_outside_the_eligible_subtree_or_the_officers_scope(world: World) -> None:
    campaign = listing_campaign(world.tree.east, eligible_org=world.tree.town)
    beta_member = member_of(world.tree.beta)  # in the district but not under the town
    with pytest.raises(ValidationFailed):
        services.add_beneficiary(campaign, actor=world.admin, id_number=beta_member.id_number)
    joint_member = member_of(world.tree.joint)
    with pytest.raises(ValidationFailed):  # the union officer of acme does not reach the joint union
        services.add_beneficiary(campaign, actor=world.acme_officer, id_number=joint_member.id_number)
    acme_member = member_of(world.tree.acme)
    row = services.add_beneficiary(campaign, actor=world.acme_officer, id_number=acme_member.id_number)
    assert row.org == world.tree.acme


def test_union_officers_adjust_their_own_part_only(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    own = beneficiary(campaign, member_of(world.tree.acme))
    other = beneficiary(campaign, member_of(world.tree.beta))
    services.change_amount(
        campaign, own, actor=world.acme_officer, amount=Decimal("300"), reason="家庭情况好转"
    )
    with pytest.raises(NotFound):
        services.change_amount(campaign, other, actor=world.acme_officer, amount=Decimal("1"), reason="x")
    with pytest.raises(NotFound):
        services.remove_beneficiary(campaign, other, actor=world.acme_officer, reason="x")
    with pytest.raises(NotFound):  # another district does not reach the campaign at all
        services.remove_beneficiary(campaign, own, actor=world.west_admin, reason="x")
    services.remove_beneficiary(campaign, own, actor=world.acme_officer, reason="已调离本单位")
    assert people(campaign) == {other.member_id}
    event = AuditEvent.objects.get(action="assistance.remove_beneficiary")
    assert event.note == "已调离本单位"
    assert event.org_path == world.tree.acme.path


def test_remove_and_change_need_a_reason_and_a_good_amount(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    row = beneficiary(campaign, member_of(world.tree.acme))
    with pytest.raises(ValidationFailed) as caught:
        services.remove_beneficiary(campaign, row, actor=world.admin, reason="  ")
    assert "reason" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        services.change_amount(campaign, row, actor=world.admin, amount=Decimal("-5"), reason="")
    assert set(caught.value.fields) == {"amount", "reason"}
    with pytest.raises(ValidationFailed):
        services.change_amount(campaign, row, actor=world.admin, amount=Decimal("1.005"), reason="x")
    row.refresh_from_db()
    assert row.amount == Decimal("500.00")


def test_budget_refuses_additions_and_raises_and_says_by_how_much(world: World) -> None:
    campaign = listing_campaign(world.tree.east, budget="1000.00", amount_per_person="500.00")
    first = beneficiary(campaign, member_of(world.tree.acme))
    beneficiary(campaign, member_of(world.tree.acme))
    third = member_of(world.tree.beta)
    with pytest.raises(Conflict) as caught:
        services.add_beneficiary(campaign, actor=world.admin, id_number=third.id_number)
    assert caught.value.code == "over_budget"
    assert "¥1,500.00" in caught.value.message
    assert "¥500.00" in caught.value.message
    with pytest.raises(Conflict) as caught:
        services.change_amount(campaign, first, actor=world.admin, amount=Decimal("500.01"), reason="x")
    assert "¥0.01" in caught.value.message
    services.change_amount(campaign, first, actor=world.admin, amount=Decimal("200"), reason="x")
    services.add_beneficiary(campaign, actor=world.admin, id_number=third.id_number, amount=Decimal("300"))
    assert services.list_total(campaign) == Decimal("1000.00")


def test_the_list_is_locked_outside_listing(world: World) -> None:
    campaign = make_care_campaign(world.tree.east)
    member = member_of(world.tree.acme)
    with pytest.raises(Conflict) as caught:
        services.add_beneficiary(campaign, actor=world.admin, id_number=member.id_number)
    assert caught.value.code == "list_locked"


# --- the workflow ----------------------------------------------------------------------------------


def test_confirm_reopen_close_with_history(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    beneficiary(campaign, member_of(world.tree.acme))
    services.change_status(
        campaign, actor=world.admin, action=CareCampaignAction.CONFIRM, comment="经班子会研究"
    )
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.REOPEN)
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CONFIRM)
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CLOSE)
    campaign.refresh_from_db()
    assert campaign.status == CareCampaignStatus.CLOSED
    steps = list(campaign.history.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("confirm", "listing", "confirmed"),
        ("reopen", "confirmed", "listing"),
        ("confirm", "listing", "confirmed"),
        ("close", "confirmed", "closed"),
    ]


def test_confirm_refuses_an_empty_list_and_one_over_budget(world: World) -> None:
    campaign = listing_campaign(world.tree.east, budget="600.00")
    with pytest.raises(Conflict) as caught:
        services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CONFIRM)
    assert caught.value.code == "empty_list"
    beneficiary(campaign, member_of(world.tree.acme), amount="700.00")  # as if the budget had been cut
    with pytest.raises(Conflict) as caught:
        services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CONFIRM)
    assert caught.value.code == "over_budget"
    assert "¥100.00" in caught.value.message


@pytest.mark.parametrize("status", list(CareCampaignStatus.values))
@pytest.mark.parametrize("action", list(CARE_CAMPAIGN_TRANSITIONS))
def test_illegal_transitions_are_refused_and_change_nothing(world: World, status: str, action: str) -> None:
    if CARE_CAMPAIGN_TRANSITIONS.allows(action, status):
        return
    campaign = make_care_campaign(world.tree.east)
    CareCampaign.objects.filter(pk=campaign.pk).update(status=status)
    step: Callable[..., object]
    if action == CareCampaignAction.BUILD_LIST:
        step = partial(services.build_list, campaign)
    else:
        step = partial(services.change_status, campaign, action=action)
    with pytest.raises(InvalidTransition):
        step(actor=world.admin)
    campaign.refresh_from_db()
    assert campaign.status == status
    assert not campaign.history.exists()


def test_union_officers_cannot_take_the_campaign_through_its_steps(world: World) -> None:
    campaign = listing_campaign(world.tree.east)
    beneficiary(campaign, member_of(world.tree.acme))
    with pytest.raises(Forbidden):
        services.change_status(campaign, actor=world.acme_officer, action=CareCampaignAction.CONFIRM)
    with pytest.raises(Forbidden):
        services.build_list(campaign, actor=world.acme_officer)
    with pytest.raises(ValidationFailed):
        services.change_status(campaign, actor=world.admin, action="publish")


# --- paying ------------------------------------------------------------------------------------------


def confirmed_with_fund(world: World, balance: str, count: int = 3) -> CareCampaign:
    fund = fund_with(world.tree.east, balance)
    campaign = listing_campaign(world.tree.east, fund=fund)
    for _ in range(count):
        beneficiary(campaign, member_of(world.tree.acme))
    beneficiary(campaign, member_of(world.tree.beta), amount="0.00")  # goods only: no grant
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CONFIRM)
    return campaign


def test_pay_makes_one_approved_grant_each_and_debits_the_fund_once(world: World) -> None:
    campaign = confirmed_with_fund(world, "5000.00")
    outcome = services.pay_campaign(campaign, actor=world.finance)
    assert (outcome.grants, outcome.total) == (3, Decimal("1500.00"))
    grants = Grant.objects.filter(campaign=campaign)
    assert grants.count() == 3
    assert set(grants.values_list("status", "purpose", "amount", "decided_by")) == {
        (GrantStatus.APPROVED, GrantPurpose.SEASONAL, Decimal("500.00"), world.finance.pk)
    }
    assert CareBeneficiary.objects.filter(campaign=campaign, grant__isnull=False).count() == 3
    assert campaign.fund is not None
    campaign.fund.refresh_from_db()
    assert campaign.fund.balance == Decimal("3500.00")
    entries = FundEntry.objects.filter(fund=campaign.fund, kind="grant").order_by("id")
    assert [entry.balance_after for entry in entries] == [
        Decimal("4500.00"),
        Decimal("4000.00"),
        Decimal("3500.00"),
    ]
    with pytest.raises(Conflict) as caught:  # re-run safe
        services.pay_campaign(campaign, actor=world.finance)
    assert caught.value.code == "nothing_to_pay"
    assert Grant.objects.filter(campaign=campaign).count() == 3
    with pytest.raises(Conflict) as caught:
        services.change_status(campaign, actor=world.admin, action=CareCampaignAction.REOPEN)
    assert caught.value.code == "already_paid"
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CLOSE)


def test_pay_with_too_little_in_the_fund_writes_nothing(world: World) -> None:
    campaign = confirmed_with_fund(world, "1200.00")
    with pytest.raises(Conflict) as caught:
        services.pay_campaign(campaign, actor=world.finance)
    assert caught.value.code == "insufficient_funds"
    assert "¥300.00" in caught.value.message
    assert not Grant.objects.exists()
    assert FundEntry.objects.filter(kind="grant").count() == 0
    with pytest.raises(Conflict) as caught:  # closing needs everyone paid
        services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CLOSE)
    assert caught.value.code == "not_paid"


def test_pay_needs_the_fund_keepers_and_a_confirmed_list(world: World) -> None:
    campaign = confirmed_with_fund(world, "5000.00")
    with pytest.raises(Forbidden):
        services.pay_campaign(campaign, actor=world.acme_officer)
    with pytest.raises(NotFound):
        services.pay_campaign(campaign, actor=world.west_admin)
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.REOPEN)
    with pytest.raises(Conflict) as caught:
        services.pay_campaign(campaign, actor=world.finance)
    assert caught.value.code == "not_confirmed"
    goods = listing_campaign(world.tree.east)
    with pytest.raises(Conflict) as caught:
        services.pay_campaign(goods, actor=world.admin)
    assert caught.value.code == "no_fund"
    assert not Grant.objects.exists()


def test_pay_after_a_partial_run_pays_only_who_is_left(world: World) -> None:
    campaign = confirmed_with_fund(world, "5000.00")
    services.pay_campaign(campaign, actor=world.finance)
    services.change_status(campaign, actor=world.admin, action=CareCampaignAction.CLOSE)
    campaign.refresh_from_db()
    assert campaign.status == CareCampaignStatus.CLOSED


# --- reach -------------------------------------------------------------------------------------------


def test_union_officers_reach_the_campaign_above_them_and_others_do_not(world: World) -> None:
    campaign = make_care_campaign(world.tree.east)
    town_campaign = make_care_campaign(world.tree.east, eligible_org=world.tree.town)
    beta_only = make_care_campaign(world.tree.east, eligible_org=world.tree.beta)
    reach = set(services.reachable_campaigns(world.acme_officer, Perm.ASSISTANCE_VIEW))
    assert reach == {campaign, town_campaign}
    assert beta_only not in set(services.reachable_campaigns(world.acme_officer, Perm.ASSISTANCE_VIEW))
    assert not services.reachable_campaigns(world.west_admin, Perm.ASSISTANCE_VIEW).exists()
    assert services.reachable_campaigns(world.admin, Perm.ASSISTANCE_VIEW).count() == 3
