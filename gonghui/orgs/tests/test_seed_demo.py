"""`seed-demo`: the demo city loads, is a valid tree with valid people, and loads only once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.core.creditcode import parse_credit_code
from gonghui.core.crypto import blind_index
from gonghui.core.idnumbers import parse_id_number
from gonghui.core.mobile import parse_mobile
from gonghui.members.models import ID_NUMBER_CONTEXT, MOBILE_CONTEXT, Member, MemberEvent, MemberEventKind
from gonghui.orgs.demo.accounts import DEMO_PASSWORD, GIG_WORKER_MOBILE, MEMBER_MOBILE, OFFICERS
from gonghui.orgs.demo.generator import LANES, REFERENCE_DATE, SCALES, generate_city, lane_members
from gonghui.orgs.demo.loader import load_demo, next_root_step, reset_demo
from gonghui.orgs.demo.progress import Progress
from gonghui.orgs.models import FederationLevel, Org, OrgKind, Role, RoleGrant, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "tiny", *args, stdout=out)
    return out.getvalue()


def age_on(day: date, born: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_tiny_city_loads_as_a_valid_tree_with_every_kind_of_union():
    output = seed()
    assert "Demo city loaded" in output
    assert "city.admin" in output

    assert Org.objects.find_problems() == ([], [], [], [], [])
    kinds = Counter(Org.objects.values_list("kind", flat=True))
    assert kinds[OrgKind.GRASSROOTS] > 0
    assert kinds[OrgKind.JOINT_UNION] > 0
    assert kinds[OrgKind.INDUSTRY_UNION] == 3
    levels = Counter(Org.objects.filter(kind=OrgKind.FEDERATION).values_list("level", flat=True))
    assert levels == {FederationLevel.CITY: 1, FederationLevel.DISTRICT: 1, FederationLevel.TOWNSHIP: 2}
    root = Org.objects.get(depth=1)
    assert Org.objects.in_subtree(root).count() == Org.objects.count()


def test_workplaces_have_valid_credit_codes_and_a_fifth_have_no_union():
    seed()
    workplaces = list(Workplace.objects.all())
    assert len({workplace.credit_code for workplace in workplaces}) == len(workplaces)
    for workplace in workplaces:
        assert parse_credit_code(workplace.credit_code).region_code == "330203"
        assert workplace.is_unionised == (workplace.union_id is not None)
    without_union = sum(not workplace.is_unionised for workplace in workplaces) / len(workplaces)
    assert 0.05 < without_union < 0.4
    assert not Member.objects.filter(workplace__is_unionised=False).exists()


def test_every_workplace_lies_in_the_area_of_a_township_or_its_joint_union_in_its_own_district():
    seed()
    workplaces = list(Workplace.objects.select_related("jurisdiction", "union"))
    for workplace in workplaces:
        area = workplace.jurisdiction
        assert area is not None, workplace.name
        assert (area.kind, area.level) in {
            (OrgKind.FEDERATION, FederationLevel.TOWNSHIP),
            (OrgKind.JOINT_UNION, ""),
        }
        assert area.district == workplace.district
        if area.kind == OrgKind.JOINT_UNION:
            assert workplace.union == area
    # A township officer sees the workplaces without a union in their area: those are the ones
    # they found unions at.
    unfounded = [workplace for workplace in workplaces if workplace.union is None]
    assert unfounded
    township = unfounded[0].jurisdiction
    assert township is not None
    officer = make_officer("township.officer")
    RoleGrant.objects.create(user=officer, org=township, role=Role.FEDERATION_ADMIN)
    seen = set(visible(Workplace, officer, Perm.WORKPLACE_VIEW).values_list("pk", flat=True))
    in_area = {w.pk for w in unfounded if w.jurisdiction == township}
    assert in_area <= seen
    assert {w.pk for w in unfounded} - seen == {w.pk for w in unfounded if w.jurisdiction != township}


def test_members_have_valid_encrypted_ids_consistent_with_birth_date_sex_and_blind_index():
    seed()
    members = list(Member.objects.select_related("org"))
    assert len(members) > 500
    for member in members:
        parsed = parse_id_number(member.id_number)
        assert (parsed.birth_date, parsed.sex) == (member.birth_date, member.sex)
        assert 18 <= age_on(REFERENCE_DATE, member.birth_date) <= 65
        assert member.id_number_index == blind_index(parsed.value, context=ID_NUMBER_CONTEXT)
        assert member.mobile_index == blind_index(parse_mobile(member.mobile), context=MOBILE_CONTEXT)
        assert member.status == "active"
        assert member.birth_date < member.joined_on <= REFERENCE_DATE
        assert (
            member.is_gig_worker == (member.org.kind == OrgKind.INDUSTRY_UNION) == bool(member.gig_platform)
        )
    assert len({member.id_number_index for member in members}) == len(members)
    assert len({member.mobile_index for member in members}) == len(members)
    sexes = Counter(member.sex for member in members)
    assert 0.4 < sexes["male"] / len(members) < 0.75
    assert any(member.is_migrant_worker for member in members)


def test_every_demo_member_history_starts_with_joining_on_the_join_date():
    seed()
    events = {event.member_id: event for event in MemberEvent.objects.select_related("member")}
    assert set(events) == set(Member.objects.values_list("pk", flat=True))
    for event in events.values():
        assert (event.kind, event.org_id) == (MemberEventKind.JOINED, event.member.org_id)
        assert event.id_number_index == event.member.id_number_index
        assert timezone.localtime(event.created_at).date() == event.member.joined_on


def test_demo_accounts_sign_in_with_their_roles():
    seed()
    for account in OFFICERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": account.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, account.username
    assert User.objects.get(username="admin").is_superuser
    grants = {
        grant.user.username: (grant.role, grant.org.kind) for grant in RoleGrant.objects.select_related()
    }
    assert grants["city.admin"] == (Role.FEDERATION_ADMIN, OrgKind.FEDERATION)
    assert grants["union.officer"] == (Role.UNION_OFFICER, OrgKind.GRASSROOTS)
    assert grants["auditor"][0] == Role.AUDITOR

    member = Member.objects.get(user__username=MEMBER_MOBILE)
    assert member.mobile == MEMBER_MOBILE
    assert RoleGrant.objects.get(user__username="union.officer").org == member.org
    gig_worker = Member.objects.get(user__username=GIG_WORKER_MOBILE)
    assert gig_worker.is_gig_worker
    assert gig_worker.org.kind == OrgKind.INDUSTRY_UNION
    response = Client().post("/accounts/login/", {"username": "199 0000 0001", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_seeding_twice_says_already_loaded_and_reset_loads_the_same_city_again():
    seed()
    counts = (Org.objects.count(), Workplace.objects.count(), Member.objects.count(), User.objects.count())
    indexes = set(Member.objects.values_list("id_number_index", flat=True))

    assert "already loaded" in seed()
    assert (
        Org.objects.count(),
        Workplace.objects.count(),
        Member.objects.count(),
        User.objects.count(),
    ) == counts

    assert "Removed the existing demo city" in seed("--reset")
    assert (
        Org.objects.count(),
        Workplace.objects.count(),
        Member.objects.count(),
        User.objects.count(),
    ) == counts
    assert set(Member.objects.values_list("id_number_index", flat=True)) == indexes
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_the_demo_tree_goes_after_trees_already_in_the_database():
    Org.objects.add_root(create_kwargs={"code": "other", "name": "其他总工会", "kind": OrgKind.FEDERATION,
                                        "level": FederationLevel.CITY})  # fmt: skip
    seed()
    assert Org.objects.filter(depth=1).count() == 2
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_the_same_seed_generates_the_same_city_and_another_seed_a_different_one():
    def fingerprint(seed: int) -> tuple[list[str], list[str], list[str]]:
        city = generate_city(SCALES["tiny"], seed)
        members = [member.id_number for lane in range(LANES) for member in lane_members(city, lane)]
        return [org.code for org in city.orgs], [w.credit_code for w in city.workplaces], members

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7)[1:] != fingerprint(8)[1:]


def member_indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'members_member'")
        return set(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")
@pytest.mark.postgres
def test_copy_with_worker_processes_loads_the_same_rows_as_bulk_create():
    indexes = member_indexes()
    city = generate_city(SCALES["tiny"], 11, root_step=next_root_step())
    load_demo(city, progress=Progress(lambda line: None), method="copy", workers=2)
    copied = set(Member.objects.values_list("id_number_index", "mobile_index", "org__code"))
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert member_indexes() == indexes

    reset_demo()
    city = generate_city(SCALES["tiny"], 11, root_step=next_root_step())
    load_demo(city, progress=Progress(lambda line: None), method="bulk_create")

    assert set(Member.objects.values_list("id_number_index", "mobile_index", "org__code")) == copied
