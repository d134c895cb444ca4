"""Registering and changing workplaces: validation, uniqueness, scope, the union flag, audit."""

from __future__ import annotations

import pytest

from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import OrgStatus, Role, Workplace
from gonghui.orgs.services.workplaces import (
    WorkplaceData,
    create_workplace,
    create_workplaces,
    update_workplace,
)
from gonghui.orgs.tests.factories import credit_code, make_workplace, officer_at

pytestmark = pytest.mark.django_db


def data(tree, **changes) -> WorkplaceData:
    values = {
        "credit_code": credit_code(1),
        "name": "东湖精工机械有限公司",
        "industry": "C",
        "ownership": "private",
        "employee_count": 120,
        "address": "东区湖滨路 8 号",
        "district": "东区",
        "jurisdiction_id": tree.town.pk,
        "union_id": tree.acme.pk,
    }
    return WorkplaceData(**(values | changes))


def nothing_written() -> bool:
    return (
        not Workplace.objects.exists()
        and not AuditEvent.objects.filter(action__contains="workplace").exists()
    )


# --- registering ------------------------------------------------------------------------------


def test_a_valid_workplace_is_registered_normalised_unionised_and_audited(tree, east_admin):
    typed = credit_code(1).lower()
    workplace = create_workplace(
        actor=east_admin,
        data=data(tree, credit_code=f" {typed[:9]} {typed[9:]} ", name="东湖精工机械有限公司　（二期） "),
    )

    assert workplace.credit_code == credit_code(1)
    assert workplace.name == "东湖精工机械有限公司 （二期）"
    assert (workplace.jurisdiction, workplace.union, workplace.is_unionised) == (tree.town, tree.acme, True)
    event = AuditEvent.objects.get(action="orgs.create_workplace")
    assert event.actor == east_admin
    assert event.object_id == str(workplace.pk)
    assert event.org_path == tree.acme.path
    assert event.changes["employee_count"] == [None, 120]
    assert event.changes["union"] == [None, "E-T-A 东区甲公司工会"]
    assert event.changes["is_unionised"] == [None, True]


def test_registering_and_changing_workplaces_ask_for_a_coverage_refresh(
    tree, east_admin, django_capture_on_commit_callbacks
):
    from gonghui.orgs.services.coverage import _enqueue_debounced_refresh

    with django_capture_on_commit_callbacks() as callbacks:
        workplace = create_workplace(actor=east_admin, data=data(tree))
    assert _enqueue_debounced_refresh in callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        update_workplace(workplace, actor=east_admin, changes={"employee_count": 80})
    assert _enqueue_debounced_refresh in callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        create_workplaces(actor=east_admin, rows=[data(tree, credit_code=credit_code(2))])
    assert _enqueue_debounced_refresh in callbacks


def test_a_workplace_without_a_union_is_not_unionised_and_a_joint_union_may_be_its_area(tree, east_admin):
    workplace = create_workplace(
        actor=east_admin, data=data(tree, jurisdiction_id=tree.joint.pk, union_id=None)
    )

    assert workplace.jurisdiction == tree.joint
    assert workplace.union is None
    assert workplace.is_unionised is False


def test_an_invalid_credit_code_is_refused_with_the_parsers_message_and_nothing_is_written(tree, east_admin):
    code = credit_code(1)
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")

    with pytest.raises(ValidationFailed) as refused:
        create_workplace(actor=east_admin, data=data(tree, credit_code=wrong_check))

    assert refused.value.fields["credit_code"] == ["统一社会信用代码校验位不符，请逐位核对。"]
    assert nothing_written()


def test_every_bad_field_is_reported_at_once(tree, east_admin):
    with pytest.raises(ValidationFailed) as refused:
        create_workplace(
            actor=east_admin,
            data=data(
                tree, credit_code="123", name=" ", industry="Z", ownership="state-ish", employee_count=-1
            ),
        )

    assert set(refused.value.fields) == {"credit_code", "name", "industry", "ownership", "employee_count"}
    assert refused.value.fields["employee_count"] == ["职工人数不能为负数。"]
    assert nothing_written()


def test_a_duplicate_credit_code_names_the_workplace_the_officer_may_see(tree, east_admin):
    existing = make_workplace(tree.town, credit_code=credit_code(1), name="东湖老厂")

    with pytest.raises(ValidationFailed) as refused:
        create_workplace(actor=east_admin, data=data(tree))

    assert refused.value.fields["credit_code"] == ["该统一社会信用代码已登记为“东湖老厂”。"]
    assert list(Workplace.objects.all()) == [existing]


