"""Online joining in the officers' console: the queue, the overdue list for the orgs above, one
application with its approve and reject forms, and the joining routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.core.sms import outbox_messages
from gonghui.members.models import GigOccupation, JoinApplication, JoinRoute, JoinStatus, Member
from gonghui.members.tests.factories import make_join_application
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import Tree, client_for, officer_at

pytestmark = pytest.mark.django_db

QUEUE = "/console/members/join/"
OVERDUE = "/console/members/join/overdue/"
ROUTES = "/console/members/join-routes/"


def page(response: Any) -> str:
    return response.content.decode()


def opened_days_ago(org: Org, days: int, **fields: Any) -> JoinApplication:
    application = make_join_application(org, **fields)
    JoinApplication.objects.filter(pk=application.pk).update(created_at=timezone.now() - timedelta(days=days))
    return application


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_lists_open_applications_in_scope_oldest_first_and_masked(
    east_client: Client, tree: Tree
) -> None:
    newer = opened_days_ago(tree.acme, 1, name="张骑手")
    older = opened_days_ago(tree.joint, 3, name="李快递")
    opened_days_ago(tree.gamma, 2, name="王西区")  # another district
    make_join_application(tree.beta, status=JoinStatus.REJECTED)

    text = page(east_client.get(QUEUE))

    assert "入会申请，共 2 份" in text
    assert text.index(f'data-row-id="{older.pk}"') < text.index(f'data-row-id="{newer.pk}"')
    assert "张**" in text
    assert "张骑手" not in text
    assert older.id_number not in text
    assert older.masked_id_number in text
    assert "王**" not in text


def test_the_queue_filters_by_status_and_org_code(east_client: Client, tree: Tree) -> None:
    at_acme = make_join_application(tree.acme)
    at_joint = make_join_application(tree.joint)
    rejected = make_join_application(tree.beta, status=JoinStatus.REJECTED)

    by_org = page(east_client.get(QUEUE, {"org": "E-T-A"}))
    assert f'data-row-id="{at_acme.pk}"' in by_org
    assert f'data-row-id="{at_joint.pk}"' not in by_org
    every = page(east_client.get(QUEUE, {"status": "all"}))
    assert f'data-row-id="{rejected.pk}"' in every
    outside = page(east_client.get(QUEUE, {"org": "W-G"}))
    assert "您的范围内没有这个编码的组织。" in outside
    assert f'data-row-id="{at_acme.pk}"' not in outside
    assert east_client.get(QUEUE, {"status": "nonsense", "page": "x"}).status_code == 200


def test_the_queue_runs_a_fixed_number_of_queries(
    east_client: Client, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert east_client.get(QUEUE).status_code == 200
        return len(captured.captured_queries)

    for _ in range(3):
        make_join_application(tree.acme, workplace=None)
    few = queries_for_queue()
    for org in (tree.joint, tree.beta) * 10:
        make_join_application(org)
    assert queries_for_queue() == few
    with django_assert_max_num_queries(20):
        east_client.get(QUEUE)


# --- the overdue list ---------------------------------------------------------------------------


def test_the_overdue_list_shows_the_superior_org_and_only_what_is_in_scope(tree: Tree) -> None:
    late = opened_days_ago(tree.acme, 16)
    recent = opened_days_ago(tree.acme, 10)
    west_late = opened_days_ago(tree.gamma, 40)

    east = page(client_for(officer_at(tree.east, "east.admin")).get(OVERDUE))
    assert f'data-row-id="{late.pk}"' in east
    assert f'data-row-id="{recent.pk}"' not in east
    assert f'data-row-id="{west_late.pk}"' not in east
    assert "东湖街道总工会" in east  # the org above 东区甲公司工会
    assert "超过 15 天未审批的申请，共 1 份" in east

    west = page(client_for(officer_at(tree.west, "west.admin")).get(OVERDUE))
    assert f'data-row-id="{west_late.pk}"' in west
    assert f'data-row-id="{late.pk}"' not in west
    city = page(client_for(officer_at(tree.city, "city.admin")).get(QUEUE))
    assert '<span class="badge join-overdue-badge">2</span>' in city


# --- one application: approve and reject -------------------------------------------------------


def test_an_officer_approves_and_the_applicant_becomes_a_member(
    east_client: Client, tree: Tree, django_capture_on_commit_callbacks: Any
) -> None:
    application = make_join_application(tree.joint, name="张骑手", mobile="13700001111")
    detail = page(east_client.get(f"{QUEUE}{application.pk}/"))
    assert "张**的入会申请" in detail
    assert 'id="join-approve-form"' in detail

    with_comment = {"org": "", "workplace": "", "comment": "欢迎"}
    with django_capture_on_commit_callbacks(execute=True):
        response = east_client.post(f"{QUEUE}{application.pk}/approve/", with_comment, follow=True)

    assert "已批准：申请人已成为会员，并已收到短信通知。" in page(response)
    member = Member.objects.get()
    assert member.org == tree.joint
    assert member.gig_occupation == GigOccupation.DELIVERY_RIDER
    application.refresh_from_db()
    assert application.status == JoinStatus.APPROVED
    assert "欢迎！您加入东湖社区联合工会的申请已通过" in outbox_messages("13700001111")[0]
    again = east_client.post(f"{QUEUE}{application.pk}/approve/", with_comment, follow=True)
    assert Member.objects.count() == 1
    assert "当前状态为“已批准”，不能执行“批准”。" in page(again)


def test_an_application_to_a_federation_needs_the_union_it_joins(east_client: Client, tree: Tree) -> None:
    application = make_join_application(tree.town)
    detail = page(east_client.get(f"{QUEUE}{application.pk}/"))
    assert "该组织本身不直接管理会员" in detail
    assert '<option value="E-T-J">' in detail  # a suggestion under 东湖街道总工会

    missing = east_client.post(f"{QUEUE}{application.pk}/approve/", {"org": ""})
    assert missing.status_code == 422
    assert "请选择申请人加入的下属工会" in page(missing)
    outside = east_client.post(f"{QUEUE}{application.pk}/approve/", {"org": "W-G"})
    assert "您的管辖范围内没有该代码的工会。" in page(outside)
    elsewhere = east_client.post(f"{QUEUE}{application.pk}/approve/", {"org": "E-B"})
    assert "请选择您管辖范围内、东湖街道总工会下属的工会。" in page(elsewhere)
    assert not Member.objects.exists()

    east_client.post(f"{QUEUE}{application.pk}/approve/", {"org": "E-T-J"})
    assert Member.objects.get().org == tree.joint


def test_rejection_needs_a_reason(
    east_client: Client, tree: Tree, django_capture_on_commit_callbacks: Any
) -> None:
    application = make_join_application(tree.acme, mobile="13700001111")

    empty = east_client.post(f"{QUEUE}{application.pk}/reject/", {"reason": "  "})
    assert empty.status_code == 422
    assert "请填写驳回理由：申请人会收到该理由。" in page(empty)
    application.refresh_from_db()
    assert application.status == JoinStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        done = east_client.post(f"{QUEUE}{application.pk}/reject/", {"reason": "不在本单位工作"}, follow=True)
    assert "已驳回：已将驳回理由短信通知申请人。" in page(done)
    application.refresh_from_db()
    assert (application.status, application.reject_reason) == (JoinStatus.REJECTED, "不在本单位工作")
    assert "理由：不在本单位工作" in outbox_messages("13700001111")[0]


def test_a_viewer_without_change_rights_follows_but_cannot_decide(tree: Tree) -> None:
    application = make_join_application(tree.acme)
    auditor = client_for(officer_at(tree.east, "east.auditor", "auditor"))
    detail = page(auditor.get(f"{QUEUE}{application.pk}/"))
    assert 'id="join-approve-form"' not in detail
    assert "您可以查看此申请，但不能审批" in detail
    response = auditor.post(f"{QUEUE}{application.pk}/approve/", {}, follow=True)
    assert "只有东区甲公司工会或其上级组织的工作人员才能审批此申请" in page(response)
    assert not Member.objects.exists()


def test_an_unknown_application_is_404(east_client: Client) -> None:
    assert east_client.get(f"{QUEUE}999999/").status_code == 404
    assert east_client.post(f"{QUEUE}999999/reject/", {"reason": "x"}).status_code == 404


# --- joining routes -----------------------------------------------------------------------------


def test_a_federation_officer_adds_a_route_and_takes_it_out_of_use(east_client: Client, tree: Tree) -> None:
    data = {"org": "E-T-J", "district": "东区", "township": "东湖街道", "occupation": ""}
    response = east_client.post(f"{ROUTES}new/", data, follow=True)
    assert "已新增路由：东区 / 东湖街道 → 东湖社区联合工会。" in page(response)
    route = JoinRoute.objects.get()

    duplicate = east_client.post(f"{ROUTES}new/", data)
    assert duplicate.status_code == 422
    assert "东区 / 东湖街道已有在用的入会路由，请先停用它。" in page(duplicate)
    outside = east_client.post(f"{ROUTES}new/", {**data, "org": "W-G"})
    assert "您的范围内没有这个编码的组织。" in page(outside)
    bad = east_client.post(f"{ROUTES}new/", {**data, "district": "", "occupation": "astronaut"})
    assert "请填写区县。" in page(bad)
    assert JoinRoute.objects.count() == 1

    response = east_client.post(f"{ROUTES}{route.pk}/deactivate/", follow=True)
    assert "路由 东区 / 东湖街道 已停用。" in page(response)
    route.refresh_from_db()
    assert not route.is_active
    again = east_client.post(f"{ROUTES}{route.pk}/deactivate/", follow=True)
    assert "该入会路由已停用。" in page(again)
    assert "同时显示已停用的路由" in page(east_client.get(ROUTES))
    assert f'data-row-id="{route.pk}"' in page(east_client.get(ROUTES, {"all": "1"}))
