"""The calendar API: reads for every officer, writes for the root administrator, 4xx for bad input."""

from __future__ import annotations

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, officer_at, send_json
from gonghui.workdays.models import CalendarDay, DeadlineRule

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calendar"


def test_an_officer_reads_a_year_the_rules_and_a_due_date(tree: Tree) -> None:
    client = client_for(officer_at(tree.acme, "acme.officer", Role.CASE_HANDLER))
    year = client.get(f"{BASE}/days", {"year": 2026}).json()
    assert year["year"] == 2026
    days = {row["day"]: row for row in year["days"]}
    assert days["2026-10-01"] == {"day": "2026-10-01", "kind": "holiday", "name": "国庆节", "working": False}
    assert days["2026-10-10"]["working"] is True
    rules = {row["code"]: row for row in client.get(f"{BASE}/rules").json()}
    assert rules["contracts.expiry_reminder"]["days"] == -90
    assert rules["rights.mediation"]["roll_to_working_day"] is True
    due = client.get(f"{BASE}/due-date", {"rule": "rights.mediation", "start": "2026-09-16"}).json()
    assert due["due_date"] == "2026-10-08"


def test_bad_reads_answer_with_the_error_body(tree: Tree) -> None:
    client = client_for(officer_at(tree.acme, "acme.officer", Role.CASE_HANDLER))
    response = client.get(f"{BASE}/due-date", {"rule": "nope", "start": "2026-09-16"})
    assert response.status_code == 404
    assert response.json()["fields"] == {"rule": [response.json()["fields"]["rule"][0]]}
    response = client.get(f"{BASE}/due-date", {"rule": "rights.mediation", "start": "2026-02-30"})
    assert response.status_code == 422
    assert "start" in response.json()["fields"]
    assert client.get(f"{BASE}/days", {"year": 1900}).status_code == 422


def test_members_may_not_read_it(tree: Tree) -> None:
    response = client_for(make_member()).get(f"{BASE}/rules")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_the_root_administrator_writes(city_admin: User) -> None:
    client = client_for(city_admin)
    body = {"first": "2027-10-01", "last": "2027-10-07", "kind": "holiday", "name": "国庆节"}
    response = send_json(client, "POST", f"{BASE}/days", body)
    assert response.status_code == 201
    assert len(response.json()) == 7
    response = client.delete(f"{BASE}/days?first=2027-10-06&last=2027-10-07")
    assert response.json() == {"removed": 2}
    assert CalendarDay.objects.filter(day__year=2027).count() == 5
    response = send_json(client, "PUT", f"{BASE}/rules/legal.aid_review", {"days": 10, "unit": "working"})
    assert response.status_code == 200
    assert response.json()["days"] == 10
    assert DeadlineRule.objects.get(code="legal.aid_review").days == 10


def test_bad_writes_are_4xx_and_write_nothing(city_admin: User, east_admin: User) -> None:
    client = client_for(city_admin)
    bad = {"first": "2027-10-07", "last": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    response = send_json(client, "POST", f"{BASE}/days", bad)
    assert response.status_code == 422
    assert "last" in response.json()["fields"]
    response = send_json(client, "POST", f"{BASE}/days", {**bad, "last": None, "kind": "party"})
    assert response.status_code == 422
    assert "kind" in response.json()["fields"]
    response = send_json(client, "PUT", f"{BASE}/rules/nope", {"days": 10, "unit": "working"})
    assert response.status_code == 404
    response = send_json(client, "PUT", f"{BASE}/rules/legal.aid_review", {"days": 0, "unit": "working"})
    assert response.status_code == 422
    response = client.delete(f"{BASE}/days?first=2025-03-03")
    assert response.status_code == 404
    district = client_for(east_admin)
    response = send_json(district, "POST", f"{BASE}/days", {**bad, "last": None})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    assert DeadlineRule.objects.get(code="legal.aid_review").days == 7
