"""Console pages for workplaces: the list with its filters, sorting and paging, a workplace's page,
and registering and editing one, with bounded queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Role, Workplace
from gonghui.orgs.tests.factories import client_for, credit_code, make_workplace, officer_at

pytestmark = pytest.mark.django_db
LIST = reverse("console:orgs:workplaces")
CREATE = reverse("console:orgs:workplace_create")


@pytest.fixture
def places(tree):
    """Workplaces in the east_client district (and one in the west, which east_client officers never see)."""
    return {
        "factory": make_workplace(
            tree.town, tree.acme, name="东湖精工机械", employee_count=300, credit_code=credit_code(1)
        ),
        "shop": make_workplace(
            tree.joint, None, name="东湖便利店", industry="F", ownership="collective", employee_count=4
        ),
        "mill": make_workplace(tree.town, tree.beta, name="东区纺织厂", employee_count=80, district="东城区"),
        "west": make_workplace(None, tree.gamma, name="西区丙公司", employee_count=500),
    }


def listed(response) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    return [Workplace.objects.get(pk=pk).name for pk in re.findall(r'data-row-id="(\d+)"', html)]


def test_the_list_shows_the_officers_workplaces_by_name_with_their_union(east_client, places):
    response = east_client.get(LIST)

    assert listed(response) == ["东区纺织厂", "东湖便利店", "东湖精工机械"]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>单位</h1>" in html
    assert "东区甲公司工会" in html
    assert "未建会" in html
    assert f'href="{places["factory"].get_absolute_url()}"' in html
    assert "西区丙公司" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "东湖"}, ["东湖便利店", "东湖精工机械"]),
        ({"q": credit_code(1)[:16].lower()}, ["东湖精工机械"]),
        ({"district": "东城区"}, ["东区纺织厂"]),
        ({"industry": "F"}, ["东湖便利店"]),
        ({"ownership": "collective"}, ["东湖便利店"]),
        ({"unionised": "no"}, ["东湖便利店"]),
        ({"unionised": "yes", "sort": "-employee_count"}, ["东湖精工机械", "东区纺织厂"]),
        ({"sort": "employee_count"}, ["东湖便利店", "东区纺织厂", "东湖精工机械"]),
    ],
)
def test_the_list_filters_and_sorts(east_client, places, query, expected):
    assert listed(east_client.get(LIST, query)) == expected


def test_the_union_filter_from_an_orgs_page_shows_what_it_covers_and_can_be_removed(
    east_client, tree, places
):
    response = east_client.get(LIST, {"union": tree.acme.pk})

    assert listed(response) == ["东湖精工机械"]
    html = response.content.decode()
    assert "所属工会：东区甲公司工会" in html
    assert "取消此筛选" in html


def test_the_area_filter_covers_the_area_and_everything_under_it(east_client, tree, places):
    assert listed(east_client.get(LIST, {"area": tree.town.pk})) == [
        "东区纺织厂",
        "东湖便利店",
        "东湖精工机械",
    ]
    assert listed(east_client.get(LIST, {"area": tree.joint.pk})) == ["东湖便利店"]


def test_a_union_filter_outside_the_officers_scope_is_reported_and_not_applied(east_client, tree, places):
    response = east_client.get(LIST, {"union": tree.gamma.pk})

    assert listed(response) == ["东区纺织厂", "东湖便利店", "东湖精工机械"]
    assert "您的管理范围内没有该组织，该筛选未予应用。" in response.content.decode()
    assert listed(east_client.get(LIST, {"union": "abc"})) == ["东区纺织厂", "东湖便利店", "东湖精工机械"]


def test_the_list_is_paged_and_its_queries_do_not_grow_with_the_rows(
    east_client, tree, django_assert_max_num_queries
):
    for n in range(60):
        make_workplace(tree.town, tree.acme if n % 2 else tree.beta, name=f"单位{n:02d}")

    with django_assert_max_num_queries(12):
        first = east_client.get(LIST)
    assert len(listed(first)) == 50
    assert "第 1 页，共 2 页" in first.content.decode()
    assert len(listed(east_client.get(LIST, {"page": 2}))) == 10


def test_an_htmx_request_gets_only_the_table(east_client, places):
    response = east_client.get(LIST, {"sort": "-name"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<h1" not in html
    assert 'id="workplaces"' in html
    assert listed(response) == ["东湖精工机械", "东湖便利店", "东区纺织厂"]


def test_an_officer_without_workplace_permissions_gets_404(tree):
    finance = client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER))

    assert finance.get(LIST).status_code == 404
    assert finance.get(CREATE).status_code == 404


def test_a_workplace_page_shows_its_details_links_and_members(
    east_client, tree, places, django_assert_max_num_queries
):
    factory = places["factory"]
    for n in range(3):
        member_row(tree.acme, workplace=factory, name=f"职工{n}").save()

    # 10 for the page itself, 3 for its collective contracts and supervision panels.
    with django_assert_max_num_queries(13):
        response = east_client.get(factory.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>东湖精工机械" in html
    assert credit_code(1) in html
    assert "C 制造业" in html
    assert "私营" in html
    assert re.search(r"在该单位工作的会员</dt><dd>3</dd>", html)
    assert f'href="{reverse("console:orgs:org_detail", args=[tree.acme.pk])}"' in html
    assert f'href="{reverse("console:orgs:org_detail", args=[tree.town.pk])}"' in html
    assert reverse("console:orgs:workplace_edit", args=[factory.pk]) in html


def test_a_union_officer_sees_their_workplace_but_no_link_to_the_area_above_them(tree, places):
    acme = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))

    html = acme.get(places["factory"].get_absolute_url()).content.decode()

    assert "东湖街道总工会" in html
    assert reverse("console:orgs:org_detail", args=[tree.town.pk]) not in html
    assert acme.get(places["mill"].get_absolute_url()).status_code == 404


def form(tree, **changes) -> dict[str, str]:
    return {
        "name": "东湖新材料有限公司",
        "credit_code": credit_code(20),
        "industry": "C",
        "ownership": "private",
        "employee_count": "45",
        "address": "东区新材料路1号",
        "district": "东区",
        "jurisdiction": tree.town.code,
        "union": "",
    } | changes


def test_registering_a_workplace_redirects_to_its_page(east_client, tree):
    page = east_client.get(CREATE)
    assert page.status_code == 200
    assert 'list="workplace-area-options"' in page.content.decode()
    assert f'<option value="{tree.joint.code}">' in page.content.decode()

    response = east_client.post(CREATE, form(tree, jurisdiction=tree.town.code.lower(), union=tree.acme.code))

    workplace = Workplace.objects.get(credit_code=credit_code(20))
    assert response.status_code == 302
    assert response["Location"] == workplace.get_absolute_url()
    assert (workplace.jurisdiction, workplace.union, workplace.is_unionised) == (tree.town, tree.acme, True)


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"jurisdiction": "W"}, "您的管辖范围内没有这个组织。"),
        ({"union": "W-G"}, "您的管辖范围内没有这个组织。"),
        ({"jurisdiction": "E"}, "属地工会必须是乡镇（街道）总工会或联合工会，东区总工会 不是。"),
        ({"union": "E-T"}, "总工会不直接覆盖单位，请选择该单位的工会。"),
        ({"credit_code": "91330203MA2GC5LU40"}, "统一社会信用代码校验位不符，请逐位核对。"),
        ({"employee_count": "-1"}, "确保该值大于或等于0。"),
    ],
)
def test_a_bad_registration_is_shown_with_the_reason_and_nothing_is_saved(
    east_client, tree, changes, field_message
):
    response = east_client.post(CREATE, form(tree, **changes))

    assert response.status_code == 422
    html = response.content.decode()
    assert "请更正以下错误。" in html
    assert field_message in html
    assert not Workplace.objects.exists()


def test_the_union_officer_edits_their_workplace_keeping_its_area_above_them(tree, places):
    factory = places["factory"]
    acme = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    url = reverse("console:orgs:workplace_edit", args=[factory.pk])

    page = acme.get(url)
    assert f'value="{tree.town.code}"' in page.content.decode()
    response = acme.post(
        url, form(tree, credit_code=factory.credit_code, union=tree.acme.code, employee_count="310")
    )

    assert response.status_code == 302
    factory.refresh_from_db()
    assert (factory.employee_count, factory.name, factory.jurisdiction) == (
        310,
        "东湖新材料有限公司",
        tree.town,
    )
    follow = acme.get(response["Location"])
    assert "修改已保存。" in follow.content.decode()