def test_a_duplicate_credit_code_outside_the_officers_scope_is_not_named(tree, east_admin):
    make_workplace(None, tree.gamma, credit_code=credit_code(1), name="西区机密工厂")

    with pytest.raises(ValidationFailed) as refused:
        create_workplace(actor=east_admin, data=data(tree))

    assert refused.value.fields["credit_code"] == ["该统一社会信用代码已登记为其他单位。"]
    assert "西区机密工厂" not in str(refused.value.fields)
    assert Workplace.objects.count() == 1


def test_a_union_outside_the_officers_scope_is_not_found_and_nothing_changes(tree, east_admin):
    with pytest.raises(NotFound) as refused:
        create_workplace(actor=east_admin, data=data(tree, union_id=tree.gamma.pk))

    assert refused.value.fields == {"union_id": ["您的管理范围内没有该工会。"]}
    assert nothing_written()


def test_an_area_outside_the_officers_scope_is_not_found_like_a_missing_one(tree):
    town_officer = officer_at(tree.town, "town.officer", Role.UNION_OFFICER)

    with pytest.raises(NotFound) as outside:
        create_workplace(actor=town_officer, data=data(tree, jurisdiction_id=tree.west.pk, union_id=None))
    with pytest.raises(NotFound) as missing:
        create_workplace(actor=town_officer, data=data(tree, jurisdiction_id=999_999, union_id=None))

    assert outside.value.fields == missing.value.fields
    assert set(outside.value.fields) == {"jurisdiction_id"}
    assert nothing_written()


def test_a_union_officer_cannot_register_a_workplace_in_the_area_above_their_union(tree):
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    with pytest.raises(NotFound):
        create_workplace(actor=acme_officer, data=data(tree))
    assert nothing_written()


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("east", "属地工会必须是乡镇（街道）总工会或联合工会，东区总工会 不是。"),
        ("acme", "属地工会必须是乡镇（街道）总工会或联合工会，东区甲公司工会 不是。"),
    ],
)
def test_the_area_must_be_a_township_federation_or_a_joint_union(tree, east_admin, area, message):
    with pytest.raises(ValidationFailed) as refused:
        create_workplace(actor=east_admin, data=data(tree, jurisdiction_id=getattr(tree, area).pk))

    assert refused.value.fields == {"jurisdiction_id": [message]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("union", "message"),
    [
        ("town", "总工会不直接覆盖单位，请选择该单位的工会。"),
        ("group", "工会小组隶属于工会，请选择它所属的工会。"),
    ],
)
def test_the_union_must_be_a_union_not_a_federation_or_a_union_group(tree, east_admin, union, message):
    with pytest.raises(ValidationFailed) as refused:
        create_workplace(actor=east_admin, data=data(tree, union_id=getattr(tree, union).pk))

    assert refused.value.fields == {"union_id": [message]}


def test_a_dissolved_union_cannot_cover_a_new_workplace(tree, east_admin):
    type(tree.beta).objects.filter(pk=tree.beta.pk).update(status=OrgStatus.DISSOLVED)

    with pytest.raises(ValidationFailed) as refused:
        create_workplace(actor=east_admin, data=data(tree, union_id=tree.beta.pk))

    assert refused.value.fields == {"union_id": ["东区乙公司工会已撤销。"]}


# --- changing ---------------------------------------------------------------------------------


def test_the_union_officer_may_update_their_workplace_whose_area_lies_above_them(tree):
    workplace = make_workplace(tree.town, tree.acme, employee_count=50)
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    changed = update_workplace(
        workplace, actor=acme_officer, changes={"employee_count": 64, "address": "新址"}
    )

    assert changed is True
    assert (workplace.employee_count, workplace.address) == (64, "新址")
    workplace.refresh_from_db()
    assert (workplace.employee_count, workplace.jurisdiction) == (64, tree.town)
    event = AuditEvent.objects.get(action="orgs.update_workplace")
    assert event.changes == {"address": ["", "新址"], "employee_count": [50, 64]}
    assert event.org_path == tree.acme.path


