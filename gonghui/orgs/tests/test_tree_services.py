"""Tree services: creating, editing, moving, merging and dissolving orgs, and every refusal
leaving the database exactly as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, MemberStatus
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import (
    FederationLevel,
    JointUnionArea,
    OfficerTerm,
    Org,
    OrgHistory,
    OrgHistoryAction,
    OrgKind,
    OrgStatus,
    Role,
    Workplace,
)
from gonghui.orgs.services.tree import (
    create_org,
    dissolve_blockers,
    dissolve_org,
    merge_orgs,
    move_org,
    update_org,
)
from gonghui.orgs.tests.factories import Tree, make_term, make_workplace, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_admin(tree: Tree) -> User:
    return officer_at(tree.city, "city.admin")


def database_state() -> dict[str, Any]:
    """Everything the tree services may write, to prove that a refusal wrote nothing."""
    return {
        "orgs": list(Org.objects.order_by("pk").values()),
        "members": list(Member.objects.order_by("pk").values_list("pk", "org_id", "status")),
        "workplaces": list(Workplace.objects.order_by("pk").values_list("pk", "union_id", "jurisdiction_id")),
        "terms": list(OfficerTerm.objects.order_by("pk").values_list("pk", "ended_on")),
        "history": OrgHistory.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def refused(call: Any, error: type[DomainError]) -> DomainError:
    """Run `call`, expect `error`, and check that nothing in the database changed."""
    before = database_state()
    with pytest.raises(error) as caught:
        call()
    assert database_state() == before
    return caught.value


def tree_is_sound() -> None:
    assert Org.objects.find_problems() == ([], [], [], [], [])


# --- create ----------------------------------------------------------------------------------


def test_a_federation_admin_adds_a_grassroots_union_with_history_and_audit(tree, east_admin):
    org = create_org(
        tree.town,
        actor=east_admin,
        code="ｅ-t-ｎｅｗ",
        name="  东区丁公司工会 ",
        kind=OrgKind.GRASSROOTS,
        founded_on=date(2020, 5, 1),
    )

    assert org.code == "E-T-NEW"
    assert org.name == "东区丁公司工会"
    assert org.path.startswith(tree.town.path)
    assert org.depth == tree.town.depth + 1
    assert tree.fresh(tree.town).numchild == 3
    entry = OrgHistory.objects.get(org=org)
    assert (entry.action, entry.to_parent, entry.actor) == (OrgHistoryAction.CREATED, tree.town, east_admin)
    event = AuditEvent.objects.get(action="orgs.create_org")
    assert event.object_id == str(org.pk)
    assert event.changes["code"] == [None, "E-T-NEW"]
    assert event.org_path == org.path
    tree_is_sound()


@pytest.mark.parametrize(
    ("parent", "kind", "level", "message"),
    [
        ("east", OrgKind.UNION_GROUP, "", "工会小组只能设在基层工会之下。"),
        ("town", OrgKind.FEDERATION, FederationLevel.DISTRICT, "区县级总工会必须直接隶属于市总工会。"),
        ("east", OrgKind.FEDERATION, FederationLevel.CITY, "市总工会是组织树的顶端，不能隶属于其他组织。"),
        ("acme", OrgKind.JOINT_UNION, "", "联合工会必须隶属于总工会。"),
    ],
)
def test_an_org_of_a_kind_that_may_not_sit_under_the_parent_is_refused(
    tree, city_admin, parent, kind, level, message
):
    area = JointUnionArea.PARK if kind == OrgKind.JOINT_UNION else ""
    error = refused(
        lambda: create_org(
            getattr(tree, parent),
            actor=city_admin,
            code="NEW",
            name="新组织",
            kind=kind,
            level=level,
            area=area,
        ),
        ValidationFailed,
    )
    assert error.fields == {"kind": [message]}


def test_a_township_federation_sits_under_a_district_and_a_union_group_under_a_branch_union(tree, city_admin):
    township = create_org(
        tree.west, actor=city_admin, code="W-T", name="西湖镇总工会", kind="federation", level="township"
    )
    branch = create_org(
        tree.acme, actor=city_admin, code="E-T-A-B", name="甲公司二分厂分工会", kind="grassroots"
    )
    group = create_org(branch, actor=city_admin, code="E-T-A-B-1", name="二分厂工会小组", kind="union_group")
    assert (township.level, branch.kind, group.depth) == ("township", "grassroots", branch.depth + 1)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"kind": OrgKind.GRASSROOTS, "level": "district"}, {"level": ["只有总工会才有级别。"]}),
        ({"kind": OrgKind.FEDERATION}, {"level": ["请选择总工会的级别。"]}),
        ({"kind": OrgKind.JOINT_UNION}, {"area": ["请选择联合工会覆盖的区域类型。"]}),
        ({"kind": OrgKind.GRASSROOTS, "area": "park"}, {"area": ["只有联合工会才有覆盖区域。"]}),
        ({"kind": "club"}, {"kind": ["请选择组织类型。"]}),
        ({"kind": OrgKind.GRASSROOTS, "code": "E T"}, {"code": ["只能使用字母、数字和连字符。"]}),
        ({"kind": OrgKind.GRASSROOTS, "code": "e-b"}, {"code": ["该编码已被使用。"]}),
        ({"kind": OrgKind.GRASSROOTS, "code": ""}, {"code": ["请输入组织编码。"]}),
        ({"kind": OrgKind.GRASSROOTS, "name": " "}, {"name": ["请输入名称。"]}),
        ({"kind": OrgKind.GRASSROOTS, "name": "工" * 121}, {"name": ["最多只能输入 120 个字符。"]}),
        (
            {"kind": OrgKind.GRASSROOTS, "contact_phone": "call me"},
            {"contact_phone": ["只能使用数字、空格、连字符和括号。"]},
        ),
        (
            {"kind": OrgKind.GRASSROOTS, "founded_on": date.today() + timedelta(days=3)},
            {"founded_on": ["成立日期不能晚于今天。"]},
        ),
    ],
)
def test_bad_details_are_refused_field_by_field(tree, city_admin, fields, errors):
    values = {"code": "NEW", "name": "新组织"} | fields
    error = refused(lambda: create_org(tree.town, actor=city_admin, **values), ValidationFailed)
    assert error.fields == errors
    assert error.message == "请更正标出的内容。"


def test_adding_under_an_org_outside_the_officers_scope_reads_as_missing(tree, east_admin):
    error = refused(
        lambda: create_org(tree.west, actor=east_admin, code="W-X", name="西区戊公司工会", kind="grassroots"),
        NotFound,
    )
    assert error.message == "您的管辖范围内没有这个组织。"


def test_an_officer_without_the_change_permission_cannot_add(tree):
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    refused(
        lambda: create_org(tree.town, actor=auditor, code="N", name="新工会", kind="grassroots"), NotFound
    )


def test_nothing_can_be_added_under_a_dissolved_org(tree, city_admin):
    Org.objects.filter(pk=tree.beta.pk).update(status=OrgStatus.DISSOLVED)
    error = refused(
        lambda: create_org(tree.beta, actor=city_admin, code="N", name="小组", kind="union_group"), Conflict
    )
    assert error.message == "已撤销的组织下不能再增设组织。"


# --- update ----------------------------------------------------------------------------------


def test_editing_records_only_the_changed_fields_before_and_after(tree, east_admin):
    update_org(tree.acme, actor=east_admin, name="东区甲股份公司工会", code="e-t-a", address="东湖路 1 号")

    acme = tree.fresh(tree.acme)
    assert (acme.name, acme.code, acme.address) == ("东区甲股份公司工会", "E-T-A", "东湖路 1 号")
    event = AuditEvent.objects.get(action="orgs.update_org")
    assert event.changes == {"address": ["", "东湖路 1 号"], "name": ["东区甲公司工会", "东区甲股份公司工会"]}


def test_saving_without_changes_writes_no_audit_event(tree, east_admin):
    update_org(tree.acme, actor=east_admin, name=tree.acme.name)
    assert not AuditEvent.objects.filter(action="orgs.update_org").exists()


def test_a_kind_its_sub_organisations_could_not_stay_under_is_refused(tree, city_admin):
    error = refused(
        lambda: update_org(tree.acme, actor=city_admin, kind=OrgKind.JOINT_UNION, area=JointUnionArea.PARK),
        ValidationFailed,
    )
    assert error.fields == {"kind": ["它的下级组织无法继续隶属于它：工会小组只能设在基层工会之下。"]}


def test_a_kind_that_may_not_sit_under_the_parent_is_refused(tree, city_admin):
    error = refused(
        lambda: update_org(tree.beta, actor=city_admin, kind=OrgKind.UNION_GROUP), ValidationFailed
    )
    assert error.fields == {"kind": ["工会小组只能设在基层工会之下。"]}


def test_a_dissolved_org_cannot_be_edited(tree, city_admin):
    Org.objects.filter(pk=tree.beta.pk).update(status=OrgStatus.DISSOLVED)
    refused(lambda: update_org(tree.beta, actor=city_admin, name="新名"), Conflict)


def test_editing_outside_the_scope_reads_as_missing(tree, east_admin):
    refused(lambda: update_org(tree.gamma, actor=east_admin, name="新名"), NotFound)


# --- move ------------------------------------------------------------------------------------


def test_moving_a_union_takes_its_subtree_members_and_history_along(tree, east_admin):
    members = make_members(tree.group, 2)
    move_org(tree.acme, tree.east, actor=east_admin, note="直属区总")

    acme, group = tree.fresh(tree.acme), tree.fresh(tree.group)
    assert acme.path.startswith(tree.east.path)
    assert acme.depth == 3
    assert group.path.startswith(acme.path)
    assert group.depth == 4
    assert (tree.fresh(tree.town).numchild, tree.fresh(tree.east).numchild) == (1, 3)
    assert set(Member.objects.in_subtree(acme).values_list("pk", flat=True)) == {m.pk for m in members}
    entry = OrgHistory.objects.get(org=acme, action=OrgHistoryAction.MOVED)
    assert (entry.from_parent, entry.to_parent, entry.note) == (tree.town, tree.east, "直属区总")
    # Filed under the new place and under the township it left (whose officers no longer see it).
    events = AuditEvent.objects.filter(action="orgs.move_org")
    assert sorted(event.org_path for event in events) == sorted([acme.path, tree.town.path])
    assert all(event.changes == {"parent": [tree.town.pk, tree.east.pk]} for event in events)
    tree_is_sound()


def test_a_move_deeper_inside_the_old_parents_subtree_is_audited_once(tree, east_admin):
    move_org(tree.beta, tree.town, actor=east_admin)
    event = AuditEvent.objects.get(action="orgs.move_org")
    assert event.org_path == tree.fresh(tree.beta).path
    assert event.org_path.startswith(tree.east.path)


@pytest.mark.parametrize("change", ["create", "move", "merge", "dissolve"])
def test_every_change_to_the_tree_asks_for_a_coverage_refresh_after_commit(
    tree, city_admin, change, django_capture_on_commit_callbacks
):
    from gonghui.orgs.services.coverage import _enqueue_debounced_refresh

    with django_capture_on_commit_callbacks() as callbacks:
        if change == "create":
            create_org(
                tree.town, actor=city_admin, code="NEW-1", name="新建公司工会", kind=OrgKind.GRASSROOTS
            )
        elif change == "move":
            move_org(tree.acme, tree.east, actor=city_admin)
        elif change == "merge":
            merge_orgs(tree.beta, tree.acme, actor=city_admin)
        else:
            dissolve_org(tree.group, actor=city_admin)
    assert _enqueue_debounced_refresh in callbacks


def test_moving_a_union_under_its_own_subordinate_is_refused(tree, city_admin):
    error = refused(lambda: move_org(tree.east, tree.town, actor=city_admin), ValidationFailed)
    assert error.fields == {"new_parent": ["不能把工会调整到它自身或它的下级组织之下。"]}
    refused(lambda: move_org(tree.acme, tree.acme, actor=city_admin), ValidationFailed)


def test_the_top_of_the_tree_cannot_be_moved(tree, city_admin):
    refused(lambda: move_org(tree.city, tree.west, actor=city_admin), Conflict)


def test_moving_into_a_dissolved_org_is_refused(tree, city_admin):
    Org.objects.filter(pk=tree.gamma.pk).update(status=OrgStatus.DISSOLVED)
    error = refused(lambda: move_org(tree.beta, tree.gamma, actor=city_admin), ValidationFailed)
    assert error.fields == {"new_parent": ["不能调整到已撤销的组织之下。"]}


def test_moving_under_a_kind_that_may_not_hold_it_is_refused(tree, city_admin):
    error = refused(lambda: move_org(tree.joint, tree.acme, actor=city_admin), ValidationFailed)
    assert error.fields == {"new_parent": ["联合工会必须隶属于总工会。"]}


def test_moving_to_the_parent_it_already_has_is_refused(tree, city_admin):
    refused(lambda: move_org(tree.acme, tree.town, actor=city_admin), ValidationFailed)


def test_moving_to_a_destination_outside_the_scope_reads_as_missing(tree, east_admin):
    error = refused(lambda: move_org(tree.beta, tree.west, actor=east_admin), NotFound)
    assert error.fields == {"new_parent": ["您的管辖范围内没有这个组织。"]}


def test_moving_needs_the_restructure_permission(tree):
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    refused(lambda: move_org(tree.beta, tree.town, actor=officer), NotFound)


def test_moving_needs_the_permission_on_the_destination_too(tree):
    # An officer of the township may restructure inside it but not hand a union to the district.
    officer = officer_at(tree.town, "town.admin")
    refused(lambda: move_org(tree.acme, tree.east, actor=officer), NotFound)


def test_a_dissolved_org_cannot_be_moved(tree, city_admin):
    Org.objects.filter(pk=tree.beta.pk).update(status=OrgStatus.DISSOLVED)
    refused(lambda: move_org(tree.beta, tree.town, actor=city_admin), Conflict)


# --- merge -----------------------------------------------------------------------------------


def test_merging_moves_members_workplaces_and_sub_orgs_and_dissolves_the_source(tree, east_admin):
    active = make_members(tree.acme, 3)
    former = make_members(tree.acme, 1, status=MemberStatus.LEFT)
    covered = make_workplace(None, tree.acme, name="甲公司")
    term = make_term(tree.acme)
    overdue = make_term(tree.acme, "钱七", end=timezone.localdate() - timedelta(days=5))

    result = merge_orgs(tree.acme, tree.beta, actor=east_admin, note="企业合并")

    acme, beta = tree.fresh(tree.acme), tree.fresh(tree.beta)
    assert (result.members_moved, result.workplaces_moved, result.children_moved) == (4, 1, 1)
    assert result.officer_terms_ended == 2
    assert set(Member.objects.filter(org=beta).values_list("pk", flat=True)) == {
        m.pk for m in active + former
    }
    assert Workplace.objects.get(pk=covered.pk).union == beta
    assert tree.fresh(tree.group).path.startswith(beta.path)
    assert (acme.status, acme.merged_into, acme.dissolved_on) == (
        OrgStatus.DISSOLVED,
        beta,
        timezone.localdate(),
    )
    assert (acme.numchild, beta.numchild) == (0, 1)
    assert {t.ended_on for t in OfficerTerm.objects.filter(pk__in=[term.pk, overdue.pk])} == {
        timezone.localdate()
    }
    merged = OrgHistory.objects.get(org=acme, action=OrgHistoryAction.MERGED_INTO)
    absorbed = OrgHistory.objects.get(org=beta, action=OrgHistoryAction.ABSORBED)
    assert (merged.other_org, merged.members_moved, merged.workplaces_moved, merged.note) == (
        beta,
        4,
        1,
        "企业合并",
    )
    assert (absorbed.other_org, absorbed.members_moved, absorbed.workplaces_moved) == (acme, 4, 1)
    assert AuditEvent.objects.get(action="orgs.merge_orgs").changes["members_moved"] == [0, 4]
    tree_is_sound()


def test_a_small_union_merges_into_the_joint_union_of_its_area_with_its_area_workplaces(tree, east_admin):
    in_area = make_workplace(tree.beta, name="乙公司辖区单位")
    result = merge_orgs(tree.beta, tree.joint, actor=east_admin)
    assert result.target == tree.joint
    assert Workplace.objects.get(pk=in_area.pk).jurisdiction == tree.joint


def test_merging_into_itself_is_refused(tree, city_admin):
    error = refused(lambda: merge_orgs(tree.acme, tree.acme, actor=city_admin), ValidationFailed)
    assert error.fields == {"target": ["工会不能并入它自己。"]}


def test_merging_into_its_own_subordinate_is_refused(tree, city_admin):
    error = refused(lambda: merge_orgs(tree.acme, tree.group, actor=city_admin), ValidationFailed)
    assert error.fields == {"target": ["不能把工会并入它自己的下级组织。"]}


def test_merging_into_a_dissolved_union_is_refused(tree, city_admin):
    Org.objects.filter(pk=tree.gamma.pk).update(status=OrgStatus.DISSOLVED)
    refused(lambda: merge_orgs(tree.beta, tree.gamma, actor=city_admin), ValidationFailed)


def test_merging_into_a_union_of_another_kind_is_refused(tree, city_admin):
    error = refused(lambda: merge_orgs(tree.beta, tree.town, actor=city_admin), ValidationFailed)
    assert error.fields == {"target": ["工会只能并入同类型、同级别的组织（基层工会也可并入联合工会）。"]}


def test_merging_into_a_joint_union_that_cannot_hold_its_union_groups_is_refused(tree, city_admin):
    error = refused(lambda: merge_orgs(tree.acme, tree.joint, actor=city_admin), ValidationFailed)
    assert error.fields == {"target": ["它的下级组织无法转到目标组织之下：工会小组只能设在基层工会之下。"]}


def test_merging_into_a_union_outside_the_scope_reads_as_missing(tree, east_admin):
    make_members(tree.beta, 1)
    error = refused(lambda: merge_orgs(tree.beta, tree.gamma, actor=east_admin), NotFound)
    assert error.fields == {"target": ["您的管辖范围内没有这个组织。"]}


def test_merging_needs_the_restructure_permission(tree):
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    refused(lambda: merge_orgs(tree.acme, tree.beta, actor=officer), NotFound)


def test_a_dissolved_union_cannot_be_merged_again(tree, city_admin):
    merge_orgs(tree.beta, tree.acme, actor=city_admin)
    refused(lambda: merge_orgs(tree.beta, tree.acme, actor=city_admin), Conflict)


# --- dissolve --------------------------------------------------------------------------------


def test_dissolving_an_empty_union_ends_its_officers_terms(tree, east_admin):
    term = make_term(tree.beta)
    make_members(tree.beta, 1, status=MemberStatus.LEFT)  # former members do not hold it back

    dissolve_org(tree.beta, actor=east_admin, note="企业注销")

    beta = tree.fresh(tree.beta)
    assert (beta.status, beta.dissolved_on) == (OrgStatus.DISSOLVED, timezone.localdate())
    assert OfficerTerm.objects.get(pk=term.pk).ended_on == timezone.localdate()
    entry = OrgHistory.objects.get(org=beta, action=OrgHistoryAction.DISSOLVED)
    assert (entry.note, entry.actor) == ("企业注销", east_admin)
    assert AuditEvent.objects.get(action="orgs.dissolve_org").org_path == beta.path


def test_dissolving_a_union_that_still_has_members_workplaces_and_groups_says_what_is_left(tree, city_admin):
    make_members(tree.acme, 2)
    make_workplace(None, tree.acme)
    make_workplace(tree.acme)

    error = refused(lambda: dissolve_org(tree.acme, actor=city_admin), Conflict)

    assert error.message == (
        "东区甲公司工会暂不能撤销，还有：未撤销的下级组织1个、在册会员2名、由其覆盖的单位1家、"
        "位于其辖区的单位1家。请先将它们调整、合并或撤销。"
    )


def test_a_union_can_be_dissolved_once_its_groups_are(tree, city_admin):
    dissolve_org(tree.group, actor=city_admin)
    assert not dissolve_blockers(tree.fresh(tree.acme))
    dissolve_org(tree.acme, actor=city_admin)
    assert tree.fresh(tree.acme).status == OrgStatus.DISSOLVED


def test_the_top_of_the_tree_and_dissolved_orgs_cannot_be_dissolved(tree, city_admin):
    refused(lambda: dissolve_org(tree.city, actor=city_admin), Conflict)
    dissolve_org(tree.group, actor=city_admin)
    refused(lambda: dissolve_org(tree.group, actor=city_admin), Conflict)


def test_dissolving_needs_the_restructure_permission_in_scope(tree, east_admin):
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    refused(lambda: dissolve_org(tree.beta, actor=officer), NotFound)
    refused(lambda: dissolve_org(tree.gamma, actor=east_admin), NotFound)


def test_an_officers_grant_on_a_dissolved_union_no_longer_gives_access(tree, city_admin):
    beta_admin = officer_at(tree.beta, "beta.admin")
    dissolve_org(tree.beta, actor=city_admin)
    refused(lambda: update_org(tree.beta, actor=beta_admin, name="新名"), NotFound)
