"""Campaign authoring: every validation rule, every transition, the published-edit rules, the
stock raise under F(), shipping, and scoping to the organiser's subtree."""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone
from PIL import Image

from gonghui.benefits.models import (
    CAMPAIGN_TRANSITIONS,
    Campaign,
    CampaignAction,
    CampaignHistory,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Delivery,
    MerchantStatus,
)
from gonghui.benefits.services import campaigns as services
from gonghui.benefits.services.campaigns import CampaignData, ItemData
from gonghui.benefits.tests.factories import make_campaign, make_claim, make_merchant
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db


def data(merchant_ids: list[int], **changes: Any) -> CampaignData:
    start = timezone.now() + timedelta(days=1)
    values: dict[str, Any] = {
        "title": "周五福利：1 元观影",
        "description": "每周五上午十点开抢",
        "mode": CampaignMode.FIRST_COME,
        "delivery": Delivery.VOUCHER,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "budget": Decimal("1000.00"),
        "items": [ItemData(name="电影票", unit_cost=Decimal("35.00"), stock=20)],
        "voucher_expires_at": start + timedelta(days=30),
        "merchants": merchant_ids,
        **changes,
    }
    return CampaignData(**values)


@pytest.fixture
def merchant(tree: Tree) -> Any:
    return make_merchant(tree.east)


@pytest.fixture
def base(merchant: Any) -> CampaignData:
    return data([merchant.pk])


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return exc.value.fields


def png(size: tuple[int, int] = (8, 8), kind: str = "PNG") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "red").save(output, kind)
    return output.getvalue()


# --- creating ------------------------------------------------------------------------------


def test_create_campaign_makes_a_draft_with_items_history_and_audit(
    tree: Tree, east_admin: Any, base: Any
) -> None:
    campaign = services.create_campaign(tree.east, actor=east_admin, data=base)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.eligible_org == tree.east
    assert campaign.created_by == east_admin
    assert campaign.seed == ""
    item = campaign.items.get()
    assert (item.name, item.unit_cost, item.stock, item.remaining) == ("电影票", Decimal("35.00"), 20, 20)
    assert list(campaign.merchants.all()) == [base.merchants and campaign.merchants.get()]
    history = CampaignHistory.objects.get(campaign=campaign)
    assert (history.from_status, history.to_status, history.actor) == ("", CampaignStatus.DRAFT, east_admin)
    assert AuditEvent.objects.filter(action="benefits.create_campaign", object_id=str(campaign.pk)).exists()


