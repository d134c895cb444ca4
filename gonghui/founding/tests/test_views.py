"""Console pages of founding unions: what an officer sees and does (in Chinese)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.founding.models import ApplicationStatus, FoundingApplication, FoundingNotice, NoticeStatus
from gonghui.founding.tests.factories import add_workplace, issue, make_city, officer_at, submit
from gonghui.orgs.models import Industry, Org, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return make_city()


@pytest.fixture
def admin(city):
    return officer_at(city.district, "district.admin")


def client_for(user) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def browser(admin):
    return client_for(admin)


def html(response) -> str:
    return str(response.content.decode())


# --- workplaces without a union -----------------------------------------------------------------


def test_the_list_shows_workplaces_without_a_union_from_the_threshold_up(city, browser):
    add_workplace(city.joint, "大厂", employees=300)
    add_workplace(city.joint, "小店", employees=12)
    add_workplace(city.joint, "有工会的厂", employees=90, is_unionised=True, union=city.joint)
    add_workplace(city.west_town, "西江某厂", employees=200)

    page = html(browser.get("/console/founding/"))

    assert page.count("<h1") == 1
    assert "未建会单位" in page
    assert "大厂" in page
    assert "未建会单位，共 1 家" in page
    assert "小店" not in page
    assert "有工会的厂" not in page
    assert "西江某厂" not in page
    assert "本列表从职工 25 人起列出" in page


def test_filters_narrow_the_list_and_zero_employees_shows_every_size(city, browser):
    add_workplace(city.joint, "大厂", employees=300)
    add_workplace(city.joint, "小店", employees=12, industry=Industry.F)
    add_workplace(city.joint, "东区某厂", employees=50, district="东区")

    every_size = html(browser.get("/console/founding/", {"min_employees": 0}))
    assert {"大厂", "小店", "东区某厂"} <= set(re.findall(r"大厂|小店|东区某厂", every_size))
    retail = html(browser.get("/console/founding/", {"min_employees": 0, "industry": "F"}))
    assert "小店" in retail
    assert "大厂" not in retail
    east = html(browser.get("/console/founding/", {"district": "东区"}))
    assert "东区某厂" in east
    assert "大厂" not in east
    searched = html(browser.get("/console/founding/", {"q": "大"}))
    assert "大厂" in searched
    assert "东区某厂" not in searched


def test_an_invalid_filter_is_reported_and_not_applied(city, browser):
    add_workplace(city.joint, "大厂", employees=300)
    page = html(browser.get("/console/founding/", {"min_employees": "-3"}))
    assert "大厂" in page
    assert 'aria-invalid="true"' in page


def test_the_threshold_comes_from_the_settings(city, browser, settings):
    settings.FOUNDING_EMPLOYEE_THRESHOLD = 10
    add_workplace(city.joint, "小店", employees=12)
    assert "小店" in html(browser.get("/console/founding/"))


def test_the_list_shows_the_notice_and_the_application_of_each_workplace(city, admin, browser):
    noticed = add_workplace(city.joint, "已发告知书的厂")
    applied = add_workplace(city.joint, "已申请的厂")
    notice = issue(noticed, city.district, admin)
    submit(applied, city.town, admin)

    page = html(browser.get("/console/founding/"))

    assert notice.number in page
    assert "已发出" in page
    assert "已提交" in page
    assert "未发出" in page


def test_the_list_costs_the_same_number_of_queries_for_a_full_page(
    city, admin, browser, django_assert_max_num_queries
):
    for index in range(50):
        workplace = add_workplace(city.joint, f"第{index}厂", employees=30 + index)
        issue(workplace, city.district, admin)
        submit(workplace, city.town, admin)
    with django_assert_max_num_queries(
        9
    ):  # session, user, device, grants, districts, count, rows, 2 × status
        response = browser.get("/console/founding/")
    assert html(response).count("建告〔") == 50


# --- founding notices ---------------------------------------------------------------------------


def test_an_officer_issues_a_notice_downloads_it_and_records_its_delivery(city, browser):
    workplace = add_workplace(city.joint, "明州甲机械有限公司", employees=120)
    form = html(browser.get(f"/console/founding/workplaces/{workplace.pk}/notice/"))
    assert "发出建会告知书" in form
    assert "《中华人民共和国工会法》第十一条" in form
    assert "明州区总工会" in form  # the default issuer

    deadline = timezone.localdate() + timedelta(days=20)
    response = browser.post(
        f"/console/founding/workplaces/{workplace.pk}/notice/",
        {
            "issuing_org": city.district.pk,
            "response_deadline": deadline.isoformat(),
            "contact_name": "王芳",
            "contact_phone": "0574-87650001",
        },
    )
    notice = FoundingNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/founding/notices/{notice.pk}/"
    detail = html(browser.get(response["Location"]))
    assert f"已发出建会告知书 {notice.number}" in detail
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in detail
    assert "登记送达" in detail

    pdf = browser.get(f"/console/founding/notices/{notice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF-")

    delivered = browser.post(
        f"/console/founding/notices/{notice.pk}/delivery/",
        {
            "delivered_on": timezone.localdate().isoformat(),
            "delivery_method": "registered_mail",
            "recipient_name": "赵六",
        },
    )
    assert delivered.status_code == 302
    after = html(browser.get(delivered["Location"]))
    assert "已登记送达。" in after
    assert "挂号邮寄" in after
    assert FoundingNotice.objects.get().status == NoticeStatus.DELIVERED


def test_a_notice_form_with_a_past_deadline_is_shown_again_with_the_error(city, browser):
    workplace = add_workplace(city.joint, "甲公司")
    response = browser.post(
        f"/console/founding/workplaces/{workplace.pk}/notice/",
        {
            "issuing_org": city.district.pk,
            "response_deadline": timezone.localdate().isoformat(),
            "contact_name": "王芳",
            "contact_phone": "0574-87650001",
        },
    )
    assert response.status_code == 200
    assert "请填写今天以后的日期。" in html(response)
    assert not FoundingNotice.objects.exists()


def test_the_notice_list_shows_notices_newest_first(city, admin, browser, django_assert_max_num_queries):
    notices = [issue(add_workplace(city.joint, f"第{i}公司"), city.district, admin) for i in range(30)]
    with django_assert_max_num_queries(6):
        page = html(browser.get("/console/founding/notices/"))
    assert page.count("建告〔") == 30
    assert page.index(notices[-1].number) < page.index(notices[0].number)


def test_a_read_only_auditor_sees_the_notice_but_no_delivery_form(city, admin):
    notice = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    page = html(
        client_for(officer_at(city.district, "auditor", Role.AUDITOR)).get(
            f"/console/founding/notices/{notice.pk}/"
        )
    )
    assert notice.number in page
    assert "尚未登记送达。" in page
    assert "delivered_on" not in page


# --- founding applications ----------------------------------------------------------------------


def test_a_township_officer_enters_an_application_and_takes_it_to_a_new_union(city):
    town_officer = officer_at(city.town, "town.officer", Role.UNION_OFFICER)
    browser = client_for(town_officer)
    workplace = add_workplace(city.joint, "明州甲机械有限公司", employees=80)

    form = html(browser.get(f"/console/founding/workplaces/{workplace.pk}/application/"))
    assert "明州甲机械有限公司工会委员会" in form  # the proposed name
    response = browser.post(
        f"/console/founding/workplaces/{workplace.pk}/application/",
        {
            "union_name": "明州甲机械有限公司工会委员会",
            "union_kind": "grassroots",
            "area": "",
            "parent": city.town.pk,
            "initiated_by": "workplace",
            "employee_count": 80,
            "members_expected": 60,
            "contact_name": "李明",
            "contact_phone": "138 0574 0001",
            "preparatory_note": "筹备组三人",
        },
    )
    application = FoundingApplication.objects.get()
    assert response["Location"] == f"/console/founding/applications/{application.pk}/"
    detail = html(browser.get(response["Location"]))
    assert "建会申请已提交。" in detail
    assert "开始审核" in detail

    transition = f"/console/founding/applications/{application.pk}/transition/"
    for action in ("review", "approve", "create_union"):
        assert browser.post(transition, {"action": action}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNION_CREATED
    final = html(browser.get(f"/console/founding/applications/{application.pk}/"))
    assert "已办理，申请当前为“已建会”。" in final
    assert "本申请已办结。" in final
    assert final.count("<tr>") == 5  # header and four history rows


def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(city, admin, browser):
    application = submit(add_workplace(city.joint, "甲公司"), city.town, admin)
    FoundingApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.UNDER_REVIEW)

    response = browser.post(
        f"/console/founding/applications/{application.pk}/transition/", {"action": "reject", "reason": ""}
    )

    assert response.status_code == 200
    assert "此项为必填项。" in html(response)
    assert FoundingApplication.objects.get().status == ApplicationStatus.UNDER_REVIEW


def test_an_officer_without_authority_sees_no_buttons_and_a_forged_post_is_refused(city, admin):
    application = submit(add_workplace(city.joint, "甲公司"), city.joint, admin)
    joint_officer = client_for(officer_at(city.joint, "joint.officer", Role.UNION_OFFICER))

    page = html(joint_officer.get(f"/console/founding/applications/{application.pk}/"))
    assert "等待东湖街道总工会办理" in page
    assert 'name="action"' not in page

    response = joint_officer.post(
        f"/console/founding/applications/{application.pk}/transition/", {"action": "review"}
    )
    assert response.status_code == 302
    assert "只有本申请的审批组织东湖街道总工会" in html(joint_officer.get(response["Location"]))
    assert FoundingApplication.objects.get().status == ApplicationStatus.SUBMITTED


def test_waiting_for_me_lists_only_what_the_officer_may_decide(city, admin, django_assert_max_num_queries):
    Org.objects.filter(pk=city.joint.pk).update(holds_founding_authority=True)
    submit(add_workplace(city.joint, "甲公司"), city.joint, admin, union_name="联合工会审批的申请")
    submit(add_workplace(city.joint, "乙公司"), city.town, admin, union_name="街道审批的申请")
    for index in range(20):
        submit(add_workplace(city.joint, f"第{index}公司"), city.joint, admin)
    joint_officer = client_for(officer_at(city.joint, "joint.officer", Role.UNION_OFFICER))

    with django_assert_max_num_queries(6):
        mine = html(joint_officer.get("/console/founding/applications/", {"mine": "on"}))
    assert "联合工会审批的申请" in mine
    assert "街道审批的申请" not in mine
    assert len(re.findall(r'<a href="/console/founding/applications/\d+/">', mine)) == 21
    everything = html(client_for(admin).get("/console/founding/applications/", {"status": "submitted"}))
    assert "联合工会审批的申请" in everything
    assert "街道审批的申请" in everything


# --- approval authority -------------------------------------------------------------------------


def test_a_federation_officer_delegates_and_withdraws_from_the_authority_page(city, browser):
    page = html(browser.get("/console/founding/authority/"))
    assert "东湖社区联合工会" in page
    assert "否，由总工会审批" in page

    response = browser.post(
        f"/console/founding/authority/{city.joint.pk}/", {"holds_founding_authority": "on"}
    )
    assert Org.objects.get(pk=city.joint.pk).holds_founding_authority
    assert "东湖社区联合工会现可审批其下的建会申请。" in html(browser.get(response["Location"]))

    browser.post(f"/console/founding/authority/{city.joint.pk}/", {})
    assert not Org.objects.get(pk=city.joint.pk).holds_founding_authority


def test_the_joint_unions_own_officer_does_not_get_the_toggle(city):
    own = client_for(officer_at(city.joint, "joint.admin"))
    assert f"/console/founding/authority/{city.joint.pk}/" not in html(
        own.get("/console/founding/authority/")
    )
    own.post(f"/console/founding/authority/{city.joint.pk}/", {"holds_founding_authority": "on"})
    assert not Org.objects.get(pk=city.joint.pk).holds_founding_authority


# --- the pages keep the house rules -------------------------------------------------------------


def test_founding_pages_have_no_inline_script_or_style_and_mark_the_sidebar(city, admin, browser):
    workplace = add_workplace(city.joint, "甲公司")
    notice = issue(workplace, city.district, admin)
    application = submit(workplace, city.town, admin)
    for url in (
        "/console/founding/",
        f"/console/founding/workplaces/{workplace.pk}/notice/",
        f"/console/founding/workplaces/{workplace.pk}/application/",
        "/console/founding/notices/",
        f"/console/founding/notices/{notice.pk}/",
        "/console/founding/applications/",
        f"/console/founding/applications/{application.pk}/",
        "/console/founding/authority/",
    ):
        page = html(browser.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert "<style" not in page, url
        assert not re.search(r"\sstyle=", page), url
        assert re.search(r'<a href="/console/founding/" aria-current="page">建会管理</a>', page), url
