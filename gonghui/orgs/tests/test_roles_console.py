"""Console pages for role grants: the list on one org, granting, revoking, opening accounts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer, sign_in_verified
from gonghui.orgs.models import Role, RoleGrant
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def roles_url(org) -> str:
    return reverse("console:orgs:roles", args=[org.pk])


def test_the_roles_page_lists_the_grants_on_this_org_only(east_client, tree):
    here = RoleGrant.objects.create(
        user=make_officer("acme.officer", display_name="甲干部"), org=tree.acme, role=Role.UNION_OFFICER
    )
    above = RoleGrant.objects.get(org=tree.east)

    page = html(east_client.get(roles_url(tree.acme)))

    assert "东区甲公司工会的后台角色" in page
    assert f'data-role-grant="{here.pk}"' in page
    assert f'data-role-grant="{above.pk}"' not in page
    assert "上级组织的角色同样适用于这里" in page
    assert "工会干部" in page  # the role's Chinese name
    assert reverse("console:orgs:role_revoke", args=[here.pk]) in page
    assert "双重验证" not in page  # a grassroots union: no second factor needed


def test_the_roles_page_of_a_federation_says_that_two_factor_sign_in_is_needed(east_client, tree):
    page = html(east_client.get(roles_url(tree.town)))
    assert "在此被授予角色的人都必须使用双重验证登录" in page


def test_ones_own_grant_has_no_revoke_link(east_client, east_admin, tree):
    page = html(east_client.get(roles_url(tree.east)))
    own = RoleGrant.objects.get(user=east_admin)
    assert f'data-role-grant="{own.pk}"' in page
    assert reverse("console:orgs:role_revoke", args=[own.pk]) not in page


def test_the_roles_page_has_a_bounded_number_of_queries(east_client, tree, django_assert_max_num_queries):
    for i in range(30):
        RoleGrant.objects.create(user=make_officer(f"person.{i:02d}"), org=tree.acme, role=Role.AUDITOR)
    with django_assert_max_num_queries(12):
        response = east_client.get(roles_url(tree.acme))
    assert len(re.findall(r"data-role-grant=", html(response))) == 30


def test_a_union_officer_without_the_grant_right_gets_not_found(client, tree):
    sign_in_verified(client, officer_at(tree.east, "east.officer", Role.UNION_OFFICER))
    assert client.get(roles_url(tree.acme)).status_code == 404


def test_a_grant_on_a_federation_turns_on_two_factor_and_the_console_then_asks_for_its_setup(
    east_client, tree
):
    person = make_officer("town.officer", display_name="街道干部")

    response = east_client.post(
        reverse("console:orgs:role_grant", args=[tree.town.pk]),
        {"username": "town.officer", "role": Role.UNION_OFFICER},
        follow=True,
    )

    page = html(response)
    assert "街道干部现为东湖街道总工会的工会干部。" in page
    assert "下次登录时须设置身份验证器应用" in page
    person.refresh_from_db()
    assert person.otp_required

    their_browser = Client()
    their_browser.force_login(person)
    visit = their_browser.get("/console/")
    assert visit.status_code == 302
    assert visit["Location"].startswith(reverse("accounts:otp_setup"))


def test_granting_an_unknown_username_shows_the_error_on_the_form(east_client, tree):
    response = east_client.post(
        reverse("console:orgs:role_grant", args=[tree.acme.pk]), {"username": "nobody", "role": Role.AUDITOR}
    )
    assert response.status_code == 200
    assert "没有使用这个用户名的干部账号" in html(response)
    assert not RoleGrant.objects.filter(org=tree.acme).exists()


def test_granting_oneself_is_refused_on_the_form(east_client, tree):
    response = east_client.post(
        reverse("console:orgs:role_grant", args=[tree.acme.pk]),
        {"username": "east.admin", "role": Role.AUDITOR},
    )
    assert "不能修改自己的角色" in html(response)
    assert not RoleGrant.objects.filter(org=tree.acme).exists()


def test_granting_outside_the_scope_answers_not_found(east_client, tree):
    make_officer("zhao.liu")
    response = east_client.post(
        reverse("console:orgs:role_grant", args=[tree.gamma.pk]),
        {"username": "zhao.liu", "role": Role.AUDITOR},
    )
    assert response.status_code == 404
    assert not RoleGrant.objects.filter(org=tree.gamma).exists()


def test_revoking_asks_for_confirmation_first(east_client, tree):
    grant = RoleGrant.objects.create(
        user=make_officer("zhao.liu", display_name="赵六"), org=tree.acme, role=Role.AUDITOR
    )
    url = reverse("console:orgs:role_revoke", args=[grant.pk])

    confirm = html(east_client.get(url))
    assert "赵六" in confirm
    assert "撤销角色" in confirm
    assert RoleGrant.objects.filter(pk=grant.pk).exists()

    response = east_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == roles_url(tree.acme)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_opening_an_account_shows_the_password_once_and_it_signs_in(east_client, tree):
    url = reverse("console:orgs:role_account_create", args=[tree.acme.pk])
    assert "开设后台账号" in html(east_client.get(url))

    response = east_client.post(
        url, {"username": "qian.qi", "display_name": "钱七", "mobile": "", "role": Role.UNION_OFFICER}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    assert "它只显示这一次" in page
    shown = re.search(r'data-testid="one-time-password">([^<]+)<', page)
    assert shown is not None
    password = shown.group(1)
    user = User.objects.get(username="qian.qi")
    assert RoleGrant.objects.filter(user=user, org=tree.acme, role=Role.UNION_OFFICER).exists()

    browser = Client()
    login = browser.post(reverse("accounts:login"), {"username": "qian.qi", "password": password})
    assert login.status_code == 302
    assert browser.get("/console/").status_code == 200


def test_opening_an_account_with_a_taken_username_shows_the_error(east_client, tree):
    url = reverse("console:orgs:role_account_create", args=[tree.acme.pk])
    response = east_client.post(url, {"username": "east.admin", "display_name": "重名", "role": Role.AUDITOR})
    assert response.status_code == 200
    assert "该用户名已被使用" in html(response)
    assert "one-time-password" not in html(response)
