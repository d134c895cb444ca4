"""The report index lists exactly the reports an officer may open, and every link on it opens."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.accounts.tests.factories import make_officer
from gonghui.console.reports import GROUPS
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db

ALL_REPORTS = [report for group in GROUPS for report in group.reports]


ORG = {"coverage", "ratings", "contracts"}
SERVICES = {"benefits", "assistance", "events", "services"}
RIGHTS = {"disputes", "supervision"}
# What each role's permissions (docs/roles-and-scoping.md) let it open.
EXPECTED = {
    Role.FEDERATION_ADMIN: ORG | SERVICES | RIGHTS | {"mutualaid", "counselling"},
    Role.UNION_OFFICER: ORG | SERVICES | {"counselling"},
    Role.CASE_HANDLER: RIGHTS,
    Role.FINANCE_OFFICER: {"coverage", "benefits", "assistance", "mutualaid"},
    Role.AUDITOR: ORG | SERVICES | RIGHTS | {"mutualaid"},
}


def test_every_role_is_expected():
    assert set(EXPECTED) == set(Role)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_is_offered_the_reports_it_may_open(role):
    tree = make_tree()
    client = client_for(officer_at(tree.east, f"east.{role}", role))
    page = client.get(reverse("console:reports"))
    assert page.status_code == 200
    html = page.content.decode()
    listed = set(re.findall(r'data-report="([a-z_]+)"', html))
    assert listed == EXPECTED[role]
    for report in ALL_REPORTS:
        if report.key in listed:
            assert f'href="{reverse(report.url_name)}"' in html
            assert client.get(reverse(report.url_name)).status_code == 200, (role, report.key)
    sidebar = html[html.index('id="console-sidebar"') :]
    assert reverse("console:reports") in sidebar


def test_an_officer_without_a_role_is_told_there_is_none():
    tree = make_tree()
    html = client_for(make_officer("no.role")).get(reverse("console:reports")).content.decode()
    assert "data-report=" not in html
    assert "您的角色不包含任何报表" in html
    assert tree.east.name not in html
