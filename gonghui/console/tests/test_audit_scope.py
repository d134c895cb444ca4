"""The audit log shows an auditor the events of their own subtree, and filters them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.accounts.tests.factories import make_officer, sign_in_verified
from gonghui.core.audit import record_audit
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org, OrgKind, Role, RoleGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, Org]:
    city = Org.objects.add_root(
        create_kwargs={"code": "C", "name": "示范市总工会", "kind": OrgKind.FEDERATION, "level": "city"}
    )
    east = Org.objects.add_child(
        city,
        create_kwargs={"code": "E", "name": "东区总工会", "kind": OrgKind.FEDERATION, "level": "district"},
    )
    west = Org.objects.add_child(
        city,
        create_kwargs={"code": "W", "name": "西区总工会", "kind": OrgKind.FEDERATION, "level": "district"},
    )
    east_union = Org.objects.add_child(
        east, create_kwargs={"code": "E1", "name": "东区甲厂工会", "kind": "grassroots"}
    )
    return {"city": city, "east": east, "west": west, "east_union": east_union}


@pytest.fixture
def auditor_client(client, tree):
    auditor = make_officer("east.auditor", display_name="东区审计")
    RoleGrant.objects.create(user=auditor, org=tree["east"], role=Role.AUDITOR)
    auditor.otp_required = True
    auditor.save(update_fields=["otp_required"])
    sign_in_verified(client, auditor)
    return client


def _ids(html: str) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-row-id="(\d+)"', html)}


def test_an_auditor_sees_events_of_their_subtree_only(auditor_client, tree):
    mine = record_audit(actor=None, action="orgs.update", obj=tree["east_union"])
    above = record_audit(actor=None, action="orgs.update", obj=tree["city"])
    beside = record_audit(actor=None, action="orgs.update", obj=tree["west"])
    no_org = record_audit(actor=None, action="accounts.login")
    html = auditor_client.get("/console/audit/").content.decode()
    assert _ids(html) == {mine.pk}
    assert {above.pk, beside.pk, no_org.pk}.isdisjoint(_ids(html))
    assert "审计日志" in html


def test_filters_by_org_subtree_action_object_and_date(auditor_client, tree):
    district = record_audit(actor=None, action="orgs.update", obj=tree["east"])
    union_move = record_audit(actor=None, action="orgs.move", obj=tree["east_union"])
    old = record_audit(actor=None, action="orgs.move", obj=tree["east_union"])
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    def ids(**query: str) -> set[int]:
        return _ids(auditor_client.get("/console/audit/", query).content.decode())

    assert ids(org="E1") == {union_move.pk, old.pk}
    assert ids(action="orgs.move") == {union_move.pk, old.pk}
    assert ids(action="orgs.") == {district.pk, union_move.pk, old.pk}
    assert ids(object_type="orgs.org", object_id=str(tree["east"].pk)) == {district.pk}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert ids(since=since, action="orgs.move") == {union_move.pk}


def test_an_org_outside_the_scope_is_refused_like_a_missing_one(auditor_client, tree):
    record_audit(actor=None, action="orgs.update", obj=tree["west"])
    html = auditor_client.get("/console/audit/", {"org": "W"}).content.decode()
    assert "您的范围内没有这个代码的组织" in html
    missing = auditor_client.get("/console/audit/", {"org": "NOPE"}).content.decode()
    assert "您的范围内没有这个代码的组织" in missing


def test_bad_dates_are_explained_and_do_not_hide_events(auditor_client, tree):
    event = record_audit(actor=None, action="orgs.update", obj=tree["east_union"])
    html = auditor_client.get(
        "/console/audit/", {"since": "2026-12-01", "until": "2026-11-01"}
    ).content.decode()
    assert "结束日期早于开始日期" in html
    html = auditor_client.get("/console/audit/", {"since": "not-a-date"}).content.decode()
    assert event.pk in _ids(html)
    assert "有效的日期" in html


def test_the_page_costs_a_fixed_number_of_queries(auditor_client, tree, django_assert_max_num_queries):
    for _ in range(60):
        record_audit(actor=None, action="orgs.update", obj=tree["east_union"])
    with django_assert_max_num_queries(12):
        response = auditor_client.get("/console/audit/", {"org": "E"})
    assert len(_ids(response.content.decode())) == 50
