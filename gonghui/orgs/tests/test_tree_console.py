"""Console pages of the union tree: browsing, searching, an org's page, and the forms that add,
edit, move, merge and dissolve orgs (as officers see them, in Chinese)."""

from __future__ import annotations

import re

import pytest

from gonghui.accounts.tests.factories import make_officer
from gonghui.members.models import Member
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import Org, OrgHistory, OrgHistoryAction, OrgKind, OrgStatus, Role, RoleGrant
from gonghui.orgs.services.tree import move_org
from gonghui.orgs.tests.factories import add_org, client_for, make_workplace, officer_at
from gonghui.orgs.views import tree as tree_views

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return str(response.content.decode())


def org_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-org-id="(\d+)"', page)]


# --- the tree ------------------------------------------------------------------------------


def test_the_tree_opens_on_the_officers_own_federation_and_shows_only_its_first_level(tree, east_client):
    page = html(east_client.get("/console/orgs/"))

    assert page.count("<h1") == 1
    assert "组织架构" in page
    assert org_ids(page) == [tree.east.pk, tree.town.pk, tree.beta.pk]
    assert "西区总工会" not in page
    assert "示范市总工会" not in page
    # The township's own level is fetched when its <details> is first opened.
    assert f'hx-get="/console/orgs/{tree.town.pk}/children/"' in page
    assert 'hx-trigger="toggle once"' in page
    assert "下级组织 2 个" in page
    assert 'href="/console/orgs/" aria-current="page"' in page


def test_an_officer_of_several_subtrees_sees_each_top_closed(tree):
    officer = officer_at(tree.beta, "two.places")
    RoleGrant.objects.create(user=officer, org=tree.town, role=Role.UNION_OFFICER)

    page = html(client_for(officer).get("/console/orgs/"))

    assert org_ids(page) == [tree.town.pk, tree.beta.pk]
    assert " open" not in page[page.index("org-tree-title") :]


def test_an_officer_without_a_role_is_told_how_to_get_one(tree):
    page = html(client_for(make_officer("nobody")).get("/console/orgs/"))
    assert "您还没有被授予任何组织的角色" in page
    assert "org-tree__node" not in page


