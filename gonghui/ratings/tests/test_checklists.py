"""Checklists: issued by federations, thresholds that rise, frozen once published, copied on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.http import Http404

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import FederationLevel, Org, OrgKind, Role
from gonghui.ratings import services
from gonghui.ratings.models import Checklist, ChecklistItem, ChecklistStatus, SixHaves
from gonghui.ratings.selectors import applicable_checklist
from gonghui.ratings.tests.factories import YEAR, default_checklist, make_tree, officer

pytestmark = pytest.mark.django_db

LEVELS = [60, 70, 80, 90, 95]


def _items(checklist: Checklist) -> list[dict[str, object]]:
    return [model_to_dict(item, exclude=["id", "checklist"]) for item in checklist.items.all()]


def test_a_federation_reviewer_creates_a_draft_checklist_from_the_default_items():
    tree = make_tree()
    reviewer = officer(tree.district)

    checklist = services.create_checklist(
        org=tree.district,
        year=YEAR,
        title="明州区活力工会评价标准",
        thresholds=LEVELS,
        actor=reviewer,
        default_items=True,
    )

    assert checklist.status == ChecklistStatus.DRAFT
    assert checklist.thresholds == (60, 70, 80, 90, 95)
    items = list(checklist.items.all())
    assert sum(item.max_score for item in items) == 100
    sections = Counter(item.section for item in items)
    assert set(sections) == set(SixHaves.values) - {SixHaves.OTHER}
    assert all(2 <= count <= 4 for count in sections.values())
    event = AuditEvent.objects.get(action="ratings.create_checklist")
    assert event.org_path == tree.district.path
    assert event.changes["star5_min"] == [None, 95]


def test_a_union_cannot_issue_a_checklist_and_nothing_is_created():
    tree = make_tree()
    own_admin = officer(tree.union)  # every permission, but on a grassroots union

    with pytest.raises(ValidationFailed) as refused:
        services.create_checklist(org=tree.union, year=YEAR, title="标准", thresholds=LEVELS, actor=own_admin)

    assert refused.value.fields == {"org": ["只有总工会才能发布星级评定标准。"]}
    assert not Checklist.objects.exists()


@pytest.mark.parametrize("role", [Role.UNION_OFFICER, Role.AUDITOR])
def test_an_officer_without_review_rights_at_the_federation_gets_not_found(role):
    tree = make_tree()
    with pytest.raises(Http404):
        services.create_checklist(
            org=tree.district, year=YEAR, title="标准", thresholds=LEVELS, actor=officer(tree.district, role)
        )
    assert not Checklist.objects.exists()


@pytest.mark.parametrize(
    ("thresholds", "field", "message"),
    [
        ([60, 60, 80, 90, 95], "star2_min", "须高于下一等级的最低分。"),
        ([60, 70, 80, 75, 95], "star4_min", "须高于下一等级的最低分。"),
        ([0, 70, 80, 90, 95], "star1_min", "请输入1至1000之间的分数。"),
        ([60, 70, 80, 90, 1001], "star5_min", "请输入1至1000之间的分数。"),
        ([60, 70, 80, 90], "thresholds", "请填写一星至五星各等级的最低分。"),
    ],
)
def test_star_minimums_must_rise_with_the_stars(thresholds, field, message):
    tree = make_tree()
    with pytest.raises(ValidationFailed) as refused:
        services.create_checklist(
            org=tree.district, year=YEAR, title="标准", thresholds=thresholds, actor=officer(tree.district)
        )
    assert refused.value.fields[field] == [message]
    assert not Checklist.objects.exists()


def test_the_database_refuses_star_minimums_that_do_not_rise():
    tree = make_tree()
    with pytest.raises(IntegrityError), transaction.atomic():
        Checklist.objects.create(issued_by=tree.city, year=YEAR, title="标准", star2_min=50)


def test_publishing_needs_items_and_a_five_star_minimum_the_items_can_reach():
    tree = make_tree()
    reviewer = officer(tree.district)
    checklist = services.create_checklist(
        org=tree.district, year=YEAR, title="标准", thresholds=LEVELS, actor=reviewer
    )

    with pytest.raises(ValidationFailed) as empty:
        services.publish_checklist(checklist, actor=reviewer)
    assert empty.value.message == "发布前请至少添加一项评价细则。"

    services.add_checklist_item(
        checklist, section=SixHaves.FUNDS, text="足额拨缴经费", max_score=90, order=1, actor=reviewer
    )
    with pytest.raises(ValidationFailed) as unreachable:
        services.publish_checklist(checklist, actor=reviewer)
    assert unreachable.value.fields == {"star5_min": ["五星最低分（95分）高于评定标准的总分（90分）。"]}
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.DRAFT

    services.add_checklist_item(
        checklist, section=SixHaves.OTHER, text="其他工作", max_score=10, order=2, actor=reviewer
    )
    services.publish_checklist(checklist, actor=reviewer)
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.PUBLISHED
    assert checklist.published_at is not None


def test_a_published_checklist_is_frozen():
    tree = make_tree()
    reviewer = officer(tree.city)
    checklist = default_checklist(tree.city)
    item = checklist.items.all()[0]
    before = (model_to_dict(checklist), _items(checklist))

    attempts: list[Callable[[], object]] = [
        lambda: services.update_checklist(checklist, title="改标题", thresholds=LEVELS, actor=reviewer),
        lambda: services.add_checklist_item(
            checklist, section=SixHaves.OTHER, text="新增", max_score=5, order=99, actor=reviewer
        ),
        lambda: services.update_checklist_item(
            item, section=SixHaves.OTHER, text="改", max_score=5, order=1, actor=reviewer
        ),
        lambda: services.remove_checklist_item(item, actor=reviewer),
        lambda: services.publish_checklist(checklist, actor=reviewer),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "checklist_published"
        assert refused.value.message == "已发布的评定标准不能修改。请复制为新年度的标准后再修改。"

    checklist.refresh_from_db()
    assert (model_to_dict(checklist), _items(checklist)) == before


def test_a_draft_checklist_item_can_be_changed_and_removed():
    tree = make_tree()
    reviewer = officer(tree.district)
    checklist = services.create_checklist(
        org=tree.district, year=YEAR, title="标准", thresholds=LEVELS, actor=reviewer
    )
    item = services.add_checklist_item(
        checklist, section=SixHaves.VENUE, text="建有职工之家", max_score=10, order=1, actor=reviewer
    )

    services.update_checklist_item(
        item, section=SixHaves.VENUE, text="建有职工书屋", max_score=8, order=2, actor=reviewer
    )
    item.refresh_from_db()
    assert (item.text, item.max_score, item.order) == ("建有职工书屋", 8, 2)

    services.remove_checklist_item(item, actor=reviewer)
    assert not ChecklistItem.objects.exists()
    assert AuditEvent.objects.filter(action="ratings.remove_checklist_item").count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"section": "canteen"}, "section"),
        ({"max_score": 0}, "max_score"),
        ({"max_score": 101}, "max_score"),
        ({"order": 1000}, "order"),
        ({"text": "   "}, "text"),
    ],
)
def test_an_invalid_item_is_refused(values, field):
    tree = make_tree()
    reviewer = officer(tree.district)
    checklist = services.create_checklist(
        org=tree.district, year=YEAR, title="标准", thresholds=LEVELS, actor=reviewer
    )
    data = {"section": SixHaves.VENUE, "text": "建有职工之家", "max_score": 10, "order": 1} | values
    with pytest.raises(ValidationFailed) as refused:
        services.add_checklist_item(checklist, actor=reviewer, **data)
    assert field in refused.value.fields
    assert not ChecklistItem.objects.exists()


def test_copy_makes_a_draft_for_another_year_with_the_same_items_and_levels():
    tree = make_tree()
    reviewer = officer(tree.city)
    published = default_checklist(tree.city)

    copy = services.copy_checklist(published, year=YEAR + 1, actor=reviewer)

    assert copy.status == ChecklistStatus.DRAFT
    assert copy.year == YEAR + 1
    assert copy.title == f"{YEAR + 1}年度活力基层工会“六有”评价标准"
    assert copy.thresholds == published.thresholds
    assert _items(copy) == _items(published)
    with pytest.raises(Conflict) as again:
        services.copy_checklist(published, year=YEAR + 1, actor=reviewer)
    assert again.value.message == f"该组织已有{YEAR + 1}年度的评定标准。"


def test_install_default_checklists_publishes_one_per_root_federation_once():
    tree = make_tree()
    other_root = Org.objects.add_root(
        create_kwargs={
            "code": "X",
            "name": "邻市总工会",
            "kind": OrgKind.FEDERATION,
            "level": FederationLevel.CITY,
        }
    )

    created = services.install_default_checklists(year=YEAR)

    assert {checklist.issued_by for checklist in created} == {tree.city, other_root}
    assert all(checklist.status == ChecklistStatus.PUBLISHED for checklist in created)
    assert all(checklist.thresholds == (60, 70, 80, 90, 95) for checklist in created)
    assert services.install_default_checklists(year=YEAR) == []
    assert Checklist.objects.count() == 2


def test_the_management_command_installs_the_default_checklist():
    make_tree()
    out = StringIO()
    call_command("install_default_checklist", "--year", str(YEAR), stdout=out)
    assert f"Published “{YEAR}年度活力基层工会“六有”评价标准” for 示范市总工会." in out.getvalue()
    out = StringIO()
    call_command("install_default_checklist", "--year", str(YEAR), stdout=out)
    assert "already has a checklist" in out.getvalue()


def test_a_union_is_assessed_against_the_nearest_published_checklist_above_it():
    tree = make_tree()
    city_checklist = default_checklist(tree.city)
    district_checklist = default_checklist(tree.district)
    draft = services.create_checklist(
        org=tree.township, year=YEAR, title="街道草稿", thresholds=LEVELS, actor=officer(tree.township)
    )

    assert applicable_checklist(tree.union, YEAR) == district_checklist  # the township's is a draft
    assert applicable_checklist(tree.other_union, YEAR) == city_checklist
    assert applicable_checklist(tree.union, YEAR + 1) is None
    assert draft.pk not in {city_checklist.pk, district_checklist.pk}
