"""Annual pledges (十件实事), the services: who may keep a federation's list and who may report
progress (the federation, or the responsible union), every validation rule with nothing written,
the correction rule, progress kept as the latest report by (date, id), and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.services import pledges as services
from gonghui.benefits.services.pledges import (
    PledgeData,
    add_pledge_update,
    create_pledge,
    delete_pledge,
    delete_pledge_update,
    parse_quantity,
    publish_pledge,
    unpublish_pledge,
    update_pledge,
)
from gonghui.benefits.tests.factories import make_pledge, make_pledge_update
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import OrgStatus, Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
JAN_1 = date(YEAR, 1, 1)


def data(**fields) -> PledgeData:
    values = {
        "year": YEAR,
        "number": 1,
        "title": "新建户外劳动者服务站点",
        "target_value": "120",
        "unit": "个",
        **fields,
    }
    return PledgeData(**values)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- the list: permissions -------------------------------------------------------------------


def test_a_federation_admin_adds_a_pledge_unpublished_with_the_federation_responsible(tree, east_admin):
    pledge = create_pledge(actor=east_admin, org=tree.east, data=data(title="  新建户外劳动者服务站点  "))

    stored = Pledge.objects.get()
    assert stored == pledge
    assert stored.title == "新建户外劳动者服务站点"
    assert stored.owner_org == tree.east
    assert stored.target_value == Decimal("120.00")
    assert isinstance(stored.target_value, Decimal)
    assert stored.progress_value == 0
    assert stored.is_published is False
    event = AuditEvent.objects.get(action="benefits.create_pledge")
    assert event.actor == east_admin
    assert event.org_path == tree.east.path
    assert event.changes["title"] == [None, "新建户外劳动者服务站点"]
    assert event.changes["target_value"] == [None, "120.00"]


def test_the_responsible_union_must_be_the_federation_or_under_it(tree, east_admin):
    pledge = create_pledge(actor=east_admin, org=tree.east, data=data(owner_org=tree.acme))
    assert pledge.owner_org == tree.acme

    with pytest.raises(ValidationFailed) as refused:
        create_pledge(actor=east_admin, org=tree.east, data=data(number=2, owner_org=tree.gamma))
    assert list(refused.value.fields) == ["owner_org"]
    with pytest.raises(ValidationFailed):
        create_pledge(actor=east_admin, org=tree.east, data=data(number=2, owner_org=tree.city))
    assert Pledge.objects.count() == 1


def test_a_dissolved_responsible_union_is_refused(tree, east_admin):
    tree.beta.status = OrgStatus.DISSOLVED
    tree.beta.save(update_fields=["status"])
    with pytest.raises(ValidationFailed) as refused:
        create_pledge(actor=east_admin, org=tree.east, data=data(owner_org=tree.beta))
    assert "owner_org" in refused.value.fields


def test_only_a_federation_publishes_pledges(tree, east_admin):
    with pytest.raises(ValidationFailed) as refused:
        create_pledge(actor=east_admin, org=tree.acme, data=data())
    assert list(refused.value.fields) == ["org"]
    assert not Pledge.objects.exists()


def test_outside_the_scope_the_federation_is_not_found_and_viewers_may_not_add(tree, east_admin):
    with pytest.raises(NotFound):
        create_pledge(actor=east_admin, org=tree.west, data=data())
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    with pytest.raises(NotFound):
        create_pledge(actor=auditor, org=tree.east, data=data())
    assert not Pledge.objects.exists()
    assert not AuditEvent.objects.exists()


# --- the list: validation ----------------------------------------------------------------------


def test_every_field_problem_is_reported_at_once_and_nothing_is_written(tree, east_admin):
    with pytest.raises(ValidationFailed) as refused:
        create_pledge(
            actor=east_admin,
            org=tree.east,
            data=data(year=1999, number=0, title="  ", target_value="0", unit="", description="x" * 2001),
        )
    assert set(refused.value.fields) == {"year", "number", "title", "target_value", "unit", "description"}
    assert not Pledge.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_number_is_unique_per_federation_and_year_with_a_clear_message(tree, east_admin):
    create_pledge(actor=east_admin, org=tree.east, data=data(number=3, title="组织职工疗休养"))
    with pytest.raises(ValidationFailed) as refused:
        create_pledge(actor=east_admin, org=tree.east, data=data(number=3, title="另一项"))
    assert list(refused.value.fields) == ["number"]
    assert "组织职工疗休养" in refused.value.fields["number"][0]
    # Another year, or another federation, may use the number.
    create_pledge(actor=east_admin, org=tree.east, data=data(number=3, year=YEAR - 1))
    create_pledge(actor=east_admin, org=tree.town, data=data(number=3))
    assert Pledge.objects.count() == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [("120", "120.00"), ("20,000", "20000.00"), ("２０００", "2000.00"), ("2.5", "2.50"), (" 7 ", "7.00")],
)
def test_quantities_are_read_exactly(text, expected):
    assert parse_quantity(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.234", "12,5", "1e3", "9999999999999", "NaN"])
def test_bad_quantities_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match=r".+"):
        parse_quantity(text)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        parse_quantity(1.5)


# --- changing, publishing, deleting --------------------------------------------------------------


def test_update_changes_what_was_named_and_audits_the_difference(tree, east_admin):
    pledge = create_pledge(actor=east_admin, org=tree.east, data=data())
    assert update_pledge(pledge, actor=east_admin, changes={"target_value": "150", "owner_org": tree.beta})
    stored = Pledge.objects.get()
    assert stored.target_value == Decimal("150.00")
    assert stored.owner_org == tree.beta
    assert pledge.target_value == Decimal("150.00")  # the caller's object is refreshed
    event = AuditEvent.objects.get(action="benefits.update_pledge")
    assert event.changes == {"target_value": ["120.00", "150.00"], "owner_org": [tree.east.pk, tree.beta.pk]}

    assert update_pledge(pledge, actor=east_admin, changes={"title": "新建户外劳动者服务站点"}) is False
    assert AuditEvent.objects.filter(action="benefits.update_pledge").count() == 1


def test_update_refuses_a_taken_number_and_a_year_after_its_reports(tree, east_admin):
    first = create_pledge(actor=east_admin, org=tree.east, data=data(number=1))
    second = create_pledge(actor=east_admin, org=tree.east, data=data(number=2))
    with pytest.raises(ValidationFailed) as refused:
        update_pledge(second, actor=east_admin, changes={"number": 1})
    assert list(refused.value.fields) == ["number"]

    make_pledge_update(first, "10", reported_on=JAN_1)
    with pytest.raises(ValidationFailed) as refused:
        update_pledge(first, actor=east_admin, changes={"year": YEAR + 1})
    assert list(refused.value.fields) == ["year"]
    assert Pledge.objects.get(pk=first.pk).year == YEAR


def test_only_the_federation_changes_its_list(tree, east_admin):
    pledge = make_pledge(tree.east, owner_org=tree.acme)
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    west_admin = officer_at(tree.west, "west.admin")
    for call in (publish_pledge, unpublish_pledge, delete_pledge):
        with pytest.raises(Forbidden):
            call(pledge, actor=acme_officer)  # responsible: may report, not change the list
        with pytest.raises(Forbidden):
            call(pledge, actor=auditor)
        with pytest.raises(NotFound):
            call(pledge, actor=west_admin)
    with pytest.raises(Forbidden):
        update_pledge(pledge, actor=acme_officer, changes={"title": "改"})
    assert Pledge.objects.get().title == pledge.title
    assert not AuditEvent.objects.exists()


def test_publish_and_unpublish_say_whether_anything_changed(tree, east_admin):
    pledge = make_pledge(tree.east)
    assert publish_pledge(pledge, actor=east_admin) is True
    assert pledge.is_published
    assert Pledge.objects.get().is_published
    assert publish_pledge(pledge, actor=east_admin) is False
    assert unpublish_pledge(pledge, actor=east_admin) is True
    assert unpublish_pledge(pledge, actor=east_admin) is False
    assert actions() == ["benefits.publish_pledge", "benefits.unpublish_pledge"]


def test_only_an_unpublished_pledge_without_reports_can_be_deleted(tree, east_admin):
    published = make_pledge(tree.east, is_published=True)
    reported = make_pledge(tree.east)
    make_pledge_update(reported, "5")
    fresh = make_pledge(tree.east)
    with pytest.raises(Conflict):
        delete_pledge(published, actor=east_admin)
    with pytest.raises(Conflict):
        delete_pledge(reported, actor=east_admin)
    delete_pledge(fresh, actor=east_admin)
    assert set(Pledge.objects.values_list("pk", flat=True)) == {published.pk, reported.pk}
    event = AuditEvent.objects.get()
    assert event.action == "benefits.delete_pledge"
    assert event.changes["title"] == [fresh.title, None]


# --- progress -------------------------------------------------------------------------------------


def test_a_report_sets_the_progress_and_is_audited(tree, east_admin):
    pledge = make_pledge(tree.east)
    update = add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="45", note="新建站点45个")
    assert update.value == Decimal("45.00")
    assert update.actor == east_admin
    assert Pledge.objects.get().progress_value == Decimal("45.00")
    assert pledge.progress_value == Decimal("45.00")
    assert pledge.percent == 37
    event = AuditEvent.objects.get(action="benefits.add_pledge_update")
    assert event.changes["progress_value"] == ["0.00", "45.00"]
    assert event.org_path == tree.east.path


def test_the_responsible_union_reports_its_own_progress(tree):
    pledge = make_pledge(tree.east, owner_org=tree.acme)
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    town_officer = officer_at(tree.town, "town.officer", Role.UNION_OFFICER)  # above the owner
    add_pledge_update(pledge, actor=acme_officer, reported_on=TODAY, value="10")
    add_pledge_update(pledge, actor=town_officer, reported_on=TODAY, value="12")
    assert Pledge.objects.get().progress_value == 12
    assert services.may_report(acme_officer, pledge)


def test_others_may_not_report(tree):
    pledge = make_pledge(tree.east, owner_org=tree.acme)
    beta_officer = officer_at(tree.beta, "beta.officer", Role.UNION_OFFICER)  # a sibling union
    west_admin = officer_at(tree.west, "west.admin")
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    acme_auditor = officer_at(tree.acme, "acme.auditor", Role.AUDITOR)
    for outsider in (beta_officer, west_admin):
        with pytest.raises(NotFound):
            add_pledge_update(pledge, actor=outsider, reported_on=TODAY, value="1")
    for viewer in (auditor, acme_auditor):
        with pytest.raises(Forbidden):
            add_pledge_update(pledge, actor=viewer, reported_on=TODAY, value="1")
    # An officer of the responsible union has nothing to say about a pledge another union delivers.
    other = make_pledge(tree.east)
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    with pytest.raises(NotFound):
        add_pledge_update(other, actor=acme_officer, reported_on=TODAY, value="1")
    assert not PledgeUpdate.objects.exists()
    assert not AuditEvent.objects.exists()


def test_report_problems_are_reported_together_and_nothing_is_written(tree, east_admin):
    pledge = make_pledge(tree.east)
    with pytest.raises(ValidationFailed) as refused:
        add_pledge_update(pledge, actor=east_admin, reported_on=TODAY + timedelta(days=1), value="-1")
    assert set(refused.value.fields) == {"reported_on", "value"}
    with pytest.raises(ValidationFailed) as refused:
        add_pledge_update(pledge, actor=east_admin, reported_on=JAN_1 - timedelta(days=1), value="x")
    assert set(refused.value.fields) == {"reported_on", "value"}
    with pytest.raises(ValidationFailed) as refused:
        add_pledge_update(pledge, actor=east_admin, reported_on=None, value="1", note="\x00")
    assert set(refused.value.fields) == {"reported_on", "note"}
    assert not PledgeUpdate.objects.exists()
    assert Pledge.objects.get().progress_value == 0
    assert not AuditEvent.objects.exists()


def test_the_first_of_january_and_today_are_allowed_and_zero_is_a_value(tree, east_admin):
    pledge = make_pledge(tree.east)
    add_pledge_update(pledge, actor=east_admin, reported_on=JAN_1, value="0")
    add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="3")
    assert Pledge.objects.get().progress_value == 3


def test_a_lower_value_is_a_correction_that_needs_a_note(tree, east_admin):
    pledge = make_pledge(tree.east)
    add_pledge_update(pledge, actor=east_admin, reported_on=JAN_1, value="50")
    with pytest.raises(ValidationFailed) as refused:
        add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="40")
    assert list(refused.value.fields) == ["note"]
    assert "50" in refused.value.fields["note"][0]
    assert PledgeUpdate.objects.count() == 1

    add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="40", note="更正：重复统计10个")
    assert Pledge.objects.get().progress_value == 40


def test_progress_is_the_latest_report_by_date_then_entry(tree, east_admin):
    pledge = make_pledge(tree.east)
    if TODAY == JAN_1:
        pytest.skip("needs two dates in the year")
    add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="60")
    # A report of an earlier date, entered later, does not move the progress back.
    add_pledge_update(pledge, actor=east_admin, reported_on=JAN_1, value="20")
    assert Pledge.objects.get().progress_value == 60
    # Two on the same day: the one entered last counts.
    add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="70")
    assert Pledge.objects.get().progress_value == 70


def test_withdrawing_a_report_recomputes_the_progress(tree, east_admin):
    pledge = make_pledge(tree.east, owner_org=tree.acme)
    first = add_pledge_update(pledge, actor=east_admin, reported_on=JAN_1, value="30")
    second = add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="80")
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)

    assert delete_pledge_update(second, actor=acme_officer) == Decimal("30.00")
    assert Pledge.objects.get().progress_value == 30
    assert delete_pledge_update(first, actor=east_admin) == 0
    assert Pledge.objects.get().progress_value == 0
    assert not PledgeUpdate.objects.exists()
    events = AuditEvent.objects.filter(action="benefits.delete_pledge_update").order_by("id")
    assert [event.changes["progress_value"] for event in events] == [["80.00", "30.00"], ["30.00", "0.00"]]
    with pytest.raises(NotFound):
        delete_pledge_update(first, actor=east_admin)


def test_outsiders_may_not_withdraw_reports(tree, east_admin):
    pledge = make_pledge(tree.east)
    update = add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="5")
    with pytest.raises(NotFound):
        delete_pledge_update(update, actor=officer_at(tree.west, "west.admin"))
    with pytest.raises(Forbidden):
        delete_pledge_update(update, actor=officer_at(tree.east, "east.auditor", Role.AUDITOR))
    assert PledgeUpdate.objects.count() == 1
    assert Pledge.objects.get().progress_value == 5


def test_percent_is_capped_at_100_when_the_target_is_exceeded(tree, east_admin):
    pledge = make_pledge(tree.east, target_value=Decimal("120"))
    add_pledge_update(pledge, actor=east_admin, reported_on=TODAY, value="130")
    assert Pledge.objects.get().percent == 100