def test_a_level_of_the_tree_is_served_as_list_items(tree, east_client):
    response = east_client.get(f"/console/orgs/{tree.town.pk}/children/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = html(response)
    assert org_ids(page) == [tree.joint.pk, tree.acme.pk]
    assert "<html" not in page
    assert f'hx-get="/console/orgs/{tree.acme.pk}/children/"' in page  # acme has a union group
    assert f'hx-get="/console/orgs/{tree.joint.pk}/children/"' not in page


def test_a_long_level_comes_in_pages_with_a_show_more_item(tree, east_client, monkeypatch):
    monkeypatch.setattr(tree_views, "TREE_PAGE_SIZE", 2)
    extra = add_org(tree.town, "E-T-Z", "东区戊公司工会")

    first = html(east_client.get(f"/console/orgs/{tree.town.pk}/children/"))
    assert org_ids(first) == [tree.joint.pk, tree.acme.pk]
    more = re.search(r'hx-get="([^"]+after=[^"]+)"', first)
    assert more
    assert "显示更多" in first
    second = html(east_client.get(more.group(1).replace("&amp;", "&")))
    assert org_ids(second) == [extra.pk]
    assert "显示更多" not in second


def test_a_level_outside_the_scope_is_not_found(tree, east_client):
    assert east_client.get(f"/console/orgs/{tree.west.pk}/children/").status_code == 404


def test_browsing_the_tree_takes_a_bounded_number_of_queries(
    tree, east_client, django_assert_max_num_queries
):
    for i in range(30):
        add_org(tree.town, f"E-T-{i:02d}", f"东区第{i}公司工会")
    with django_assert_max_num_queries(10):
        assert east_client.get("/console/orgs/").status_code == 200
    with django_assert_max_num_queries(8):
        assert east_client.get(f"/console/orgs/{tree.town.pk}/children/").status_code == 200


def test_search_finds_names_and_codes_in_any_case_within_the_scope(tree, east_client):
    page = html(east_client.get("/console/orgs/", {"q": "甲公司"}))
    assert "与“甲公司”匹配的组织" in page
    results = page[page.index("org-search-results") : page.index("org-tree-title")]
    assert org_ids(results) == [tree.acme.pk, tree.group.pk]

    results_page = html(east_client.get("/console/orgs/", {"q": "ｅ-t-a"}))
    assert tree.acme.pk in org_ids(results_page)

    page = html(east_client.get("/console/orgs/", {"q": "西区"}))
    assert "您的管辖范围内没有符合条件的组织。" in page
    assert "西区丙公司工会" not in page


def test_search_shows_at_most_fifty_matches_and_says_so(tree, east_client):
    for i in range(51):
        add_org(tree.town, f"E-T-S{i:02d}", f"东区搜索{i:02d}号工会")
    page = html(east_client.get("/console/orgs/", {"q": "搜索"}))
    results = page[page.index("org-search-results") : page.index("org-tree-title")]
    assert len(org_ids(results)) == 50
    assert "仅显示前 50 个结果" in page


# --- one org -------------------------------------------------------------------------------


def test_an_orgs_page_shows_its_details_children_history_and_actions(tree, east_client, east_admin):
    move_org(tree.beta, tree.town, actor=east_admin, note="属地管理")
    Org.objects.filter(pk=tree.town.pk).update(
        address="东湖路 8 号", contact_name="周八", contact_phone="0574-8888"
    )

    page = html(east_client.get(f"/console/orgs/{tree.town.pk}/"))

    assert page.count("<h1") == 1
    assert "东湖街道总工会" in page
    for text in ("E-T", "总工会 · 乡镇（街道）级", "东湖路 8 号", "周八 · 0574-8888", "正常"):
        assert text in page, text
    # Breadcrumb: the tree, then ancestors inside the scope only (not the city federation).
    crumbs = page[page.index('class="breadcrumb"') : page.index("</nav>", page.index('class="breadcrumb"'))]
    assert "东区总工会" in crumbs
    assert "示范市总工会" not in crumbs
    children = page[page.index('id="children"') :]
    for child in ("东湖社区联合工会", "东区甲公司工会", "东区乙公司工会"):
        assert child in children
    assert "吸收" not in page
    beta_page = html(east_client.get(f"/console/orgs/{tree.beta.pk}/"))
    assert "由东区总工会调整至东湖街道总工会 · 属地管理" in beta_page
    assert "east.admin" in beta_page
    for action in ("修改", "增设下级组织", "调整隶属关系", "并入其他工会", "撤销"):
        assert action in page


def test_a_read_only_officer_sees_no_actions(tree):
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    page = html(client_for(auditor).get(f"/console/orgs/{tree.town.pk}/"))
    assert "东湖街道总工会" in page
    assert "/edit/" not in page
    assert "/move/" not in page
    assert "/dissolve/" not in page


def test_a_union_officer_may_edit_but_not_restructure(tree):
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    page = html(client_for(officer).get(f"/console/orgs/{tree.beta.pk}/"))
    assert f"/console/orgs/{tree.beta.pk}/edit/" in page
    assert "/move/" not in page
    assert "/merge/" not in page
    assert "/dissolve/" not in page
    assert client_for(officer).get(f"/console/orgs/{tree.beta.pk}/move/").status_code == 404


def test_an_org_outside_the_scope_is_not_found(tree, east_client):
    assert east_client.get(f"/console/orgs/{tree.gamma.pk}/").status_code == 404
    assert east_client.get("/console/orgs/999999/").status_code == 404


def test_the_org_page_links_to_its_workplaces_officers_coverage_and_role_grants(tree, east_client):
    page = east_client.get(f"/console/orgs/{tree.town.pk}/").content.decode()
    assert f"/console/orgs/workplaces/?union={tree.town.pk}" in page
    assert f"/console/orgs/officers/?org={tree.town.pk}" in page
    assert f"/console/orgs/coverage/?org={tree.town.pk}" in page
    assert f"/console/orgs/{tree.town.pk}/roles/" in page


def test_an_orgs_page_takes_a_bounded_number_of_queries(tree, east_client, django_assert_max_num_queries):
    for i in range(30):
        add_org(tree.town, f"E-T-{i:02d}", f"东区第{i}公司工会")
        OrgHistory.objects.create(org=tree.town, action=OrgHistoryAction.ABSORBED, other_org=tree.beta)
    with django_assert_max_num_queries(14):
        assert east_client.get(f"/console/orgs/{tree.town.pk}/").status_code == 200


def test_a_merged_union_links_to_the_union_that_absorbed_it(tree, east_client):
    Org.objects.filter(pk=tree.beta.pk).update(status=OrgStatus.DISSOLVED, merged_into=tree.acme)
    page = html(east_client.get(f"/console/orgs/{tree.beta.pk}/"))
    assert "已并入" in page
    assert f'href="/console/orgs/{tree.acme.pk}/"' in page
    assert "/edit/" not in page  # nothing to change on a dissolved union


# --- forms ---------------------------------------------------------------------------------


def test_adding_a_sub_organisation_redirects_to_it_with_a_message(tree, east_client):
    form = html(east_client.get(f"/console/orgs/{tree.town.pk}/new/"))
    assert "为东湖街道总工会增设下级组织" in form
    assert 'name="kind"' in form
    assert 'value="东区"' in form

    response = east_client.post(
        f"/console/orgs/{tree.town.pk}/new/",
        {"code": "e-t-n", "name": "东区新公司工会", "kind": "grassroots", "founded_on": "2024-03-01"},
        follow=True,
    )

    org = Org.objects.get(code="E-T-N")
    assert response.redirect_chain == [(f"/console/orgs/{org.pk}/", 302)]
    page = html(response)
    assert "已增设东区新公司工会。" in page
    assert "2024年3月1日" in page


def test_a_refused_kind_is_shown_next_to_the_field_and_nothing_is_added(tree, east_client):
    count = Org.objects.count()
    response = east_client.post(
        f"/console/orgs/{tree.town.pk}/new/", {"code": "E-T-N", "name": "一个小组", "kind": "union_group"}
    )
    assert response.status_code == 200
    page = html(response)
    assert re.search(r'id="id_kind_error"><li>工会小组只能设在基层工会之下。</li>', page)
    assert "请更正以下错误。" in page
    assert Org.objects.count() == count


def test_editing_saves_and_says_so(tree, east_client):
    form = html(east_client.get(f"/console/orgs/{tree.beta.pk}/edit/"))
    assert 'value="E-B"' in form
    response = east_client.post(
        f"/console/orgs/{tree.beta.pk}/edit/",
        {"code": "E-B", "name": "东区乙股份公司工会", "kind": "grassroots", "district": "东区"},
        follow=True,
    )
    assert "修改已保存。" in html(response)
    assert Org.objects.get(pk=tree.beta.pk).name == "东区乙股份公司工会"


def test_the_move_page_offers_destinations_in_scope_and_fills_in_the_chosen_code(tree, east_client):
    page = html(east_client.get(f"/console/orgs/{tree.beta.pk}/move/", {"q": "总工会"}))
    candidates = page[page.index("org-picker-title") :]
    assert org_ids(candidates) == [tree.east.pk, tree.town.pk]  # not the city, not the west
    assert f"code={tree.town.code}" in candidates

    page = html(east_client.get(f"/console/orgs/{tree.beta.pk}/move/", {"code": "E-T"}))
    assert 'name="new_parent" value="E-T"' in page


def test_moving_through_the_console(tree, east_client):
    response = east_client.post(f"/console/orgs/{tree.beta.pk}/move/", {"new_parent": "e-t"}, follow=True)
    assert "东区乙公司工会已调整至东湖街道总工会之下。" in html(response)
    assert Org.objects.get(pk=tree.beta.pk).path.startswith(tree.town.path)


def test_moving_a_union_under_its_own_subordinate_is_explained_next_to_the_field(tree):
    city = client_for(officer_at(tree.city, "city.admin"))
    before = list(Org.objects.values_list("pk", "path"))

    response = city.post(f"/console/orgs/{tree.east.pk}/move/", {"new_parent": "E-T"})

    assert response.status_code == 200
    assert re.search(
        r'id="id_new_parent_error"><li>不能把工会调整到它自身或它的下级组织之下。</li>', html(response)
    )
    assert list(Org.objects.values_list("pk", "path")) == before


@pytest.mark.parametrize("code", ["W", "NOPE"])
def test_a_destination_outside_the_scope_reads_like_a_missing_one(tree, east_client, code):
    before = list(Org.objects.values_list("pk", "path"))

    response = east_client.post(f"/console/orgs/{tree.beta.pk}/move/", {"new_parent": code})

    assert response.status_code == 200
    assert re.search(r'id="id_new_parent_error"><li>您的管辖范围内没有这个组织。</li>', html(response))
    assert list(Org.objects.values_list("pk", "path")) == before


def test_the_top_of_the_officers_scope_cannot_be_moved_out_of_it(tree, east_client):
    # Its only possible destinations lie outside the officer's scope.
    response = east_client.post(f"/console/orgs/{tree.east.pk}/move/", {"new_parent": "W"})
    assert response.status_code == 200
    assert Org.objects.get(pk=tree.east.pk).path == tree.east.path


def test_merging_through_the_console_reports_what_moved(tree, east_client):
    make_members(tree.beta, 2)
    make_workplace(None, tree.beta)
    response = east_client.post(
        f"/console/orgs/{tree.beta.pk}/merge/", {"target": "E-T-A", "note": "企业合并"}, follow=True
    )
    assert response.redirect_chain == [(f"/console/orgs/{tree.acme.pk}/", 302)]
    assert "东区乙公司工会已并入东区甲公司工会：转移会员2名、单位1家。" in html(response)
    assert Member.objects.filter(org=tree.acme).count() == 2


def test_merging_into_itself_is_explained_next_to_the_field(tree, east_client):
    response = east_client.post(f"/console/orgs/{tree.beta.pk}/merge/", {"target": "E-B"})
    # The picker leaves the union itself out of its search, but a typed code still reaches the service.
    assert re.search(r'id="id_target_error"><li>工会不能并入它自己。</li>', html(response))


def test_the_dissolve_page_says_what_still_hangs_on_the_union(tree, east_client):
    make_members(tree.acme, 3)
    page = html(east_client.get(f"/console/orgs/{tree.acme.pk}/dissolve/"))
    assert "暂不能撤销，还有：未撤销的下级组织1个、在册会员3名。" in page
    assert 'class="gh-form"' not in page  # no button that could only be refused


def test_dissolving_through_the_console(tree, east_client):
    response = east_client.post(f"/console/orgs/{tree.beta.pk}/dissolve/", {"note": "企业注销"}, follow=True)
    page = html(response)
    assert "东区乙公司工会已撤销。" in page
    assert Org.objects.get(pk=tree.beta.pk).status == OrgStatus.DISSOLVED
    assert "企业注销" in page  # in the history table


def test_a_refused_dissolution_changes_nothing(tree, east_client):
    response = east_client.post(f"/console/orgs/{tree.acme.pk}/dissolve/", {"note": ""})
    assert response.status_code == 200
    assert "暂不能撤销，还有：未撤销的下级组织1个。" in html(response)
    assert Org.objects.get(pk=tree.acme.pk).status == OrgStatus.ACTIVE


def test_console_pages_of_the_tree_have_no_inline_script_or_style(tree, east_client):
    for url in (
        "/console/orgs/?q=东",
        f"/console/orgs/{tree.town.pk}/",
        f"/console/orgs/{tree.town.pk}/new/",
        f"/console/orgs/{tree.beta.pk}/move/?q=总工会",
        f"/console/orgs/{tree.beta.pk}/dissolve/",
    ):
        page = html(east_client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert "<style" not in page, url
        assert not re.search(r"\sstyle=", page), url


def test_the_sidebar_links_to_the_tree(tree, east_client):
    page = html(east_client.get("/console/"))
    sidebar = page[page.index('id="console-sidebar"') :]
    assert re.search(r'<a[^>]*href="/console/orgs/"[^>]*>\s*组织管理', sidebar)


def test_union_groups_sit_only_under_grassroots_unions_in_the_form_too(tree, east_client):
    response = east_client.post(
        f"/console/orgs/{tree.acme.pk}/new/",
        {"code": "E-T-A-2", "name": "二车间工会小组", "kind": OrgKind.UNION_GROUP},
    )
    assert response.status_code == 302
