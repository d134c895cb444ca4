"""Officers' console: access rules, the sidebar, and the audit log's table and paging."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer
from gonghui.console.navigation import CONSOLE_NAV
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db

BACKEND = "gonghui.accounts.backends.MobileOrUsernameBackend"


def _html(response) -> str:
    return str(response.content.decode())


def _superuser() -> User:
    return User.objects.create_superuser("city.admin", PASSWORD, display_name="市总管理员")


def _events(n: int) -> list[AuditEvent]:
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_label="张三",
            action=f"orgs.test_{i:03d}",
            object_type="org",
            object_id=str(i),
            object_repr=f"第{i}号工会",
            ip_address="10.0.0.1",
        )
        for i in range(n)
    )


# --- dashboard ---------------------------------------------------------------------------


def test_dashboard_sends_anonymous_visitors_to_login(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_is_forbidden_to_members(client):
    client.force_login(make_member(), backend=BACKEND)
    assert client.get("/console/").status_code == 403


def test_dashboard_tells_an_officer_without_a_role_how_to_get_one(client):
    client.force_login(make_officer(display_name="张三"), backend=BACKEND)
    response = client.get("/console/")
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "工作台" in html
    assert "还没有被授予任何组织的角色" in html
    assert not re.search(r'summary-card__value">\s*\d', html)
    assert "张三" in html
    assert "我的组织" in html
    assert "您还没有被授予任何组织的角色。" in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert 'method="post"' in html
    assert f'href="{reverse("console:dashboard")}" aria-current="page"' in html
    assert 'href="#main"' in html


def test_dashboard_counts_only_the_officers_own_subtree(client):
    from datetime import date

    from gonghui.core.crypto import blind_index
    from gonghui.core.idnumbers import make_id_number
    from gonghui.members.models import Member
    from gonghui.orgs.models import Org, OrgKind, Role, RoleGrant
    from gonghui.orgs.services.coverage import refresh_coverage

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
    unions = [
        Org.objects.add_child(parent, create_kwargs={"code": code, "name": code, "kind": OrgKind.GRASSROOTS})
        for parent, code in [(east, "E1"), (east, "E2"), (west, "W1")]
    ]
    for seq, union in enumerate(unions):
        id_number = make_id_number("330203", date(1990, 1, 1), seq * 2 + 1, "male")
        Member.objects.create(
            name="王五",
            id_number=id_number,
            id_number_index=blind_index(id_number, context="members.Member.id_number"),
            birth_date=date(1990, 1, 1),
            sex="male",
            org=union,
            joined_on=date(2020, 1, 1),
        )
    officer = make_officer(display_name="东区干部")
    RoleGrant.objects.create(user=officer, org=east, role=Role.UNION_OFFICER)
    client.force_login(officer, backend=BACKEND)
    refresh_coverage()  # the dashboard reads the coverage rollups
    html = _html(client.get("/console/"))
    assert "东区总工会" in html
    # The header's organisation menu links to the officer's own org, and only to it.
    assert f'href="/console/orgs/{east.pk}/">东区总工会</a>' in html
    assert "西区总工会" not in html
    assert re.search(r'data-card="unions">\s*<p[^>]*>[^<]*</p>\s*<p class="summary-card__value">2</p>', html)
    assert re.search(r'data-card="members">\s*<p[^>]*>[^<]*</p>\s*<p class="summary-card__value">2</p>', html)


def test_sidebar_links_the_modules_an_officer_may_open(client):
    client.force_login(make_officer(), backend=BACKEND)
    html = _html(client.get("/console/"))
    sidebar = html[html.index('id="console-sidebar"') :]
    for label in ("组织管理", "会员管理", "工作日历", "后台任务"):
        assert label in sidebar
    assert reverse("console:jobs") in sidebar
    assert "即将上线" not in sidebar
    # No role, so no report to open: the report index is not offered.
    assert "统计报表" not in sidebar
    # Items that need a permission the officer holds nowhere are hidden.
    assert reverse("console:audit") not in sidebar
    assert "审计日志" not in sidebar
    assert reverse("console:benefits:campaign_list") not in sidebar
    for name in (
        "console:mutualaid:plan_list",
        "console:assistance:file_list",
        "console:events:event_list",
        "console:services:point_list",
        "console:courses:course_list",
        "console:rights:dispute_list",
        "console:contracts:contract_list",
    ):
        assert reverse(name) not in sidebar
    assert "互助保障" not in sidebar


def test_sidebar_links_the_care_service_and_rights_modules_by_role(client):
    """Mutual aid for those who follow the scheme and for union officers, who enrol their
    members; assistance, events, service points, rights cases and collective contracts for the
    roles that hold their permissions."""
    tree = make_tree()
    rights = {"rights:dispute", "legal:consultation", "supervision:inspection"}
    expected = {
        Role.FEDERATION_ADMIN: {
            "mutualaid:plan",
            "assistance:file",
            "events:event",
            "services:point",
            "courses:course",
            "contracts:contract",
            *rights,
        },
        Role.UNION_OFFICER: {
            "mutualaid:plan",
            "assistance:file",
            "events:event",
            "services:point",
            "courses:course",
            "contracts:contract",
        },
        Role.FINANCE_OFFICER: {"mutualaid:plan", "assistance:file"},
        Role.AUDITOR: {
            "mutualaid:plan",
            "assistance:file",
            "events:event",
            "services:point",
            "courses:course",
            "contracts:contract",
            *rights,
        },
        Role.CASE_HANDLER: rights,
    }
    for role, modules in expected.items():
        html = _html(client_for(officer_at(tree.east, f"east.{role}", role)).get("/console/"))
        sidebar = html[html.index('id="console-sidebar"') :]
        shown = {
            m for m in expected[Role.FEDERATION_ADMIN] if f'href="{reverse(f"console:{m}_list")}"' in sidebar
        }
        assert shown == modules, role


def test_sidebar_items_resolve():
    keys = [item.key for item in CONSOLE_NAV]
    assert len(keys) == len(set(keys))
    for item in CONSOLE_NAV:
        assert item.url().startswith("/console/")


def test_console_pages_have_no_inline_script_or_style(client):
    client.force_login(_superuser(), backend=BACKEND)
    _events(3)
    for url in ("/console/", "/console/audit/"):
        html = _html(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html)


# --- audit log ---------------------------------------------------------------------------


def test_audit_log_sends_anonymous_visitors_to_login(client):
    response = client.get("/console/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_audit_log_is_forbidden_to_members(client):
    client.force_login(make_member(), backend=BACKEND)
    assert client.get("/console/audit/").status_code == 403


def test_audit_log_is_not_found_for_an_officer_without_the_audit_permission(client):
    client.force_login(make_officer(), backend=BACKEND)
    assert client.get("/console/audit/").status_code == 404


def test_audit_log_lists_events_newest_first_for_a_superuser(client):
    client.force_login(_superuser(), backend=BACKEND)
    _events(3)
    response = client.get("/console/audit/")
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert html.index("orgs.test_002") < html.index("orgs.test_001") < html.index("orgs.test_000")
    assert "第2号工会" in html
    assert "10.0.0.1" in html
    assert 'aria-sort="descending"' in html
    assert 'hx-target="this"' in html
    assert 'hx-select="#audit-table"' in html
    assert f'href="{reverse("console:audit")}" aria-current="page"' in html
    assert "下一页" not in html


def test_audit_log_with_no_events_shows_the_empty_state(client):
    client.force_login(_superuser(), backend=BACKEND)
    html = _html(client.get("/console/audit/"))
    assert "暂无审计记录" in html
    assert "<table" not in html


def test_audit_log_sorts_oldest_first_on_request(client):
    client.force_login(_superuser(), backend=BACKEND)
    _events(3)
    html = _html(client.get("/console/audit/?sort=created_at"))
    assert html.index("orgs.test_000") < html.index("orgs.test_002")
    assert 'aria-sort="ascending"' in html
    # An unknown sort falls back to newest first instead of failing.
    html = _html(client.get("/console/audit/?sort=password"))
    assert html.index("orgs.test_002") < html.index("orgs.test_000")


def test_audit_log_pages_with_a_cursor(client, django_assert_max_num_queries):
    client.force_login(_superuser(), backend=BACKEND)
    events = _events(60)
    with django_assert_max_num_queries(8):
        first = _html(client.get("/console/audit/"))
    assert first.count("<tr data-row-id") == 50
    match = re.search(r'href="\?cursor=(\d+)"', first)
    assert match
    assert int(match.group(1)) == events[10].pk
    with django_assert_max_num_queries(8):
        second = _html(client.get(f"/console/audit/?cursor={match.group(1)}"))
    assert second.count("<tr data-row-id") == 10
    assert "orgs.test_009" in second
    assert "orgs.test_010" not in second
    assert "下一页" not in second
    assert "第一页" in second


def test_audit_log_ignores_a_malformed_cursor(client):
    client.force_login(_superuser(), backend=BACKEND)
    _events(2)
    for cursor in ("abc", "-1", "²", "1" * 40):
        response = client.get("/console/audit/", {"cursor": cursor})
        assert response.status_code == 200
        assert "orgs.test_001" in _html(response)


def test_audit_log_answers_htmx_with_only_the_table(client):
    client.force_login(_superuser(), backend=BACKEND)
    _events(2)
    response = client.get("/console/audit/?sort=created_at", headers={"hx-request": "true"})
    assert response.status_code == 200
    html = _html(response).strip()
    assert html.startswith('<div id="audit-table"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    # A history restore needs the whole page.
    full = client.get("/console/audit/", headers={"hx-request": "true", "hx-history-restore-request": "true"})
    assert "<html" in _html(full)


def test_an_htmx_table_reload_after_the_session_ended_reloads_the_whole_page_at_login(client):
    response = client.get(
        "/console/audit/?sort=created_at",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/console/audit/?sort=created_at"},
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=/console/audit/%3Fsort%3Dcreated_at"