def test_every_problem_is_reported_at_once(tree: Tree, east_admin: Any) -> None:
    start = timezone.now() + timedelta(days=1)
    bad = CampaignData(
        title="  ",
        mode="raffle",
        delivery="drone",
        starts_at=start,
        ends_at=start - timedelta(hours=1),
        budget=Decimal("-1"),
        items=[],
        per_member_limit=11,
        eligible_org="W",
        categories=["astronauts"],
    )
    with pytest.raises(ValidationFailed) as exc:
        services.create_campaign(tree.east, actor=east_admin, data=bad)
    assert set(fields_of(exc)) >= {
        "title",
        "mode",
        "delivery",
        "ends_at",
        "budget",
        "items",
        "per_member_limit",
        "eligible_org",
        "categories",
    }
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 101}, "title"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": None}, "ends_at"),
        ({"per_member_limit": 0}, "per_member_limit"),
        ({"per_member_limit": None}, "per_member_limit"),
        ({"mode": CampaignMode.LOTTERY, "per_member_limit": 2}, "per_member_limit"),
        ({"mode": CampaignMode.LOTTERY, "delivery": Delivery.SHIPPING}, "delivery"),
        ({"categories": ["gig_worker", "pilot"]}, "categories"),
        ({"budget": None}, "budget"),
        ({"budget": Decimal("1.005")}, "budget"),
        ({"items": [ItemData(name="", unit_cost=Decimal("1"), stock=1)]}, "items"),
        ({"items": [ItemData(name="票", unit_cost=None, stock=1)]}, "items"),
        ({"items": [ItemData(name="票", unit_cost=Decimal("-1"), stock=1)]}, "items"),
        ({"items": [ItemData(name="票", unit_cost=Decimal("1"), stock=0)]}, "items"),
        ({"items": [ItemData(name="票", unit_cost=Decimal("1"), stock=None)]}, "items"),
        ({"items": [ItemData(name=f"票{n}", unit_cost=Decimal("1"), stock=1) for n in range(6)]}, "items"),
        ({"merchants": []}, "merchants"),
        ({"voucher_expires_at": None}, "voucher_expires_at"),
        ({"delivery": Delivery.PICKUP, "pickup_org": ""}, "pickup_org"),
        ({"delivery": Delivery.PICKUP, "pickup_org": "W"}, "pickup_org"),
        ({"delivery": Delivery.PICKUP, "pickup_org": "NOPE"}, "pickup_org"),
        ({"delivery": Delivery.PICKUP, "pickup_org": "E", "voucher_expires_at": None}, "voucher_expires_at"),
    ],
)
def test_each_rule_is_checked(
    tree: Tree, east_admin: Any, base: CampaignData, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_campaign(tree.east, actor=east_admin, data=replace(base, **changes))
    assert field in fields_of(exc)
    assert not Campaign.objects.exists()


def test_vouchers_must_outlive_the_window(tree: Tree, east_admin: Any, base: CampaignData) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_campaign(
            tree.east, actor=east_admin, data=replace(base, voucher_expires_at=base.ends_at)
        )
    assert "voucher_expires_at" in fields_of(exc)


def test_the_budget_refusal_says_by_how_much(tree: Tree, east_admin: Any, base: CampaignData) -> None:
    items = [
        ItemData(name="电影票", unit_cost=Decimal("35.00"), stock=20),  # 700
        ItemData(name="水果", unit_cost=Decimal("50.50"), stock=10),  # 505
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.create_campaign(tree.east, actor=east_admin, data=replace(base, items=items))
    (message,) = fields_of(exc)["budget"]
    assert "¥1,205.00" in message
    assert "¥205.00" in message
    # Exactly the budget is fine.
    ok = services.create_campaign(
        tree.east, actor=east_admin, data=replace(base, items=items, budget=Decimal("1205"))
    )
    assert ok.budget == Decimal("1205.00")


def test_the_eligible_org_is_the_organiser_or_below(tree: Tree, east_admin: Any, base: CampaignData) -> None:
    campaign = services.create_campaign(tree.east, actor=east_admin, data=replace(base, eligible_org="e-t"))
    assert campaign.eligible_org == tree.town
    with pytest.raises(ValidationFailed) as exc:
        services.create_campaign(tree.town, actor=east_admin, data=replace(base, eligible_org="E"))
    assert "eligible_org" in fields_of(exc)


def test_voucher_merchants_must_be_active_and_visible(
    tree: Tree, east_admin: Any, base: CampaignData
) -> None:
    west_shop = make_merchant(tree.west, "西区影院")
    suspended = make_merchant(tree.east, "停业影院", status=MerchantStatus.SUSPENDED)
    for merchants in ([west_shop.pk], [suspended.pk], [999_999]):
        with pytest.raises(ValidationFailed) as exc:
            services.create_campaign(tree.east, actor=east_admin, data=replace(base, merchants=merchants))
        assert "merchants" in fields_of(exc)


def test_pickup_and_shipping_deliveries(tree: Tree, east_admin: Any, base: CampaignData) -> None:
    pickup = services.create_campaign(
        tree.east,
        actor=east_admin,
        data=replace(base, delivery=Delivery.PICKUP, pickup_org="E-T", pickup_note="工作日 9:00-17:00"),
    )
    assert pickup.pickup_org == tree.town
    assert not pickup.merchants.exists()
    shipping = services.create_campaign(
        tree.east,
        actor=east_admin,
        data=replace(base, delivery=Delivery.SHIPPING, voucher_expires_at=None, merchants=[]),
    )
    assert shipping.voucher_expires_at is None
    assert shipping.pickup_org is None


def test_an_image_must_be_a_small_picture(
    tree: Tree, east_admin: Any, base: CampaignData, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    for upload in (
        SimpleUploadedFile("a.gif", png(kind="GIF")),
        SimpleUploadedFile("a.png", b"not a picture"),
        SimpleUploadedFile("a.png", b""),
        SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1)),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.create_campaign(tree.east, actor=east_admin, data=replace(base, image=upload))
        assert "image" in fields_of(exc)
    campaign = services.create_campaign(
        tree.east, actor=east_admin, data=replace(base, image=SimpleUploadedFile("x.webp", png(kind="WEBP")))
    )
    assert campaign.image.name.endswith(".webp")


def test_only_officers_who_may_change_benefits_create(tree: Tree, base: CampaignData) -> None:
    viewer = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    west = officer_at(tree.west, "west.admin")
    for actor in (viewer, west):
        with pytest.raises(Forbidden):
            services.create_campaign(tree.east, actor=actor, data=base)
    assert not Campaign.objects.exists()


# --- transitions -------------------------------------------------------------------------------


def test_publish_checks_again_and_seeds_a_lottery(tree: Tree, east_admin: Any, base: CampaignData) -> None:
    lottery = services.create_campaign(
        tree.east, actor=east_admin, data=replace(base, mode=CampaignMode.LOTTERY)
    )
    published = services.publish_campaign(lottery, actor=east_admin, comment="开始报名")
    assert published.status == CampaignStatus.PUBLISHED
    assert published.published_at is not None
    assert len(published.seed) == 64
    assert int(published.seed, 16) >= 0
    last = published.history.order_by("-id").first()
    assert last is not None
    assert (last.from_status, last.to_status, last.comment) == ("draft", "published", "开始报名")
    event = AuditEvent.objects.get(action="benefits.publish_campaign")
    assert event.changes["seed"] == ["", published.seed]
    fcfs = services.create_campaign(tree.east, actor=east_admin, data=base)
    assert services.publish_campaign(fcfs.pk, actor=east_admin).seed == ""


def test_publish_refuses_an_ended_window_and_a_suspended_merchant(
    tree: Tree, east_admin: Any, base: CampaignData, merchant: Any
) -> None:
    ended = make_campaign(
        tree.east, status=CampaignStatus.DRAFT, opens_in=timedelta(days=-3), merchants=[merchant]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.publish_campaign(ended, actor=east_admin)
    assert "ends_at" in fields_of(exc)
    assert Campaign.objects.get(pk=ended.pk).status == CampaignStatus.DRAFT

    draft = services.create_campaign(tree.east, actor=east_admin, data=base)
    merchant.status = MerchantStatus.SUSPENDED
    merchant.save()
    with pytest.raises(ValidationFailed) as exc:
        services.publish_campaign(draft, actor=east_admin)
    assert "merchants" in fields_of(exc)
    assert Campaign.objects.get(pk=draft.pk).status == CampaignStatus.DRAFT


def test_cancel_from_draft_and_from_published(tree: Tree, east_admin: Any, merchant: Any) -> None:
    for status in (CampaignStatus.DRAFT, CampaignStatus.PUBLISHED):
        campaign = make_campaign(tree.east, status=status, merchants=[merchant])
        cancelled = services.cancel_campaign(campaign, actor=east_admin, comment="商家停业")
        assert cancelled.status == CampaignStatus.CANCELLED
        row = cancelled.history.get()
        assert (row.from_status, row.to_status, row.comment) == (status, "cancelled", "商家停业")
    assert AuditEvent.objects.filter(action="benefits.cancel_campaign").count() == 2


def _run(action: str, campaign: Campaign, actor: Any) -> None:
    if action == CampaignAction.PUBLISH:
        services.publish_campaign(campaign, actor=actor)
    elif action == CampaignAction.CANCEL:
        services.cancel_campaign(campaign, actor=actor)
    else:
        from gonghui.benefits.services.lottery import draw_lottery

        draw_lottery(campaign, actor=actor)


ILLEGAL = [
    (status, action)
    for status, action in itertools.product(CampaignStatus.values, CampaignAction.values)
    if not CAMPAIGN_TRANSITIONS.allows(action, status)
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_are_refused_with_nothing_changed(
    tree: Tree, east_admin: Any, merchant: Any, status: str, action: str
) -> None:
    campaign = make_campaign(
        tree.east, status=status, mode=CampaignMode.LOTTERY, opens_in=timedelta(days=-3), merchants=[merchant]
    )
    before = model_to_dict(Campaign.objects.get(pk=campaign.pk))
    with pytest.raises(InvalidTransition):
        _run(action, campaign, east_admin)
    assert model_to_dict(Campaign.objects.get(pk=campaign.pk)) == before
    assert not CampaignHistory.objects.filter(campaign=campaign).exists()


def test_transitions_need_authority_on_the_organiser(tree: Tree, merchant: Any) -> None:
    campaign = make_campaign(tree.east, status=CampaignStatus.DRAFT, merchants=[merchant])
    with pytest.raises(Http404):
        services.cancel_campaign(campaign, actor=officer_at(tree.west, "west.admin"))
    with pytest.raises(Forbidden):
        services.cancel_campaign(campaign, actor=officer_at(tree.east, "east.auditor", Role.AUDITOR))
    with pytest.raises(Http404):  # an officer below the organiser does not see it
        services.cancel_campaign(campaign, actor=officer_at(tree.town, "town.admin"))
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
    services.cancel_campaign(campaign, actor=officer_at(tree.city, "city.admin"))  # above: may


# --- editing -----------------------------------------------------------------------------------


def test_a_draft_can_change_everything_including_items(
    tree: Tree, east_admin: Any, base: CampaignData
) -> None:
    campaign = services.create_campaign(tree.east, actor=east_admin, data=base)
    item = campaign.items.get()
    items = [
        ItemData(name="电影票（IMAX）", unit_cost=Decimal("40.00"), stock=10, id=item.pk),
        ItemData(name="爆米花", unit_cost=Decimal("10.00"), stock=30),
    ]
    changed = services.update_campaign(
        campaign,
        actor=east_admin,
        data=replace(base, title="新标题", mode=CampaignMode.LOTTERY, items=items, eligible_org="E-T"),
    )
    assert (changed.title, changed.mode, changed.eligible_org) == ("新标题", CampaignMode.LOTTERY, tree.town)
    rows = list(changed.items.values_list("id", "name", "stock", "remaining"))
    assert rows[0] == (item.pk, "电影票（IMAX）", 10, 10)
    assert rows[1][1:] == ("爆米花", 30, 30)
    # Dropping a row removes the item.
    services.update_campaign(campaign, actor=east_admin, data=replace(base, items=items[:1]))
    assert list(CampaignItem.objects.filter(campaign=campaign).values_list("pk", flat=True)) == [item.pk]
    event = AuditEvent.objects.filter(action="benefits.update_campaign").first()
    assert event is not None
    assert "items" in event.changes


@pytest.fixture
def published(tree: Tree, east_admin: Any, base: CampaignData) -> Campaign:
    campaign = services.create_campaign(tree.east, actor=east_admin, data=base)
    return services.publish_campaign(campaign, actor=east_admin)


def _as_sent(campaign: Campaign, base: CampaignData, **changes: Any) -> CampaignData:
    item = campaign.items.get()
    values: dict[str, Any] = {
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "voucher_expires_at": campaign.voucher_expires_at,
        "items": [ItemData(name=item.name, unit_cost=item.unit_cost, stock=item.stock, id=item.pk)],
        **changes,
    }
    return replace(base, **values)


def test_published_allows_description_later_end_more_merchants_and_stock(
    tree: Tree, east_admin: Any, base: CampaignData, published: Campaign
) -> None:
    other = make_merchant(tree.town, "东湖影院")
    assert base.voucher_expires_at is not None
    item = published.items.get()
    later = published.ends_at + timedelta(hours=1)
    changed = services.update_campaign(
        published,
        actor=east_admin,
        data=_as_sent(
            published,
            base,
            description="延长一小时",
            ends_at=later,
            voucher_expires_at=base.voucher_expires_at + timedelta(days=1),
            merchants=[*base.merchants, other.pk],
            items=[ItemData(name=item.name, unit_cost=item.unit_cost, stock=25, id=item.pk)],
        ),
    )
    assert changed.description == "延长一小时"
    assert changed.ends_at == later
    assert changed.merchants.count() == 2
    assert CampaignItem.objects.filter(pk=item.pk).values_list("stock", "remaining").get() == (25, 25)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "改名"}, "title"),
        ({"mode": CampaignMode.LOTTERY}, "mode"),
        ({"budget": Decimal("2000.00")}, "budget"),
        ({"per_member_limit": 2}, "per_member_limit"),
        ({"eligible_org": "E-T"}, "eligible_org"),
        ({"categories": ["female"]}, "categories"),
    ],
)
def test_published_refuses_other_changes(
    tree: Tree, east_admin: Any, base: CampaignData, published: Campaign, changes: dict[str, Any], field: str
) -> None:
    before = model_to_dict(Campaign.objects.get(pk=published.pk))
    with pytest.raises(ValidationFailed) as exc:
        services.update_campaign(published, actor=east_admin, data=_as_sent(published, base, **changes))
    assert field in fields_of(exc)
    assert model_to_dict(Campaign.objects.get(pk=published.pk)) == before


