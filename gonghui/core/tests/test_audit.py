from __future__ import annotations

from datetime import date

import pytest
from django.test import RequestFactory

from gonghui.accounts.tests.factories import make_member, make_officer
from gonghui.core.audit import audit_event, changes_between, record_audit, record_audits, snapshot
from gonghui.core.middleware import RequestContextMiddleware
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db


def test_snapshot_and_changes_record_only_what_changed():
    org = Org.objects.add_root(
        create_kwargs={"code": "C1", "name": "示范市总工会", "kind": OrgKind.FEDERATION, "level": "city"}
    )
    before = snapshot(org, ["name", "address", "founded_on"])
    org.name = "示范市总工会（新）"
    org.founded_on = date(1950, 5, 1)
    after = snapshot(org, ["name", "address", "founded_on"])
    assert changes_between(before, after) == {
        "founded_on": [None, "1950-05-01"],
        "name": ["示范市总工会", "示范市总工会（新）"],
    }


def test_record_audit_keeps_actor_object_and_client_address():
    officer = make_officer()
    org = Org.objects.add_root(
        create_kwargs={"code": "C1", "name": "示范市总工会", "kind": OrgKind.FEDERATION, "level": "city"}
    )

    def view(request):
        record_audit(actor=officer, action="orgs.rename", obj=org, changes={"name": ["a", "b"]})
        from django.http import HttpResponse

        return HttpResponse()

    RequestContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="10.0.0.7"))
    event = AuditEvent.objects.get()
    assert event.actor == officer
    assert event.actor_label == "zhang.san"
    assert event.object_type == "orgs.org"
    assert event.object_id == str(org.pk)
    assert event.ip_address == "10.0.0.7"
    assert event.changes == {"name": ["a", "b"]}


def test_system_actions_and_members_never_expose_a_mobile_number_as_label():
    record_audit(actor=None, action="jobs.cleanup")
    member = make_member()
    record_audit(actor=member, action="accounts.change_password", obj=member)
    labels = list(AuditEvent.objects.order_by("id").values_list("actor_label", flat=True))
    assert labels == ["system", "138****8000"]
    last = AuditEvent.objects.order_by("id").last()
    assert last is not None
    assert "13800138000" not in last.object_repr


@pytest.mark.django_db
def test_many_events_are_written_at_once_each_under_its_own_org():
    officer = make_officer()
    east, west = (
        Org.objects.add_root(create_kwargs={"code": code, "name": name, "kind": OrgKind.GRASSROOTS})
        for code, name in (("E", "东厂工会"), ("W", "西厂工会"))
    )
    events = record_audits(
        audit_event(actor=officer, action="orgs.import", obj=org, note=f"row {row}")
        for row, org in enumerate([east, west, east], start=2)
    )
    assert len(events) == 3
    saved = AuditEvent.objects.order_by("id")
    assert [event.org_path for event in saved] == [east.path, west.path, east.path]
    assert [event.note for event in saved] == ["row 2", "row 3", "row 4"]
    assert {event.actor_id for event in saved} == {officer.pk}