def test_setting_a_union_marks_the_workplace_unionised_and_clearing_it_unmarks_it(tree, east_admin):
    workplace = make_workplace(tree.town)

    update_workplace(workplace, actor=east_admin, changes={"union_id": tree.beta.pk})
    workplace.refresh_from_db()
    assert (workplace.union, workplace.is_unionised) == (tree.beta, True)

    update_workplace(workplace, actor=east_admin, changes={"union_id": None})
    workplace.refresh_from_db()
    assert (workplace.union, workplace.is_unionised) == (None, False)
    clearing = AuditEvent.objects.filter(action="orgs.update_workplace").order_by("pk").last()
    assert clearing is not None
    assert clearing.changes["is_unionised"] == [True, False]


def test_moving_a_workplace_to_an_area_outside_the_officers_scope_changes_nothing(tree):
    workplace = make_workplace(tree.town, tree.acme)
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    with pytest.raises(NotFound) as refused:
        update_workplace(
            workplace, actor=acme_officer, changes={"jurisdiction_id": tree.joint.pk, "name": "新"}
        )

    assert set(refused.value.fields) == {"jurisdiction_id"}
    workplace.refresh_from_db()
    assert (workplace.jurisdiction, workplace.name) == (tree.town, "示范精工机械有限公司")
    assert not AuditEvent.objects.filter(action="orgs.update_workplace").exists()


def test_an_officer_elsewhere_cannot_change_the_workplace(tree):
    workplace = make_workplace(tree.town, tree.acme)
    west_admin = officer_at(tree.west, "west.admin")

    with pytest.raises(NotFound):
        update_workplace(workplace, actor=west_admin, changes={"employee_count": 1})
    workplace.refresh_from_db()
    assert workplace.employee_count == 50


def test_a_read_only_auditor_cannot_change_the_workplace(tree):
    workplace = make_workplace(tree.town, tree.acme)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)

    with pytest.raises(NotFound):
        update_workplace(workplace, actor=auditor, changes={"employee_count": 1})


def test_taking_another_workplaces_credit_code_is_refused(tree, east_admin):
    make_workplace(tree.town, credit_code=credit_code(7), name="东湖老厂")
    workplace = make_workplace(tree.town, credit_code=credit_code(8))

    with pytest.raises(ValidationFailed) as refused:
        update_workplace(workplace, actor=east_admin, changes={"credit_code": credit_code(7)})

    assert refused.value.fields["credit_code"] == ["该统一社会信用代码已登记为“东湖老厂”。"]
    workplace.refresh_from_db()
    assert workplace.credit_code == credit_code(8)


def test_saving_the_same_values_changes_nothing_and_leaves_no_audit_event(tree, east_admin):
    workplace = make_workplace(tree.town, tree.acme)

    changed = update_workplace(
        workplace,
        actor=east_admin,
        changes={"name": workplace.name, "employee_count": 50, "union_id": tree.acme.pk},
    )

    assert changed is False
    assert not AuditEvent.objects.filter(action="orgs.update_workplace").exists()


# --- many at once -----------------------------------------------------------------------------


def test_registering_many_at_once_checks_each_row_like_one_and_audits_the_good_ones(tree, east_admin):
    make_workplace(tree.town, credit_code=credit_code(5), name="东湖老厂")
    rows = [
        data(tree, credit_code=credit_code(1), name="甲"),
        data(tree, credit_code=credit_code(5), name="乙"),
        data(tree, credit_code=credit_code(1), name="丙"),
        data(tree, credit_code=credit_code(2), name="丁", union_id=tree.gamma.pk),
        data(tree, credit_code=credit_code(3), name="戊", union_id=None, jurisdiction_id=tree.joint.pk),
    ]

    results = create_workplaces(actor=east_admin, rows=rows, note="批量")

    assert [type(result).__name__ for result in results] == [
        "Workplace",
        "ValidationFailed",
        "ValidationFailed",
        "NotFound",
        "Workplace",
    ]
    refused_existing, refused_twice = results[1], results[2]
    assert isinstance(refused_existing, ValidationFailed)
    assert isinstance(refused_twice, ValidationFailed)
    assert refused_existing.fields == {"credit_code": ["该统一社会信用代码已登记为“东湖老厂”。"]}
    assert refused_twice.fields == {"credit_code": ["该统一社会信用代码已登记为“甲”。"]}
    assert set(Workplace.objects.values_list("name", flat=True)) == {"东湖老厂", "甲", "戊"}
    events = AuditEvent.objects.filter(action="orgs.create_workplace")
    assert sorted(event.object_repr for event in events) == ["戊", "甲"]
    assert {event.note for event in events} == {"批量"}
