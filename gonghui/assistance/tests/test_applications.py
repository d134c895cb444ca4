"""Education grant applications (金秋助学): applying with the admission letter, once per child,
inside the window; deciding by the member's union."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.assistance.models import (
    ApplicationStatus,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignStatus,
    EducationApplication,
    EducationDocument,
    HardshipGrade,
    SchoolLevel,
)
from gonghui.assistance.services import applications as services
from gonghui.assistance.tests.factories_campaigns import (
    PDF,
    application,
    beneficiary,
    child_id_number,
    education_campaign,
    member_account,
    member_of,
    on_file,
)
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.members.models import Member
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, make_tree, officer_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@dataclass
class World:
    tree: Tree
    campaign: CareCampaign
    member: Member
    user: User
    acme_officer: User
    beta_officer: User
    admin: User


@pytest.fixture
def world() -> World:
    tree = make_tree()
    member = member_of(tree.acme, name="王建国")
    return World(
        tree=tree,
        campaign=education_campaign(tree.east),
        member=member,
        user=member_account(member, "13900001111"),
        acme_officer=officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER),
        beta_officer=officer_at(tree.beta, "beta.officer", Role.UNION_OFFICER),
        admin=officer_at(tree.east, "east.admin"),
    )


def data(**fields: Any) -> services.ApplicationData:
    values: dict[str, Any] = {
        "child_name": "王 小雨",
        "child_id_number": child_id_number(),
        "school": "浙江大学",
        "level": SchoolLevel.UNDERGRADUATE,
        "admission_year": timezone.localdate().year,
        "documents": [("录取通知书.pdf", PDF)],
        **fields,
    }
    return services.ApplicationData(**values)


def test_a_member_applies_with_the_admission_letter(world: World) -> None:
    row = services.apply_for_education_grant(world.campaign, actor=world.user, data=data())
    assert (row.status, row.org, row.child_name, row.channel) == (
        "submitted",
        world.tree.acme,
        "王小雨",
        "member",
    )
    assert row.person_index == world.member.id_number_index
    document = EducationDocument.objects.get(application=row)
    assert (document.original_name, document.content_type) == ("录取通知书.pdf", "application/pdf")
    assert document.file.read() == PDF
    assert list(services.my_applications(world.user)) == [row]


def test_a_child_is_applied_for_once_per_campaign(world: World) -> None:
    child = child_id_number()
    services.apply_for_education_grant(world.campaign, actor=world.user, data=data(child_id_number=child))
    with pytest.raises(Conflict) as caught:
        services.apply_for_education_grant(world.campaign, actor=world.user, data=data(child_id_number=child))
    assert caught.value.code == "already_applied"
    spouse = member_of(world.tree.beta)
    spouse_user = member_account(spouse, "13900002222")
    with pytest.raises(Conflict):  # the other parent cannot apply for the same child either
        services.apply_for_education_grant(
            world.campaign, actor=spouse_user, data=data(child_id_number=child)
        )
    assert EducationApplication.objects.count() == 1


def test_every_bad_field_is_reported_and_nothing_is_written(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.apply_for_education_grant(
            world.campaign,
            actor=world.user,
            data=data(
                child_name="",
                child_id_number=world.member.id_number,
                school="",
                level="kindergarten",
                admission_year=1990,
                documents=[("letter.txt", b"not a document")],
            ),
        )
    assert set(caught.value.fields) == {
        "child_name",
        "child_id_number",
        "school",
        "level",
        "admission_year",
        "documents",
    }
    with pytest.raises(ValidationFailed) as caught:
        services.apply_for_education_grant(
            world.campaign, actor=world.user, data=data(child_id_number="123", documents=[])
        )
    assert set(caught.value.fields) == {"child_id_number", "documents"}
    assert not EducationApplication.objects.exists()
    assert not EducationDocument.objects.exists()


def test_applications_only_inside_the_window_and_while_listing(world: World) -> None:
    today = timezone.localdate()
    CareCampaign.objects.filter(pk=world.campaign.pk).update(applications_until=today - timedelta(days=1))
    with pytest.raises(Conflict) as caught:
        services.apply_for_education_grant(world.campaign, actor=world.user, data=data())
    assert caught.value.code == "not_open"
    CareCampaign.objects.filter(pk=world.campaign.pk).update(
        applications_until=today, status=CareCampaignStatus.CONFIRMED
    )
    with pytest.raises(Conflict):
        services.apply_for_education_grant(world.campaign, actor=world.user, data=data())
    assert not EducationApplication.objects.exists()


def test_the_rules_say_who_may_apply(world: World) -> None:
    graded = education_campaign(world.tree.east, grades=[HardshipGrade.SEVERE])
    with pytest.raises(NotFound):
        services.apply_for_education_grant(graded, actor=world.user, data=data())
    assert graded not in services.campaigns_open_to(world.member)
    on_file(world.member, HardshipGrade.SEVERE)
    assert graded in services.campaigns_open_to(world.member)
    services.apply_for_education_grant(graded, actor=world.user, data=data())
    west = education_campaign(world.tree.west)
    with pytest.raises(NotFound):
        services.apply_for_education_grant(west, actor=world.user, data=data())
    officer = officer_at(world.tree.east, "someone")
    with pytest.raises(NotFound):  # no membership
        services.apply_for_education_grant(world.campaign, actor=officer, data=data())


def test_approval_puts_the_member_on_the_list(world: World) -> None:
    row = application(world.campaign, world.member)
    services.approve_application(row, actor=world.acme_officer)
    row.refresh_from_db()
    assert (row.status, row.decided_by) == (ApplicationStatus.APPROVED, world.acme_officer)
    listed = CareBeneficiary.objects.get(campaign=world.campaign)
    assert (listed.member, listed.source, listed.amount) == (
        world.member,
        BeneficiarySource.APPLICATION,
        world.campaign.amount_per_person,
    )
    with pytest.raises(Conflict):  # decided
        services.reject_application(row, actor=world.acme_officer, reason="材料不全")


def test_a_second_child_of_the_same_member_cannot_be_approved(world: World) -> None:
    first = application(world.campaign, world.member)
    second = application(world.campaign, world.member, child_name="王小雪")
    services.approve_application(first, actor=world.admin)
    with pytest.raises(Conflict) as caught:
        services.approve_application(second, actor=world.admin)
    assert caught.value.code == "already_on_list"
    second.refresh_from_db()
    assert second.status == ApplicationStatus.SUBMITTED


def test_approval_within_the_budget_only(world: World) -> None:
    CareCampaign.objects.filter(pk=world.campaign.pk).update(budget="2500.00")
    beneficiary(world.campaign, member_of(world.tree.beta), source=BeneficiarySource.APPLICATION)
    row = application(world.campaign, world.member)
    with pytest.raises(Conflict) as caught:
        services.approve_application(row, actor=world.admin)
    assert caught.value.code == "over_budget"
    assert "¥1,500.00" in caught.value.message
    row.refresh_from_db()
    assert row.status == ApplicationStatus.SUBMITTED


def test_reject_needs_a_reason_and_only_the_members_union_decides(world: World) -> None:
    row = application(world.campaign, world.member)
    with pytest.raises(NotFound):
        services.reject_application(row, actor=world.beta_officer, reason="x")
    with pytest.raises(ValidationFailed) as caught:
        services.reject_application(row, actor=world.acme_officer, reason=" ")
    assert "reason" in caught.value.fields
    finance = officer_at(world.tree.east, "east.finance", Role.FINANCE_OFFICER)
    with pytest.raises(Forbidden):
        services.approve_application(row, actor=finance)
    services.reject_application(row, actor=world.acme_officer, reason="子女不在本年度录取范围")
    row.refresh_from_db()
    assert (row.status, row.decision_reason) == (ApplicationStatus.REJECTED, "子女不在本年度录取范围")
    assert not CareBeneficiary.objects.exists()


def test_decisions_need_the_list_being_prepared(world: World) -> None:
    row = application(world.campaign, world.member)
    CareCampaign.objects.filter(pk=world.campaign.pk).update(status=CareCampaignStatus.CONFIRMED)
    with pytest.raises(Conflict) as caught:
        services.approve_application(row, actor=world.admin)
    assert caught.value.code == "list_locked"