def test_published_refuses_earlier_times_fewer_merchants_and_item_changes(
    tree: Tree, east_admin: Any, base: CampaignData, published: Campaign
) -> None:
    item = published.items.get()
    assert base.voucher_expires_at is not None
    cases: list[tuple[dict[str, Any], str]] = [
        ({"starts_at": published.starts_at + timedelta(hours=1)}, "starts"),
        ({"ends_at": published.ends_at - timedelta(minutes=30)}, "ends_at"),
        ({"voucher_expires_at": base.voucher_expires_at - timedelta(days=1)}, "voucher_expires_at"),
        ({"merchants": [make_merchant(tree.east, "另一家").pk]}, "merchants"),
        ({"items": [ItemData(name=item.name, unit_cost=item.unit_cost, stock=5, id=item.pk)]}, "items"),
        ({"items": [ItemData(name="改名", unit_cost=item.unit_cost, stock=20, id=item.pk)]}, "items"),
        ({"items": [ItemData(name=item.name, unit_cost=Decimal("1.00"), stock=20, id=item.pk)]}, "items"),
        (
            {
                "items": [
                    ItemData(name=item.name, unit_cost=item.unit_cost, stock=20, id=item.pk),
                    ItemData(name="新", unit_cost=Decimal("1"), stock=1),
                ]
            },
            "items",
        ),
        ({"items": [ItemData(name=item.name, unit_cost=item.unit_cost, stock=100, id=item.pk)]}, "budget"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.update_campaign(published, actor=east_admin, data=_as_sent(published, base, **changes))
        assert field in "".join(fields_of(exc)), (changes, fields_of(exc))
    assert CampaignItem.objects.filter(pk=item.pk).values_list("stock", "remaining").get() == (20, 20)


def test_a_stock_raise_adds_to_what_remains_now(
    tree: Tree, east_admin: Any, base: CampaignData, published: Campaign
) -> None:
    item = published.items.get()
    sent = _as_sent(
        published, base, items=[ItemData(name=item.name, unit_cost=item.unit_cost, stock=25, id=item.pk)]
    )
    # Three items are claimed between the officer's read and the save: F() keeps them claimed.
    CampaignItem.objects.filter(pk=item.pk).update(remaining=17)
    services.update_campaign(published, actor=east_admin, data=sent)
    assert CampaignItem.objects.filter(pk=item.pk).values_list("stock", "remaining").get() == (25, 22)


def test_a_stock_raise_reopens_the_sold_out_gate(
    tree: Tree,
    east_admin: Any,
    base: CampaignData,
    published: Campaign,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.cache import cache

    from gonghui.benefits.services.claims import sold_out_key

    item = published.items.get()
    cache.set(sold_out_key(published.pk), {"items": [item.pk], "all": True})
    sent = _as_sent(
        published, base, items=[ItemData(name=item.name, unit_cost=item.unit_cost, stock=25, id=item.pk)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.update_campaign(published, actor=east_admin, data=sent)
    assert cache.get(sold_out_key(published.pk)) is None


def test_drawn_and_cancelled_campaigns_cannot_change(
    tree: Tree, east_admin: Any, base: CampaignData, merchant: Any
) -> None:
    for status in (CampaignStatus.DRAWN, CampaignStatus.CANCELLED):
        campaign = make_campaign(tree.east, status=status, merchants=[merchant])
        with pytest.raises(Conflict):
            services.update_campaign(campaign, actor=east_admin, data=base)


# --- shipping ----------------------------------------------------------------------------------


def test_mark_shipped(tree: Tree, east_admin: Any) -> None:
    campaign = make_campaign(tree.east, delivery=Delivery.SHIPPING, voucher_expires_at=None)
    claim = make_claim(campaign, tree.acme, voucher=None, recipient="王小明", shipping_address="浙江省宁波市")
    with pytest.raises(ValidationFailed):
        services.mark_shipped(claim, actor=east_admin, tracking_number="  ")
    with pytest.raises(ValidationFailed):
        services.mark_shipped(claim, actor=east_admin, tracking_number="=cmd|calc")
    shipped = services.mark_shipped(claim, actor=east_admin, tracking_number="sf 1234 5678")
    assert shipped.tracking_number == "SF12345678"
    assert shipped.shipped_at is not None
    first = shipped.shipped_at
    again = services.mark_shipped(claim, actor=east_admin, tracking_number="YT999")
    assert again.tracking_number == "YT999"
    assert again.shipped_at == first
    with pytest.raises(NotFound):
        services.mark_shipped(claim, actor=officer_at(tree.west, "west.admin"), tracking_number="X1")
    voucher_campaign = make_campaign(tree.east)
    with pytest.raises(Conflict):
        services.mark_shipped(make_claim(voucher_campaign, tree.acme), actor=east_admin, tracking_number="X1")
