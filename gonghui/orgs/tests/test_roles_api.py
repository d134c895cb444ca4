"""/api/v1/role-grants: listing by org, granting, revoking, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import make_officer
from gonghui.orgs.models import Role, RoleGrant
from gonghui.orgs.tests.factories import officer_at, send_json

pytestmark = pytest.mark.django_db

URL = "/api/v1/role-grants"


def post(client: Client, body: dict[str, Any]) -> Any:
    return send_json(client, "post", URL, body)


def test_list_shows_grants_in_scope_and_filters_by_org(east_client, tree, east_admin):
    here = RoleGrant.objects.create(user=make_officer("acme.officer"), org=tree.acme, role=Role.UNION_OFFICER)
    officer_at(tree.west, "west.admin")

    everything = east_client.get(URL).json()
    assert {item["id"] for item in everything["items"]} == {
        here.pk,
        RoleGrant.objects.get(user=east_admin).pk,
    }

    only_acme = east_client.get(URL, {"org": tree.acme.pk}).json()["items"]
    assert [item["id"] for item in only_acme] == [here.pk]
    assert only_acme[0]["username"] == "acme.officer"
    assert only_acme[0]["role_label"] == "工会干部"
    assert only_acme[0]["otp_required"] is False


def test_list_has_a_bounded_number_of_queries(east_client, tree, django_assert_max_num_queries):
    for i in range(30):
        RoleGrant.objects.create(user=make_officer(f"person.{i:02d}"), org=tree.acme, role=Role.AUDITOR)
    with django_assert_max_num_queries(8):
        response = east_client.get(URL, {"limit": 100})
    assert response.json()["count"] == 31


def test_granting_on_a_federation_answers_201_and_requires_two_factor(east_client, tree):
    person = make_officer("town.officer")
    response = post(
        east_client, {"org_id": tree.town.pk, "username": "town.officer", "role": "union_officer"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["otp_required"] is True
    person.refresh_from_db()
    assert person.otp_required


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "nobody.here", "role": "auditor"}, "username"),
        ({"username": "zhao.liu", "role": "king"}, "role"),
        ({"username": "", "role": "auditor"}, "username"),
        ({"username": "zhao.liu"}, "role"),
    ],
)
def test_bad_input_answers_422_with_the_field(east_client, tree, body, field):
    make_officer("zhao.liu")
    response = post(east_client, {"org_id": tree.acme.pk, **body})
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not RoleGrant.objects.filter(org=tree.acme).exists()


def test_granting_oneself_answers_403(east_client, tree):
    response = post(east_client, {"org_id": tree.acme.pk, "username": "east.admin", "role": "auditor"})
    assert response.status_code == 403
    assert response.json()["code"] == "own_roles"


def test_granting_outside_the_scope_answers_404(east_client, tree):
    make_officer("zhao.liu")
    response = post(east_client, {"org_id": tree.gamma.pk, "username": "zhao.liu", "role": "auditor"})
    assert response.status_code == 404
    assert not RoleGrant.objects.filter(org=tree.gamma).exists()


def test_granting_twice_answers_409(east_client, tree):
    make_officer("zhao.liu")
    assert (
        post(east_client, {"org_id": tree.acme.pk, "username": "zhao.liu", "role": "auditor"}).status_code
        == 201
    )
    assert (
        post(east_client, {"org_id": tree.acme.pk, "username": "zhao.liu", "role": "auditor"}).status_code
        == 409
    )


def test_revoking_answers_204_and_outside_the_scope_404(east_client, tree):
    grant = RoleGrant.objects.create(user=make_officer("zhao.liu"), org=tree.acme, role=Role.AUDITOR)
    west = RoleGrant.objects.get(user=officer_at(tree.west, "west.admin"))

    assert east_client.delete(f"{URL}/{grant.pk}").status_code == 204
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert east_client.delete(f"{URL}/{west.pk}").status_code == 404
    assert RoleGrant.objects.filter(pk=west.pk).exists()


def test_revoking_ones_own_grant_answers_403(east_client, east_admin):
    own = RoleGrant.objects.get(user=east_admin)
    assert east_client.delete(f"{URL}/{own.pk}").status_code == 403
    assert RoleGrant.objects.filter(pk=own.pk).exists()
