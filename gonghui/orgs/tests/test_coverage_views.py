"""Coverage statistics in the console and the API, on the hand-computed tree of
test_coverage_refresh (district A: 3 unions, 6 workplaces of which 4 unionised, 353 employees,
245 members)."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.orgs.models import Org, OrgKind, Role, RoleGrant
from gonghui.orgs.scoping import forget_grants
from gonghui.orgs.selectors import percent
from gonghui.orgs.services.coverage import refresh_coverage
from gonghui.orgs.tests.factories import client_for
from gonghui.orgs.tests.test_coverage_refresh import Tree, build_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    built = build_tree()
    refresh_coverage()
    return built


def _officer(username: str, *grants: tuple[Org, str]) -> User:
    user = make_officer(username, otp_required=True)
    for org, role in grants:
        RoleGrant.objects.create(user=user, org=org, role=role)
    forget_grants(user)
    return user


def _html(response) -> str:
    return str(response.content.decode())


def _card(html: str, key: str) -> str:
    match = re.search(
        rf'data-figure="{key}">\s*<p[^>]*>[^<]*</p>\s*<p class="summary-card__value">([^<]*)</p>', html
    )
    assert match, f"no card {key}"
    return match.group(1).strip()


# --- rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(4, 6, Decimal("66.7")), (1, 16, Decimal("6.3")), (1, 3, Decimal("33.3")), (7, 7, Decimal("100.0"))],
)
def test_rates_are_percentages_rounded_half_up_to_one_decimal(part, whole, expected):
    assert percent(part, whole) == expected


def test_a_rate_over_nothing_is_no_rate_rather_than_zero():
    assert percent(5, 0) is None


# --- console -------------------------------------------------------------------------------


def test_a_district_officer_sees_the_figures_of_their_district_by_default(
    tree, django_assert_max_num_queries
):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    with django_assert_max_num_queries(12):
        response = client.get("/console/orgs/coverage/")

    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "覆盖统计：A工会" in html
    assert [
        _card(html, key) for key in ("unions", "workplaces", "unionised_workplaces", "employees", "members")
    ] == [
        "3",
        "6",
        "4",
        "353",
        "245",
    ]
    assert _card(html, "founding_rate") == "66.7%"
    assert _card(html, "membership_rate") == "69.4%"
    assert "建会率 = 已建会单位数 ÷ 单位数 × 100%" in html


def test_the_drill_down_lists_each_child_with_its_figures_and_a_link_to_its_own(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    html = _html(client.get(f"/console/orgs/coverage/?org={tree.a.pk}"))

    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</tr>", html, re.S)
    assert len(rows) == 2
    assert f'href="/console/orgs/coverage/?org={tree.t.pk}"' in rows[0]
    assert re.findall(r'<td class="numeric">([^<]*)</td>', rows[0]) == [
        "2",
        "4",
        "3",
        "75.0%",
        "145",
        "95",
        "65.5%",
    ]
    assert f'href="/console/orgs/coverage/?org={tree.g2.pk}"' in rows[1]


def test_the_drill_down_sorts_by_a_figure(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    html = _html(client.get(f"/console/orgs/coverage/?org={tree.a.pk}&sort=-membership_rate"))

    assert html.index(f"?org={tree.g2.pk}") < html.index(f"?org={tree.t.pk}")  # 75.0 % before 65.5 %


def test_the_chart_gets_its_data_as_json_and_no_inline_script(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    html = _html(client.get(f"/console/orgs/coverage/?org={tree.a.pk}"))

    found = re.search(r'<script id="coverage-chart-json" type="application/json">(.*?)</script>', html)
    assert found
    data = json.loads(found.group(1))
    assert data["labels"] == ["T工会", "G2工会"]
    assert data["series"][0]["name"] == "建会率"
    assert data["series"][0]["values"] == [75.0, 100.0]
    assert data["series"][1]["values"] == [65.5, 75.0]
    assert 'id="coverage-chart"' in html
    assert "vendor/echarts.min.js" in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)


def test_the_breadcrumb_leads_back_up_only_as_far_as_the_officers_scope(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    html = _html(client.get(f"/console/orgs/coverage/?org={tree.g1.pk}"))

    crumbs = html[html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))]
    assert f"?org={tree.a.pk}" in crumbs
    assert f"?org={tree.t.pk}" in crumbs
    assert f"?org={tree.city.pk}" not in crumbs


def test_an_org_outside_the_scope_answers_404(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    assert client.get(f"/console/orgs/coverage/?org={tree.b.pk}").status_code == 404
    assert client.get("/console/orgs/coverage/?org=abc").status_code == 404


def test_an_org_created_since_the_last_refresh_says_its_figures_are_coming(tree):
    new = Org.objects.add_child(
        tree.a, create_kwargs={"code": "NEW", "name": "新建工会", "kind": OrgKind.GRASSROOTS}
    )
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    html = _html(client.get(f"/console/orgs/coverage/?org={new.pk}"))

    assert "尚未统计" in html
    assert "data-figure=" not in html


def test_an_officer_with_several_subtrees_starts_from_a_list_of_them(tree):
    client = client_for(_officer("two.unions", (tree.g1, Role.AUDITOR), (tree.g4, Role.AUDITOR)))

    html = _html(client.get("/console/orgs/coverage/"))

    assert f"?org={tree.g1.pk}" in html
    assert f"?org={tree.g4.pk}" in html
    assert "data-figure=" not in html


def test_only_federation_administrators_get_the_refresh_button(tree):
    admin = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))
    auditor = client_for(_officer("auditor.a", (tree.a, Role.AUDITOR)))

    assert "立即刷新" in _html(admin.get("/console/orgs/coverage/"))
    assert "立即刷新" not in _html(auditor.get("/console/orgs/coverage/"))
    assert auditor.post("/console/orgs/coverage/refresh/", {"org": tree.a.pk}).status_code == 302
    assert "只有总工会管理员" in _html(auditor.get("/console/orgs/coverage/"))


def test_refresh_now_starts_a_job_and_shows_its_progress(tree):
    user = _officer("district.a", (tree.a, Role.FEDERATION_ADMIN))
    client = client_for(user)

    response = client.post("/console/orgs/coverage/refresh/", {"org": tree.a.pk})

    assert response.status_code == 302
    html = _html(client.get(response["Location"]))
    assert "正在刷新覆盖统计数据" in html
    assert 'id="job-' in html


def test_the_drill_down_table_downloads_as_xlsx(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    response = client.get(f"/console/orgs/coverage/export.xlsx?org={tree.a.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(rows) if row and row[0] == "组织")
    assert rows[header][2:] == ["工会数", "单位数", "已建会单位数", "建会率", "职工人数", "会员数", "入会率"]
    assert rows[header + 1][0] == "A工会"
    assert rows[header + 1][2:] == [3, 6, 4, pytest.approx(0.667), 353, 245, pytest.approx(0.694)]
    assert [row[0] for row in rows[header + 2 :]] == ["T工会", "G2工会"]


# --- API -----------------------------------------------------------------------------------


def test_the_api_gives_figures_rates_and_the_refresh_time(tree, django_assert_max_num_queries):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/coverage/{tree.a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["org_id"] == tree.a.pk
    assert body["org_kind"] == "federation"
    assert body["org_level"] == "district"
    assert (body["unions"], body["workplaces"], body["unionised_workplaces"]) == (3, 6, 4)
    assert (body["employees"], body["members"]) == (353, 245)
    assert Decimal(str(body["founding_rate"])) == Decimal("66.7")
    assert Decimal(str(body["membership_rate"])) == Decimal("69.4")
    assert body["refreshed_at"]


def test_the_api_lists_children_sorted_and_paged(tree, django_assert_max_num_queries):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/coverage/{tree.a.pk}/children?sort=-employees&limit=1")

    body = response.json()
    assert body["count"] == 2
    assert [item["org_name"] for item in body["items"]] == ["G2工会"]
    assert (
        body["items"][0]["founding_rate"] == 100.0 or Decimal(str(body["items"][0]["founding_rate"])) == 100
    )


def test_the_api_rates_are_null_without_a_denominator(tree):
    client = client_for(_officer("district.b", (tree.b, Role.FEDERATION_ADMIN)))

    body = client.get(f"/api/v1/coverage/{tree.g3.pk}").json()

    assert body["workplaces"] == 0
    assert body["founding_rate"] is None
    assert body["membership_rate"] is None


def test_the_api_refuses_an_unknown_sort_with_a_field_error(tree):
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    response = client.get(f"/api/v1/coverage/{tree.a.pk}/children?sort=name;drop")

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["sort"]


def test_the_api_says_when_an_orgs_figures_are_not_computed_yet(tree):
    new = Org.objects.add_child(
        tree.a, create_kwargs={"code": "NEW", "name": "新建工会", "kind": OrgKind.GRASSROOTS}
    )
    client = client_for(_officer("district.a", (tree.a, Role.FEDERATION_ADMIN)))

    response = client.get(f"/api/v1/coverage/{new.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "coverage_not_computed"


def test_an_officer_without_coverage_rights_is_told_so(tree):
    client = client_for(_officer("handler", (tree.a, Role.CASE_HANDLER)))

    html = _html(client.get("/console/orgs/coverage/"))

    assert "您的范围内没有可查看覆盖统计的组织" in html
    assert "data-figure=" not in html
