"""Annual pledges (十件实事), the console pages: the list by year in the officer's scope (and the
pledges their union is responsible for), authoring, reporting progress, the actions, and every
refusal shown on the page with nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.tests.factories import make_pledge, make_pledge_update
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def url(name: str, *args: object) -> str:
    return reverse(f"console:benefits:{name}", args=args)


def html_of(response) -> str:
    return response.content.decode()


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def form(**fields: str) -> dict[str, str]:
    return {
        "year": str(YEAR),
        "number": "1",
        "title": "新建户外劳动者服务站点",
        "target_value": "120",
        "unit": "个",
        "owner": "",
        "description": "",
        **fields,
    }


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_years_pledges_in_scope(tree, east_client):
    mine = make_pledge(tree.east, title="组织职工疗休养")
    last_year = make_pledge(tree.east, year=YEAR - 1, title="去年的实事")
    theirs = make_pledge(tree.west, title="西区的实事")

    response = east_client.get(url("pledge_list"))
    assert response.status_code == 200
    html = html_of(response)
    assert f'data-row-id="{mine.pk}"' in html
    assert f'data-row-id="{last_year.pk}"' not in html
    assert f'data-row-id="{theirs.pk}"' not in html
    assert f'<option value="{YEAR - 1}"' in html  # the year selector offers the years in scope
    assert_csp_clean(html)

    html = html_of(east_client.get(url("pledge_list"), {"year": YEAR - 1}))
    assert f'data-row-id="{last_year.pk}"' in html
    assert f'data-row-id="{mine.pk}"' not in html


def test_a_bad_year_shows_the_current_year(tree, east_client):
    mine = make_pledge(tree.east)
    for year in ("abc", "1800", "99999999999999999999"):
        response = east_client.get(url("pledge_list"), {"year": year})
        assert response.status_code == 200
        assert f'data-row-id="{mine.pk}"' in html_of(response)


def test_the_responsible_union_sees_the_pledge_it_delivers(tree):
    delivered = make_pledge(tree.east, owner_org=tree.acme)
    other = make_pledge(tree.east)
    acme = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    html = html_of(acme.get(url("pledge_list")))
    assert f'data-row-id="{delivered.pk}"' in html
    assert f'data-row-id="{other.pk}"' not in html
    assert acme.get(url("pledge_detail", other.pk)).status_code == 404


def test_the_list_takes_a_bounded_number_of_queries(tree, east_client, django_assert_max_num_queries):
    for number in range(1, 4):
        make_pledge(tree.east, number=number)
    east_client.get(url("pledge_list"))
    with django_assert_max_num_queries(20) as few:
        east_client.get(url("pledge_list"))
    for number in range(4, 30):
        make_pledge(tree.east, number=number, owner_org=tree.acme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        east_client.get(url("pledge_list"))


# --- authoring -----------------------------------------------------------------------------------


def test_a_new_pledge_is_saved_unpublished(tree, east_client):
    response = east_client.get(url("pledge_new"))
    assert response.status_code == 200
    assert_csp_clean(html_of(response))

    response = east_client.post(url("pledge_new"), {"org": tree.east.pk, **form(owner="E-T-A")})
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("pledge_detail", pledge.pk)
    assert pledge.owner_org == tree.acme
    assert not pledge.is_published
    assert AuditEvent.objects.filter(action="benefits.create_pledge").count() == 1


def test_the_new_form_refuses_with_messages_and_writes_nothing(tree, east_client):
    make_pledge(tree.east, number=1, title="已有的实事")
    response = east_client.post(url("pledge_new"), {"org": tree.east.pk, **form(number="1")})
    assert response.status_code == 422
    assert "已有的实事" in html_of(response)
    assert "请换一个序号" in html_of(response)  # in Chinese

    response = east_client.post(
        url("pledge_new"), {"org": tree.east.pk, **form(number="2", target_value="-3", unit="")}
    )
    assert response.status_code == 422
    html = html_of(response)
    assert html.count('class="errorlist') >= 2

    response = east_client.post(url("pledge_new"), {"org": tree.east.pk, **form(number="2", owner="W-G")})
    assert response.status_code == 422
    response = east_client.post(url("pledge_new"), {"org": tree.east.pk, **form(number="2", owner="NOPE")})
    assert response.status_code == 422
    response = east_client.post(url("pledge_new"), {"org": tree.west.pk, **form(number="2")})
    assert response.status_code == 422  # not among the federations offered
    response = east_client.post(url("pledge_new"), {"org": tree.acme.pk, **form(number="2")})
    assert response.status_code == 422  # not a federation
    assert Pledge.objects.count() == 1


def test_officers_who_keep_no_list_get_no_new_page(tree):
    acme = client_for(officer_at(tree.acme, "acme.auditor", Role.AUDITOR))
    assert acme.get(url("pledge_new")).status_code == 404


def test_edit_saves_changes(tree, east_client):
    pledge = make_pledge(tree.east, number=4)
    response = east_client.get(url("pledge_edit", pledge.pk))
    assert response.status_code == 200
    assert 'value="120"' in html_of(response)
    response = east_client.post(url("pledge_edit", pledge.pk), form(number="4", target_value="150"))
    assert response.status_code == 302
    assert Pledge.objects.get().target_value == Decimal("150.00")

    response = east_client.post(url("pledge_edit", pledge.pk), form(number="4", title=""))
    assert response.status_code == 422
    assert Pledge.objects.get().title == "新建户外劳动者服务站点"


def test_the_responsible_union_cannot_edit(tree):
    pledge = make_pledge(tree.east, owner_org=tree.acme)
    acme = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    assert acme.get(url("pledge_edit", pledge.pk)).status_code == 404
    assert acme.post(url("pledge_edit", pledge.pk), form(title="改")).status_code == 404
    assert Pledge.objects.get().title == pledge.title


# --- one pledge and its progress ------------------------------------------------------------------


def test_detail_shows_the_history_and_takes_a_report(tree, east_client):
    pledge = make_pledge(tree.east)
    make_pledge_update(pledge, "30", reported_on=TODAY, note="首批站点建成")
    response = east_client.get(url("pledge_detail", pledge.pk))
    html = html_of(response)
    assert response.status_code == 200
    assert "首批站点建成" in html
    assert '<progress class="pledge-bar" value="30" max="120"' in html
    assert_csp_clean(html)

    response = east_client.post(
        url("pledge_detail", pledge.pk), {"reported_on": TODAY.isoformat(), "value": "45", "note": "新增15个"}
    )
    assert response.status_code == 302
    assert Pledge.objects.get().progress_value == 45


def test_a_bad_report_is_shown_and_nothing_is_written(tree, east_client):
    pledge = make_pledge(tree.east)
    make_pledge_update(pledge, "30")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for body in (
        {"reported_on": tomorrow, "value": "40", "note": ""},
        {"reported_on": TODAY.isoformat(), "value": "20", "note": ""},  # lower: a correction needs a note
        {"reported_on": TODAY.isoformat(), "value": "abc", "note": ""},
        {"reported_on": "not a date", "value": "40", "note": ""},
    ):
        response = east_client.post(url("pledge_detail", pledge.pk), body)
        assert response.status_code == 422, body
        assert 'class="form-errors"' in html_of(response)
    assert PledgeUpdate.objects.count() == 1
    assert Pledge.objects.get().progress_value == 30


def test_the_responsible_union_reports_in_the_console(tree):
    pledge = make_pledge(tree.east, owner_org=tree.acme)
    acme = client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    html = html_of(acme.get(url("pledge_detail", pledge.pk)))
    assert url("pledge_edit", pledge.pk) not in html
    assert url("pledge_publish", pledge.pk) not in html
    response = acme.post(url("pledge_detail", pledge.pk), {"reported_on": TODAY.isoformat(), "value": "12"})
    assert response.status_code == 302
    assert Pledge.objects.get().progress_value == 12


def test_a_viewer_cannot_report(tree):
    pledge = make_pledge(tree.east)
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    html = html_of(auditor.get(url("pledge_detail", pledge.pk)))
    assert 'name="value"' not in html
    response = auditor.post(url("pledge_detail", pledge.pk), {"reported_on": TODAY.isoformat(), "value": "1"})
    assert response.status_code == 403
    assert not PledgeUpdate.objects.exists()


# --- actions --------------------------------------------------------------------------------------


def test_publish_unpublish_and_delete(tree, east_client):
    pledge = make_pledge(tree.east)
    assert east_client.post(url("pledge_publish", pledge.pk)).status_code == 302
    assert Pledge.objects.get().is_published
    # A published pledge cannot be deleted: the page says why, nothing changes.
    response = east_client.post(url("pledge_delete", pledge.pk), follow=True)
    assert response.status_code == 200
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    assert "toast--error" in html_of(response)
    assert east_client.post(url("pledge_unpublish", pledge.pk)).status_code == 302
    assert not Pledge.objects.get().is_published
    response = east_client.post(url("pledge_delete", pledge.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(url("pledge_list"))
    assert not Pledge.objects.exists()


def test_the_actions_need_post(tree, east_client):
    pledge = make_pledge(tree.east)
    for name in ("pledge_publish", "pledge_unpublish", "pledge_delete"):
        assert east_client.get(url(name, pledge.pk)).status_code == 405
    assert Pledge.objects.filter(pk=pledge.pk, is_published=False).exists()


def test_a_viewer_is_refused_the_actions(tree):
    pledge = make_pledge(tree.east)
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    for name in ("pledge_publish", "pledge_delete"):
        assert auditor.post(url(name, pledge.pk)).status_code == 302  # back to the page, with the refusal
    assert Pledge.objects.filter(pk=pledge.pk, is_published=False).exists()
    assert not AuditEvent.objects.exists()


def test_withdrawing_a_report(tree, east_client):
    pledge = make_pledge(tree.east)
    first = make_pledge_update(
        pledge, "30", reported_on=TODAY - timedelta(days=1) if TODAY.day > 1 else TODAY
    )
    second = make_pledge_update(pledge, "50")
    response = east_client.post(url("pledge_update_delete", pledge.pk, second.pk))
    assert response.status_code == 302
    assert list(PledgeUpdate.objects.values_list("pk", flat=True)) == [first.pk]
    assert Pledge.objects.get().progress_value == 30
    other = make_pledge(tree.east)
    assert east_client.post(url("pledge_update_delete", other.pk, first.pk)).status_code == 404
    assert PledgeUpdate.objects.count() == 1


def test_the_tabs_link_the_pledges(tree, east_client):
    html = html_of(east_client.get(url("merchant_list")))
    assert f'href="{url("pledge_list")}"' in html


def test_anonymous_visitors_are_sent_to_sign_in(tree):
    response = Client().get(url("pledge_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
