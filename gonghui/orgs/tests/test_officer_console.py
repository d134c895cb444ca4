"""Console pages for officer terms: the list and its filters, terms ending soon, add / edit / end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import OfficerPosition, OfficerTerm, Role
from gonghui.orgs.tests.factories import make_term, officer_at, today

pytestmark = pytest.mark.django_db

LIST = "/console/orgs/officers/"
ENDING = "/console/orgs/officers/ending/"


def html(response) -> str:
    return response.content.decode()


def listed(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-officer-term="(\d+)"', html(response))}


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_officers_in_office_in_the_officers_area_in_committee_order(east_client, tree):
    member = make_term(tree.acme, "委员甲", OfficerPosition.COMMITTEE_MEMBER)
    chair = make_term(tree.acme, "王建国", OfficerPosition.CHAIR)
    vice = make_term(tree.acme, "孙丽", OfficerPosition.VICE_CHAIR_FULL_TIME)
    elsewhere = make_term(tree.gamma, "西区主席")
    ended = make_term(tree.beta, "已离任", ended_on=today() - timedelta(days=1))

    response = east_client.get(LIST)

    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "工会干部" in page
    ids = re.findall(r'data-officer-term="(\d+)"', page)
    assert ids == [str(chair.pk), str(vice.pk), str(member.pk)]
    assert elsewhere.pk not in listed(response)
    assert ended.pk not in listed(response)
    assert "主席" in page
    assert "专职副主席" in page
    assert f"{chair.term_end.year}年{chair.term_end.month}月{chair.term_end.day}日" in page
    assert f'href="{reverse("console:orgs:officer_edit", args=[chair.pk])}"' in page


def test_the_org_filter_shows_one_unions_committee_and_links_to_adding_and_roles(east_client, tree):
    own = make_term(tree.acme, "王建国")
    other = make_term(tree.beta, "李四")

    response = east_client.get(LIST, {"org": tree.acme.pk})

    assert listed(response) == {own.pk}
    assert other.pk not in listed(response)
    page = html(response)
    assert "东区甲公司工会的工会干部" in page
    assert f"{reverse('console:orgs:officer_create')}?org={tree.acme.pk}" in page
    assert reverse("console:orgs:roles", args=[tree.acme.pk]) in page


def test_the_org_filter_for_a_union_outside_the_area_answers_not_found(east_client, tree):
    assert east_client.get(LIST, {"org": tree.gamma.pk}).status_code == 404


def test_filters_by_position_name_and_status(east_client, tree):
    chair = make_term(tree.acme, "王建国", OfficerPosition.CHAIR)
    vice = make_term(tree.acme, "王小明", OfficerPosition.VICE_CHAIR_PART_TIME)
    upcoming = make_term(
        tree.beta, "未上任", start=today() + timedelta(days=5), end=today() + timedelta(days=900)
    )
    overdue = make_term(tree.beta, "超期", end=today() - timedelta(days=2))
    ended = make_term(tree.beta, "离任", ended_on=today() - timedelta(days=2))

    assert listed(east_client.get(LIST, {"position": OfficerPosition.CHAIR})) == {chair.pk}
    assert listed(east_client.get(LIST, {"q": "小明"})) == {vice.pk}
    assert listed(east_client.get(LIST, {"state": "upcoming"})) == {upcoming.pk}
    assert listed(east_client.get(LIST, {"state": "overdue"})) == {overdue.pk}
    assert listed(east_client.get(LIST, {"state": "ended"})) == {ended.pk}
    assert listed(east_client.get(LIST, {"state": "all"})) == {
        chair.pk,
        vice.pk,
        upcoming.pk,
        overdue.pk,
        ended.pk,
    }
    # A filter value that makes no sense is ignored, not an error.
    assert listed(east_client.get(LIST, {"position": "treasurer", "org": "x"})) == {chair.pk, vice.pk}


def test_a_read_only_auditor_sees_the_list_without_edit_links(client, tree):
    term = make_term(tree.acme)
    sign_in_verified(client, officer_at(tree.east, "east.auditor", Role.AUDITOR))
    response = client.get(LIST)
    assert listed(response) == {term.pk}
    assert reverse("console:orgs:officer_edit", args=[term.pk]) not in html(response)


def test_the_list_is_paged_with_a_bounded_number_of_queries(east_client, tree, django_assert_max_num_queries):
    OfficerTerm.objects.bulk_create(
        OfficerTerm(
            org=org,
            name=f"委员{i:02d}",
            position=OfficerPosition.COMMITTEE_MEMBER,
            term_start=today() - timedelta(days=10),
            term_end=today() + timedelta(days=900),
        )
        for i, org in enumerate([tree.acme, tree.beta, tree.joint] * 20)
    )
    with django_assert_max_num_queries(12):
        response = east_client.get(LIST)
    assert len(listed(response)) == 50
    assert "第 1 页，共 2 页" in html(response)
    assert len(listed(east_client.get(LIST, {"page": 2}))) == 10


# --- ending soon ------------------------------------------------------------------------------


def test_terms_ending_within_90_days_are_listed_soonest_first_with_the_days_left(east_client, tree):
    last_day = make_term(tree.acme, "第九十天", days_left=90)
    today_ends = make_term(tree.beta, "今天到期", days_left=0)
    soon = make_term(tree.joint, "十天后", days_left=10)
    make_term(tree.acme, "第九十一天", OfficerPosition.VICE_CHAIR_FULL_TIME, days_left=91)
    make_term(tree.beta, "已离任", OfficerPosition.VICE_CHAIR_FULL_TIME, days_left=20, ended_on=today())
    make_term(tree.gamma, "西区", days_left=5)

    response = east_client.get(ENDING)

    assert response.status_code == 200
    page = html(response)
    ids = re.findall(r'data-officer-term="(\d+)"', page)
    assert ids == [str(today_ends.pk), str(soon.pk), str(last_day.pk)]
    assert re.findall(r'data-days-left="(\d+)"', page) == ["0", "10", "90"]
    assert "今天到期" in page
    assert "<strong>10</strong>" in page  # a month or less left stands out
    assert '<a href="?days=90" aria-current="page">未来 90 天</a>' in page


@pytest.mark.parametrize(
    ("days", "expected"), [("30", {"三十天"}), ("60", {"三十天", "六十天"}), ("45", None)]
)
def test_the_period_can_be_30_60_or_90_days(east_client, tree, days, expected):
    terms = {
        "三十天": make_term(tree.acme, "三十天", days_left=30),
        "六十天": make_term(tree.beta, "六十天", days_left=60),
        "九十天": make_term(tree.joint, "九十天", days_left=90),
    }
    expected = expected or set(terms)  # anything else falls back to 90 days
    response = east_client.get(ENDING, {"days": days})
    assert listed(response) == {terms[name].pk for name in expected}


def test_overdue_terms_are_counted_with_a_link_to_them(east_client, tree):
    make_term(tree.acme, "超期", end=today() - timedelta(days=3))
    page = html(east_client.get(ENDING))
    assert "任期已满但尚未登记换届的：1 个。" in page
    assert f'href="{LIST}?state=overdue"' in page


def test_the_ending_list_has_a_bounded_number_of_queries(east_client, tree, django_assert_max_num_queries):
    for i, org in enumerate([tree.acme, tree.beta, tree.joint, tree.town] * 5):
        make_term(org, f"干部{i}", OfficerPosition.COMMITTEE_MEMBER, days_left=i)
    with django_assert_max_num_queries(12):
        response = east_client.get(ENDING)
    assert len(listed(response)) == 20


# --- adding, changing, ending ------------------------------------------------------------------


def term_form(**changes) -> dict[str, str]:
    form = {
        "name": "吴敏",
        "position": OfficerPosition.CHAIR,
        "elected_on": (today() - timedelta(days=11)).isoformat(),
        "term_start": (today() - timedelta(days=10)).isoformat(),
        "term_end": (today() + timedelta(days=1800)).isoformat(),
        "contact_phone": "",
        "username": "",
    }
    return {**form, **changes}


def test_adding_an_officer_starts_with_finding_the_union(east_client, tree):
    response = east_client.get(reverse("console:orgs:officer_create"), {"q": "公司"})
    page = html(response)
    assert f'href="?org={tree.acme.pk}"' in page
    assert f'href="?org={tree.beta.pk}"' in page
    assert f'?org={tree.gamma.pk}"' not in page  # west is outside the area


def test_adding_an_officer_through_the_console(east_client, tree):
    url = f"{reverse('console:orgs:officer_create')}?org={tree.acme.pk}"
    assert "添加" in html(east_client.get(url))

    response = east_client.post(url, term_form())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('console:orgs:officers')}?org={tree.acme.pk}"
    term = OfficerTerm.objects.get()
    assert (term.org, term.name, term.position) == (tree.acme, "吴敏", OfficerPosition.CHAIR)
    assert "吴敏" in html(east_client.get(response["Location"]))


def test_a_second_chair_is_refused_on_the_form_with_the_chair_in_office_named(east_client, tree):
    make_term(tree.acme, "王建国", OfficerPosition.CHAIR)
    url = f"{reverse('console:orgs:officer_create')}?org={tree.acme.pk}"

    response = east_client.post(url, term_form())

    assert response.status_code == 200
    page = html(response)
    assert "已有主席" in page
    assert "王建国" in page
    assert OfficerTerm.objects.count() == 1


def test_form_errors_are_shown_in_chinese_next_to_the_fields(east_client, tree):
    url = f"{reverse('console:orgs:officer_create')}?org={tree.acme.pk}"
    response = east_client.post(url, term_form(term_end=(today() - timedelta(days=20)).isoformat()))
    assert "任期结束日期必须晚于开始日期" in html(response)
    assert not OfficerTerm.objects.exists()


def test_editing_a_term(east_client, tree):
    term = make_term(tree.acme, "王建国")
    url = reverse("console:orgs:officer_edit", args=[term.pk])
    page = html(east_client.get(url))
    assert 'value="王建国"' in page
    assert reverse("console:orgs:officer_end", args=[term.pk]) in page

    response = east_client.post(
        url,
        term_form(
            name="王建华",
            term_start=term.term_start.isoformat(),
            term_end=term.term_end.isoformat(),
            elected_on="",
        ),
    )

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.name == "王建华"


def test_ending_a_term_through_the_console(east_client, tree):
    term = make_term(tree.acme, "王建国")
    url = reverse("console:orgs:officer_end", args=[term.pk])
    assert "离任日期" in html(east_client.get(url))

    response = east_client.post(url, {"ended_on": today().isoformat(), "reason": "换届选举"})

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.ended_on == today()
    assert term.end_reason == "换届选举"
    assert AuditEvent.objects.filter(action="orgs.end_officer_term", object_id=str(term.pk)).exists()
    page = html(east_client.get(url))
    assert f"该干部已于 {today().year}年{today().month}月{today().day}日 离任。" in page
    assert 'name="reason"' not in page  # no second form for an ended term


def test_ending_in_the_future_is_refused_on_the_form(east_client, tree):
    term = make_term(tree.acme)
    url = reverse("console:orgs:officer_end", args=[term.pk])
    response = east_client.post(
        url, {"ended_on": (today() + timedelta(days=3)).isoformat(), "reason": "辞职"}
    )
    assert response.status_code == 200
    assert "form-errors" in html(response)
    term.refresh_from_db()
    assert term.ended_on is None


def test_pages_of_a_term_outside_the_area_answer_not_found(east_client, tree):
    term = make_term(tree.gamma)
    for name in ("console:orgs:officer_edit", "console:orgs:officer_end"):
        assert east_client.get(reverse(name, args=[term.pk])).status_code == 404
    assert east_client.get(f"{reverse('console:orgs:officer_create')}?org={tree.gamma.pk}").status_code == 404


def test_the_sidebar_links_to_the_officers(east_client):
    page = html(east_client.get(LIST))
    assert f'href="{reverse("console:orgs:officers")}" aria-current="page"' in page
