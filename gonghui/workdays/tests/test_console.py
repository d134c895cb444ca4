"""The calendar and rules pages: every officer reads them, only the root administrator changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, officer_at
from gonghui.workdays.deadlines import is_working_day
from gonghui.workdays.models import CalendarDay, DeadlineRule

pytestmark = pytest.mark.django_db

CALENDAR = reverse("console:workdays:calendar")
ADD = reverse("console:workdays:calendar_add")
REMOVE = reverse("console:workdays:calendar_remove")
RULES = reverse("console:workdays:rules")
EDIT = reverse("console:workdays:rule_edit", args=["rights.mediation"])


def test_a_union_officer_reads_the_year_with_holidays_and_make_up_days_marked(tree: Tree) -> None:
    client = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    page = client.get(CALENDAR, {"year": 2026}).content.decode()
    assert 'data-day="2026-10-01"' in page
    assert 'class="wd-day wd-day--holiday" data-day="2026-10-01" title="国庆节"' in page
    assert 'class="wd-day wd-day--workday" data-day="2026-10-10" title="国庆节"' in page
    assert 'class="wd-day wd-day--rest" data-day="2026-10-11"' in page
    assert "国庆节" in page
    assert "春节" in page
    assert ADD not in page  # no form for who may not change it
    assert REMOVE not in page


def test_a_bad_year_falls_back_to_this_year_with_the_error_shown(tree: Tree) -> None:
    client = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    response = client.get(CALENDAR, {"year": "abc"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_members_do_not_see_the_console_page(client: Client) -> None:
    sign_in_verified(client, make_member())
    assert client.get(CALENDAR).status_code == 403


def test_the_root_administrator_adds_and_removes_a_range(tree: Tree, city_admin: User) -> None:
    client = client_for(city_admin)
    assert ADD in client.get(CALENDAR).content.decode()
    response = client.post(
        ADD, {"first": "2027-02-05", "last": "2027-02-13", "kind": "holiday", "name": "春节"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{CALENDAR}?year=2027"
    assert CalendarDay.objects.filter(day__year=2027).count() == 9
    page = client.get(response["Location"]).content.decode()
    assert "9" in page
    assert "春节" in page
    response = client.post(REMOVE, {"first": "2027-02-05", "last": "2027-02-13"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    assert is_working_day(date(2027, 2, 8))


def test_a_bad_range_shows_the_error_and_writes_nothing(city_admin: User) -> None:
    client = client_for(city_admin)
    response = client.post(
        ADD, {"first": "2027-10-07", "last": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 422
    assert response.context["range_form"].errors["last"]
    assert not CalendarDay.objects.filter(day__year=2027).exists()


def test_a_district_administrator_posting_anyway_is_refused(tree: Tree, east_admin: User) -> None:
    client = client_for(east_admin)
    response = client.post(
        ADD, {"first": "2027-10-01", "last": "2027-10-07", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 422
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    response = client.post(REMOVE, {"first": "2026-10-01", "last": "2026-10-07"}, follow=True)
    assert CalendarDay.objects.filter(day=date(2026, 10, 1)).exists()
    assert client.get(EDIT).status_code == 404


def test_the_rules_page_lists_the_rules_and_calculates_a_due_date(tree: Tree) -> None:
    client = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    page = client.get(RULES).content.decode()
    assert "劳动争议调解仲裁法" in page
    assert 'data-code="legal.aid_review"' in page
    assert EDIT not in page
    result = client.get(RULES, {"rule": "rights.mediation", "start": "2026-09-16"})
    assert result.status_code == 200
    assert 'role="status"' in result.content.decode()
    assert result.context["result"]["due"] == date(2026, 10, 8)
    assert client.get(RULES, {"rule": "nope", "start": "2026-09-16"}).status_code == 422


def test_the_root_administrator_edits_a_rule(city_admin: User) -> None:
    client = client_for(city_admin)
    assert EDIT in client.get(RULES).content.decode()
    assert client.get(EDIT).status_code == 200
    response = client.post(EDIT, {"days": "20", "unit": "calendar", "roll_to_working_day": "on"})
    assert response.status_code == 302
    assert DeadlineRule.objects.get(code="rights.mediation").days == 20
    response = client.post(EDIT, {"days": "0", "unit": "calendar"})
    assert response.status_code == 422
    assert DeadlineRule.objects.get(code="rights.mediation").days == 20
    assert client.get(reverse("console:workdays:rule_edit", args=["nope"])).status_code == 404
