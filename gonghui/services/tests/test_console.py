"""The console's service point pages: list with figures, forms, status, poster, ranking."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import client_for, officer_at
from gonghui.services.models import PointStatus, ServicePoint
from gonghui.services.tests.factories import make_point, make_visit


def _client(user: Any) -> Client:
    return client_for(user)


def test_the_list_shows_recent_visits_and_the_average_rating(tree: Any, officer: Any) -> None:
    point = make_point(tree.acme)
    make_visit(point, on=timezone.localdate(), score=5)
    make_visit(point, on=timezone.localdate(), score=4)
    body = _client(officer).get("/console/services/points/").content.decode()
    assert f'data-row-id="{point.pk}"' in body
    assert "4.50 (2)" in body


def test_an_officer_adds_a_point_with_the_form_and_bad_input_keeps_what_was_typed(
    tree: Any, officer: Any
) -> None:
    client = _client(officer)
    form = {
        "org": tree.acme.code,
        "kind": "outdoor_worker_station",
        "name": "甲公司爱心驿站",
        "address": "东区东湖路 9 号",
        "latitude": "29.87",
        "longitude": "",
        "opening_hours": "8:00-20:00",
        "facilities": ["water"],
    }
    bad = client.post("/console/services/points/new/", form)
    assert bad.status_code == 422
    assert "甲公司爱心驿站" in bad.content.decode()
    assert not ServicePoint.objects.exists()
    response = client.post("/console/services/points/new/", {**form, "longitude": "121.55"})
    point = ServicePoint.objects.get()
    assert response["Location"] == f"/console/services/points/{point.pk}/"
    assert point.facilities == ["water"]


def test_status_poster_and_new_code(tree: Any, officer: Any) -> None:
    point = make_point(tree.acme)
    client = _client(officer)
    client.post(f"/console/services/points/{point.pk}/status/", {"status": "paused"})
    point.refresh_from_db()
    assert point.status == PointStatus.PAUSED
    poster = client.get(f"/console/services/points/{point.pk}/poster.pdf")
    assert poster["Content-Type"] == "application/pdf"
    assert poster.content.startswith(b"%PDF")
    old = point.checkin_code
    client.post(f"/console/services/points/{point.pk}/renew-code/")
    point.refresh_from_db()
    assert point.checkin_code != old


def test_an_auditor_sees_but_cannot_change(tree: Any) -> None:
    point = make_point(tree.acme)
    client = _client(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    page = client.get(f"/console/services/points/{point.pk}/").content.decode()
    assert "东湖爱心驿站" in page
    assert "/edit/" not in page
    assert client.get(f"/console/services/points/{point.pk}/edit/").status_code == 404
    assert client.get(f"/console/services/points/{point.pk}/poster.pdf").status_code == 404


def test_the_ranking_page_states_its_formula(tree: Any, officer: Any) -> None:
    point = make_point(tree.acme)
    make_visit(point, on=timezone.localdate(), score=5)
    year = timezone.localdate().year
    body = (
        _client(officer)
        .get(f"/console/services/ranking/?year={year}&kind=outdoor_worker_station")
        .content.decode()
    )
    assert f"/console/services/points/{point.pk}/" in body
    assert "C = 5" in body
    assert _client(officer).get("/console/services/ranking/?year=1800&kind=spa").status_code == 200
