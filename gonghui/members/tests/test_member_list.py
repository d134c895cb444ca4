"""The scoped member list in the console and the API: masking, scoping, filters, keyset paging."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer, sign_in_verified
from gonghui.members.models import Member, MemberStatus
from gonghui.members.selectors import (
    Cursor,
    MemberFilter,
    member_page,
    path_successor,
    search_condition,
    subtree_range,
)
from gonghui.members.tests.factories import make_members, member_row
from gonghui.orgs.models import FederationLevel, Org, OrgKind, Role, RoleGrant, Workplace
from gonghui.orgs.scoping import forget_grants
from gonghui.orgs.tests.factories import credit_code

pytestmark = pytest.mark.django_db

ID_NUMBER = "330203199001011236"
MOBILE = "13912345678"
CREDIT_CODE = credit_code(1)


class World:
    """city ── east (district) ── union E1 (with a workplace), union E2
    └─ west (district) ── union W1"""

    def __init__(self) -> None:
        fed = {"kind": OrgKind.FEDERATION}
        self.city = Org.objects.add_root(
            create_kwargs={"code": "C", "name": "示范市总工会", **fed, "level": FederationLevel.CITY}
        )
        self.east = self._child(self.city, "E", "东区总工会", **fed, level=FederationLevel.DISTRICT)
        self.west = self._child(self.city, "W", "西区总工会", **fed, level=FederationLevel.DISTRICT)
        self.e1 = self._child(self.east, "E1", "东区甲公司工会", kind=OrgKind.GRASSROOTS)
        self.e2 = self._child(self.east, "E2", "东区乙公司工会", kind=OrgKind.GRASSROOTS)
        self.w1 = self._child(self.west, "W1", "西区丙公司工会", kind=OrgKind.GRASSROOTS)
        self.workplace = Workplace.objects.create(
            credit_code=CREDIT_CODE,
            name="东区甲公司",
            industry="C",
            ownership="private",
            employee_count=10,
            union=self.e1,
            is_unionised=True,
        )
        self.known = Member.objects.bulk_create(
            [member_row(self.e1, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE, workplace=self.workplace)]
        )[0]

    @staticmethod
    def _child(parent: Org, code: str, name: str, **extra) -> Org:
        child: Org = Org.objects.add_child(parent, create_kwargs={"code": code, "name": name, **extra})
        return child


@pytest.fixture
def world() -> World:
    return World()


def _officer(org: Org, role: str = Role.UNION_OFFICER, username: str = "officer") -> User:
    user = make_officer(username, otp_required=True)
    RoleGrant.objects.create(user=user, org=org, role=role)
    forget_grants(user)
    return user


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-row-id="(\d+)"', html)]


# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "successor"),
    [("00010001", "00010002"), ("0001000Z", "0001001"), ("00019", "0001A"), ("ZZZZ", None)],
)
def test_the_subtree_range_ends_at_the_next_path_of_the_same_length(path, successor):
    assert path_successor(path) == successor


def test_the_subtree_range_holds_exactly_the_subtree(world):
    in_range = Org.objects.filter(subtree_range(world.east.path)).order_by("path")
    assert list(in_range) == list(Org.objects.filter(path__startswith=world.east.path).order_by("path"))


# --- console -------------------------------------------------------------------------------


def test_the_list_shows_masked_names_id_numbers_and_mobiles_with_union_and_workplace(world):
    html = _client(_officer(world.east)).get("/console/members/").content.decode()

    assert "张**" in html
    assert "330203********1236" in html
    assert "139****5678" in html
    assert "张伟明" not in html
    assert ID_NUMBER not in html
    assert MOBILE not in html
    assert "东区甲公司工会" in html
    assert "东区甲公司" in html
    assert "2020年1月1日" in html
    assert "正常" in html


def test_an_officer_sees_only_members_of_their_own_subtree(world):
    make_members(world.e2, 2)
    outside = make_members(world.w1, 2)

    html = _client(_officer(world.east)).get("/console/members/").content.decode()

    ids = _row_ids(html)
    assert len(ids) == 3
    assert not {member.pk for member in outside} & set(ids)


def test_the_list_is_in_union_order_and_pages_by_keyset(world, django_assert_max_num_queries):
    make_members(world.e2, 60)
    client = _client(_officer(world.east))

    with django_assert_max_num_queries(10):
        first = client.get("/console/members/")
    first_ids = _row_ids(first.content.decode())
    assert len(first_ids) == 50
    assert first_ids[0] == world.known.pk  # E1 comes before E2 in the tree
    next_link = re.search(r'href="\?cursor=([^"&]+)"', first.content.decode())
    assert next_link
    with django_assert_max_num_queries(10):
        second = client.get(f"/console/members/?cursor={next_link.group(1)}")
    second_ids = _row_ids(second.content.decode())
    assert len(second_ids) == 11
    assert not set(first_ids) & set(second_ids)
    assert second_ids == sorted(second_ids)


def test_the_status_filter_defaults_to_active_members(world):
    left = make_members(world.e1, 1, status=MemberStatus.LEFT)[0]
    client = _client(_officer(world.east))

    assert left.pk not in _row_ids(client.get("/console/members/").content.decode())
    assert left.pk in _row_ids(client.get("/console/members/?status=left").content.decode())
    assert left.pk in _row_ids(client.get("/console/members/?status=all").content.decode())


def test_the_org_filter_narrows_to_a_subtree_by_code(world):
    make_members(world.e2, 2)
    client = _client(_officer(world.east))

    ids = _row_ids(client.get("/console/members/?org=E2").content.decode())

    assert len(ids) == 2
    assert world.known.pk not in ids


def test_an_org_code_outside_the_scope_is_reported_and_lists_nobody(world):
    make_members(world.w1, 2)
    html = _client(_officer(world.east)).get("/console/members/?org=W1").content.decode()

    assert "您的范围内没有这个编码的组织" in html
    assert _row_ids(html) == []


@pytest.mark.parametrize(
    "q", [ID_NUMBER, "３３０２０３１９９００１０１１２３６", MOBILE, "+86 139 1234 5678"]
)
def test_search_finds_a_member_by_exact_id_or_mobile_number(world, q):
    make_members(world.e1, 3)

    ids = _row_ids(_client(_officer(world.east)).get("/console/members/", {"q": q}).content.decode())

    assert ids == [world.known.pk]


def _named(world, *names: str, org=None) -> list[Member]:
    return Member.objects.bulk_create(member_row(org or world.e1, name=name) for name in names)


def test_search_finds_members_by_the_beginning_of_their_name(world, django_assert_max_num_queries):
    zhang_wei, _other = _named(world, "张伟", "张三")
    client = _client(_officer(world.east))

    with django_assert_max_num_queries(10):
        html = client.get("/console/members/", {"q": "张伟"}).content.decode()

    assert sorted(_row_ids(html)) == sorted([world.known.pk, zhang_wei.pk])


@pytest.mark.parametrize("whole_name", [False, True])
def test_a_name_search_seeks_the_name_index(world, whole_name):
    """Names are plain text: the search condition must be one that member_name_idx can serve
    (with a small scope the database may rightly start from the scope instead)."""
    members = Member.objects.filter(search_condition("张伟", whole_name=whole_name))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny, where a scan is cheapest; the question is whether the index
            # can serve the condition at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = members.explain()

    assert "member_name_idx" in plan


def test_a_whole_name_search_matches_only_that_name(world):
    zhang_wei = _named(world, "张伟")[0]

    html = _client(_officer(world.east)).get("/console/members/", {"q": "张伟", "whole_name": "on"})

    assert _row_ids(html.content.decode()) == [zhang_wei.pk]


def test_a_one_character_name_is_refused_unless_whole(world):
    zhang = _named(world, "张")[0]
    client = _client(_officer(world.east))

    refused = client.get("/console/members/", {"q": "张"}).content.decode()
    whole = client.get("/console/members/", {"q": "张", "whole_name": "on"}).content.decode()

    assert "请至少输入姓名的两个字" in refused
    assert _row_ids(refused) == []
    assert _row_ids(whole) == [zhang.pk]


def test_a_name_search_is_normalised_like_the_names_it_searches(world):
    html = _client(_officer(world.east)).get("/console/members/", {"q": " 张伟 "}).content.decode()

    assert _row_ids(html) == [world.known.pk]


def test_a_name_search_does_not_reach_outside_the_scope(world):
    _named(world, "张伟强", org=world.w1)

    html = _client(_officer(world.east)).get("/console/members/", {"q": "张伟"}).content.decode()

    assert _row_ids(html) == [world.known.pk]


@pytest.mark.parametrize("q", ["330203199", "1391234"])
def test_part_of_a_number_is_refused_with_a_clear_message(world, q):
    html = _client(_officer(world.east)).get("/console/members/", {"q": q}).content.decode()

    assert "请按完整的18位身份证号或11位手机号搜索" in html
    assert _row_ids(html) == []


@pytest.mark.parametrize("workplace", [CREDIT_CODE, CREDIT_CODE.lower(), "甲公司", "东区甲"])
def test_search_by_workplace_credit_code_or_part_of_its_name(world, workplace):
    make_members(world.e1, 2)  # members of the union without a workplace on file

    html = _client(_officer(world.east)).get("/console/members/", {"workplace": workplace})

    assert _row_ids(html.content.decode()) == [world.known.pk]


def test_a_one_character_workplace_fragment_is_refused(world):
    html = _client(_officer(world.east)).get("/console/members/", {"workplace": "甲"}).content.decode()

    assert "请至少输入单位名称的两个字" in html
    assert _row_ids(html) == []


def test_a_workplace_outside_the_scope_finds_nobody(world):
    html = _client(_officer(world.west)).get("/console/members/", {"workplace": CREDIT_CODE})

    assert _row_ids(html.content.decode()) == []


@pytest.mark.parametrize(
    ("category", "field"),
    [("gig", "is_gig_worker"), ("migrant", "is_migrant_worker"), ("model", "is_model_worker")],
)
def test_the_category_filter(world, category, field):
    make_members(world.e2, 3)
    chosen = make_members(world.e2, 1)[0]
    Member.objects.filter(pk=chosen.pk).update(**{field: True})

    html = _client(_officer(world.east)).get("/console/members/", {"category": category}).content.decode()

    assert _row_ids(html) == [chosen.pk]


def test_the_female_category_comes_from_the_sex_on_the_id_number(world):
    make_members(world.e2, 2)
    woman = Member.objects.bulk_create([member_row(world.e2, name="李芳")])[0]
    Member.objects.filter(pk=woman.pk).update(sex="female")

    html = _client(_officer(world.east)).get("/console/members/", {"category": "female"}).content.decode()

    assert _row_ids(html) == [woman.pk]


def test_filters_combine(world):
    gig_zhang = _named(world, "张伟强", org=world.e2)[0]
    Member.objects.filter(pk=gig_zhang.pk).update(is_gig_worker=True)

    html = _client(_officer(world.east)).get("/console/members/", {"q": "张伟", "category": "gig"})

    assert _row_ids(html.content.decode()) == [gig_zhang.pk]


def test_a_name_search_pages_by_keyset_like_the_list(world):
    Member.objects.bulk_create(member_row(world.e2, name="张伟") for _ in range(55))
    client = _client(_officer(world.east))

    first = client.get("/console/members/", {"q": "张伟"}).content.decode()
    next_link = re.search(r'href="\?([^"]*cursor=[^"]+)"', first)
    assert next_link
    second = client.get("/console/members/?" + next_link.group(1).replace("&amp;", "&")).content.decode()

    assert len(_row_ids(first)) == 50
    assert len(_row_ids(second)) == 6
    assert not set(_row_ids(first)) & set(_row_ids(second))


def test_search_does_not_reach_outside_the_scope(world):
    html = _client(_officer(world.west)).get("/console/members/", {"q": ID_NUMBER}).content.decode()

    assert _row_ids(html) == []


def test_a_forged_cursor_is_refused_not_a_server_error(world):
    response = _client(_officer(world.east)).get("/console/members/?cursor=x' OR 1=1")

    assert response.status_code == 200
    assert _row_ids(response.content.decode()) == []


# --- API -----------------------------------------------------------------------------------


def test_the_api_lists_masked_members_of_the_scope(world, django_assert_max_num_queries):
    make_members(world.w1, 2)
    client = _client(_officer(world.east))

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/members")

    body = response.json()
    assert [item["id"] for item in body["items"]] == [world.known.pk]
    item = body["items"][0]
    assert item["masked_name"] == "张**"
    assert item["masked_id_number"] == "330203********1236"
    assert item["masked_mobile"] == "139****5678"
    assert (item["org_id"], item["org_name"]) == (world.e1.pk, "东区甲公司工会")
    assert (item["workplace_id"], item["workplace_name"]) == (world.workplace.pk, "东区甲公司")
    assert item["joined_on"] == "2020-01-01"
    assert item["status"] == "active"
    assert body["next_cursor"] is None
    assert ID_NUMBER not in response.content.decode()


def test_the_api_pages_with_the_next_cursor(world):
    make_members(world.e2, 4)
    client = _client(_officer(world.east))

    first = client.get("/api/v1/members?limit=3").json()
    second = client.get("/api/v1/members", {"limit": 3, "cursor": first["next_cursor"]}).json()

    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert len(set(seen)) == 5


def test_the_api_filters_by_org_subtree_status_and_number(world):
    make_members(world.e2, 2)
    left = make_members(world.e1, 1, status=MemberStatus.LEFT)[0]
    client = _client(_officer(world.city, Role.FEDERATION_ADMIN))

    by_org = client.get(f"/api/v1/members?org={world.east.pk}").json()
    by_status = client.get("/api/v1/members?status=left").json()
    by_number = client.get("/api/v1/members", {"q": MOBILE}).json()

    assert len(by_org["items"]) == 3
    assert [item["id"] for item in by_status["items"]] == [left.pk]
    assert [item["id"] for item in by_number["items"]] == [world.known.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=张", "q"),
        ("q=13912", "q"),
        ("workplace=甲", "workplace"),
        ("category=pilots", "category"),
        ("cursor=nope", "cursor"),
        ("status=asleep", "status"),
        ("limit=0", "limit"),
    ],
)
def test_the_api_refuses_bad_filters_with_field_errors(world, query, field):
    response = _client(_officer(world.east)).get(f"/api/v1/members?{query}")

    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_the_api_searches_by_name_workplace_and_category(world):
    zhang_wei = _named(world, "张伟", org=world.e2)[0]
    Member.objects.filter(pk=zhang_wei.pk).update(is_gig_worker=True)
    client = _client(_officer(world.east))

    by_prefix = client.get("/api/v1/members", {"q": "张伟"}).json()
    by_whole = client.get("/api/v1/members", {"q": "张伟", "whole_name": "true"}).json()
    by_workplace = client.get("/api/v1/members", {"workplace": "东区甲公司"}).json()
    by_category = client.get("/api/v1/members", {"category": "gig"}).json()

    assert sorted(item["id"] for item in by_prefix["items"]) == sorted([world.known.pk, zhang_wei.pk])
    assert [item["id"] for item in by_whole["items"]] == [zhang_wei.pk]
    assert [item["id"] for item in by_workplace["items"]] == [world.known.pk]
    assert [item["id"] for item in by_category["items"]] == [zhang_wei.pk]
    assert "张伟" not in str(by_prefix)  # names are masked in the answer too


def test_the_api_answers_404_for_an_org_outside_the_scope(world):
    response = _client(_officer(world.east)).get(f"/api/v1/members?org={world.w1.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_selector_cursor_round_trips(world):
    user = _officer(world.east)
    make_members(world.e2, 3)

    page = member_page(user, MemberFilter(), limit=2)

    assert page.next_cursor is not None
    cursor = Cursor.parse(page.next_cursor)
    assert cursor.member_id == page.members[-1].pk
    assert cursor.org_path == page.members[-1].org.path
