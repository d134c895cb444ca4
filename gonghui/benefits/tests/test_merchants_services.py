"""Merchant services: permissions, validation, audit, photos and till accounts."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.models import Merchant, MerchantAccount, MerchantPhoto, MerchantStatus
from gonghui.benefits.services.merchants import (
    MAX_PHOTOS,
    add_merchant_photo,
    create_merchant,
    create_merchant_account,
    deactivate_merchant_account,
    remove_merchant_photo,
    set_merchant_status,
    update_merchant,
)
from gonghui.benefits.tests.factories import make_merchant
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import OrgStatus, Role
from gonghui.orgs.tests.factories import Tree, officer_at

pytestmark = pytest.mark.django_db

GOOD: dict[str, Any] = {
    "name": "甬城影院（天一店）",
    "category": "culture",
    "discount_terms": "凭会员卡观影 8 折",
    "address": "海曙区中山东路 1 号",
    "district": "海曙区",
    "latitude": "29.8705123",
    "longitude": "121.550375",
    "opening_hours": "10:00-22:00",
    "phone": "0574-87654321",
    "description": "第一行\r\n第二行",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, kind)
    return output.getvalue()


def upload(content: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- create and update -----------------------------------------------------------------------------


def test_an_officer_signs_up_a_merchant_with_clean_values_and_an_audit_event(
    tree: Tree, east_admin: User
) -> None:
    merchant = create_merchant(actor=east_admin, org=tree.east, data=GOOD)
    assert merchant.org == tree.east
    assert merchant.status == MerchantStatus.ACTIVE
    assert merchant.latitude == Decimal("29.870512")  # six places
    assert merchant.description == "第一行\n第二行"
    event = AuditEvent.objects.get(action="benefits.create_merchant")
    assert event.object_id == str(merchant.pk)
    assert event.org_path == tree.east.path
    assert event.changes["name"] == [None, "甬城影院（天一店）"]


def test_every_field_problem_is_reported_at_once_and_nothing_is_written(tree: Tree, east_admin: User) -> None:
    bad = GOOD | {
        "name": "",
        "category": "casino",
        "discount_terms": "x" * 301,
        "address": "  ",
        "latitude": "95",
        "longitude": "121.5",
        "phone": "call me",
        "description": "a\x00b",
    }
    with pytest.raises(ValidationFailed) as caught:
        create_merchant(actor=east_admin, org=tree.east, data=bad)
    assert set(caught.value.fields) == {
        "name",
        "category",
        "discount_terms",
        "address",
        "latitude",
        "phone",
        "description",
    }
    assert "90" in caught.value.fields["latitude"][0]
    assert not Merchant.objects.exists()
    assert not AuditEvent.objects.filter(action="benefits.create_merchant").exists()


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [("29.87", "", "longitude"), ("", "121.5", "latitude"), ("abc", "121.5", "latitude")],
)
def test_a_position_needs_both_numbers(tree: Tree, east_admin: User, lat: str, lng: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_merchant(actor=east_admin, org=tree.east, data=GOOD | {"latitude": lat, "longitude": lng})
    assert set(caught.value.fields) == {field}


def test_no_position_is_allowed(tree: Tree, east_admin: User) -> None:
    merchant = create_merchant(
        actor=east_admin, org=tree.east, data=GOOD | {"latitude": "", "longitude": None}
    )
    assert merchant.latitude is None
    assert merchant.longitude is None


def test_a_name_that_would_be_a_formula_is_refused(tree: Tree, east_admin: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_merchant(actor=east_admin, org=tree.east, data=GOOD | {"name": "=cmd|' /C calc'!A0"})
    assert set(caught.value.fields) == {"name"}


def test_a_union_outside_the_scope_is_a_missing_union(tree: Tree, east_admin: User) -> None:
    with pytest.raises(NotFound) as caught:
        create_merchant(actor=east_admin, org=tree.west, data=GOOD)
    assert "org" in caught.value.fields
    assert not Merchant.objects.exists()


def test_a_dissolved_union_cannot_sign_up_merchants(tree: Tree, east_admin: User) -> None:
    tree.beta.status = OrgStatus.DISSOLVED
    tree.beta.save()
    with pytest.raises(ValidationFailed):
        create_merchant(actor=east_admin, org=tree.beta, data=GOOD)


def test_a_viewer_may_look_but_not_change(tree: Tree) -> None:
    merchant = make_merchant(tree.east)
    viewer = officer_at(tree.east, "east.viewer", Role.AUDITOR)
    with pytest.raises(Forbidden):
        update_merchant(merchant, actor=viewer, changes={"name": "新名字"})
    with pytest.raises(NotFound):
        create_merchant(actor=viewer, org=tree.east, data=GOOD)
    west = officer_at(tree.west, "west.admin")
    with pytest.raises(NotFound):
        set_merchant_status(merchant, actor=west, status=MerchantStatus.SUSPENDED)
    assert Merchant.objects.get(pk=merchant.pk).name == "甬城影院"


def test_update_changes_only_the_named_fields_and_audits_the_difference(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    assert update_merchant(
        merchant, actor=east_admin, changes={"discount_terms": "7 折", "phone": "87654321"}
    )
    merchant.refresh_from_db()
    assert merchant.discount_terms == "7 折"
    assert merchant.name == "甬城影院"
    event = AuditEvent.objects.get(action="benefits.update_merchant")
    assert set(event.changes) == {"discount_terms", "phone"}
    assert not update_merchant(merchant, actor=east_admin, changes={"discount_terms": "7 折"})
    assert AuditEvent.objects.filter(action="benefits.update_merchant").count() == 1


def test_moving_a_merchant_to_a_union_out_of_reach_is_refused(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    with pytest.raises(ValidationFailed) as caught:
        update_merchant(merchant, actor=east_admin, changes={}, org=tree.west)
    assert "org" in caught.value.fields
    assert update_merchant(merchant, actor=east_admin, changes={}, org=tree.town)
    assert Merchant.objects.get(pk=merchant.pk).org == tree.town


# --- status ------------------------------------------------------------------------------------------


def test_ending_the_agreement_switches_the_till_accounts_off(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    account = create_merchant_account(
        merchant, actor=east_admin, username="till.one", password="Till-pass-2026-x", display_name="前台"
    )
    assert set_merchant_status(merchant, actor=east_admin, status=MerchantStatus.SUSPENDED, note="整改")
    assert User.objects.get(pk=account.user_id).is_active
    assert set_merchant_status(merchant, actor=east_admin, status=MerchantStatus.ENDED)
    assert not User.objects.get(pk=account.user_id).is_active
    assert not set_merchant_status(merchant, actor=east_admin, status=MerchantStatus.ENDED)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions.count("benefits.set_merchant_status") == 2
    assert "benefits.deactivate_merchant_account" in actions
    with pytest.raises(ValidationFailed):
        set_merchant_status(merchant, actor=east_admin, status="closed")


# --- photos ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_a_photo_is_stored_under_a_name_of_our_own(tree: Tree, east_admin: User, kind: str) -> None:
    merchant = make_merchant(tree.east)
    photo = add_merchant_photo(
        merchant, actor=east_admin, upload=upload(image_bytes(kind), "../../etc/evil.php"), caption="门头"
    )
    suffix = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[kind]
    assert photo.image.name.startswith("benefits/merchants/")
    assert photo.image.name.endswith(suffix)
    assert "evil" not in photo.image.name
    assert photo.image.storage.exists(photo.image.name)
    assert AuditEvent.objects.filter(action="benefits.add_merchant_photo").count() == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<?php system($_GET['c']); ?>", "photo.jpg"),
        (b"GIF89a" + b"\x00" * 40, "photo.gif"),
        (b"%PDF-1.4 fake", "photo.png"),
        (image_bytes("PNG")[:60], "truncated.png"),
        (b"", "empty.png"),
    ],
)
def test_what_is_not_a_photo_is_refused(tree: Tree, east_admin: User, content: bytes, name: str) -> None:
    merchant = make_merchant(tree.east)
    with pytest.raises(ValidationFailed) as caught:
        add_merchant_photo(merchant, actor=east_admin, upload=upload(content, name))
    assert set(caught.value.fields) == {"image"}
    assert not MerchantPhoto.objects.exists()


def test_a_gif_is_refused_even_when_it_is_a_real_image(tree: Tree, east_admin: User) -> None:
    with pytest.raises(ValidationFailed):
        add_merchant_photo(make_merchant(tree.east), actor=east_admin, upload=upload(image_bytes("GIF")))


def test_a_photo_over_5_mb_is_refused(tree: Tree, east_admin: User) -> None:
    big = image_bytes("PNG") + b"\x00" * (5 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as caught:
        add_merchant_photo(make_merchant(tree.east), actor=east_admin, upload=upload(big))
    assert "5 MB" in caught.value.message or "5" in caught.value.message


def test_at_most_nine_photos(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    for _ in range(MAX_PHOTOS):
        add_merchant_photo(merchant, actor=east_admin, upload=upload(image_bytes()))
    with pytest.raises(ValidationFailed):
        add_merchant_photo(merchant, actor=east_admin, upload=upload(image_bytes()))
    assert MerchantPhoto.objects.filter(merchant=merchant).count() == MAX_PHOTOS
    assert list(MerchantPhoto.objects.values_list("position", flat=True)) == list(range(MAX_PHOTOS))


def test_removing_a_photo_is_audited_and_scoped(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    photo = add_merchant_photo(merchant, actor=east_admin, upload=upload(image_bytes()))
    with pytest.raises(NotFound):
        remove_merchant_photo(photo, actor=officer_at(tree.west, "west.admin"))
    remove_merchant_photo(photo, actor=east_admin)
    assert not MerchantPhoto.objects.exists()
    assert AuditEvent.objects.filter(action="benefits.remove_merchant_photo").count() == 1
    with pytest.raises(NotFound):
        remove_merchant_photo(photo, actor=east_admin)


# --- till accounts -----------------------------------------------------------------------------------


def test_a_till_account_is_a_merchant_user_with_the_password_the_officer_chose(
    tree: Tree, east_admin: User
) -> None:
    merchant = make_merchant(tree.east)
    account = create_merchant_account(
        merchant, actor=east_admin, username="Till.Tianyi", password="Till-pass-2026-x", display_name="前台 1"
    )
    user = account.user
    assert user.kind == AccountKind.MERCHANT
    assert not user.is_officer
    assert user.check_password("Till-pass-2026-x")
    assert account.merchant == merchant
    event = AuditEvent.objects.get(action="benefits.create_merchant_account")
    assert event.org_path == tree.east.path
    assert "Till-pass" not in str(event.changes)


def test_till_account_problems_are_reported_together(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    User.objects.create_officer(username="taken.name", password="x-Long-pass-99")
    with pytest.raises(ValidationFailed) as caught:
        create_merchant_account(
            merchant, actor=east_admin, username="TAKEN.name", password="123", display_name=""
        )
    assert set(caught.value.fields) == {"username", "password", "display_name"}
    with pytest.raises(ValidationFailed) as caught:
        create_merchant_account(
            merchant,
            actor=east_admin,
            username="13800138000",
            password="Till-pass-2026-x",
            display_name="前台",
        )
    assert set(caught.value.fields) == {"username"}  # a mobile number is a member's username
    assert not MerchantAccount.objects.exists()


def test_an_ended_merchant_gets_no_new_accounts(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east, status=MerchantStatus.ENDED)
    with pytest.raises(Conflict):
        create_merchant_account(
            merchant, actor=east_admin, username="till.two", password="Till-pass-2026-x", display_name="前台"
        )


def test_deactivating_a_till_account(tree: Tree, east_admin: User) -> None:
    merchant = make_merchant(tree.east)
    account = create_merchant_account(
        merchant, actor=east_admin, username="till.three", password="Till-pass-2026-x", display_name="前台"
    )
    with pytest.raises(NotFound):
        deactivate_merchant_account(account, actor=officer_at(tree.west, "west.admin"))
    assert deactivate_merchant_account(account, actor=east_admin)
    assert not User.objects.get(pk=account.user_id).is_active
    assert not deactivate_merchant_account(account, actor=east_admin)
    assert AuditEvent.objects.filter(action="benefits.deactivate_merchant_account").count() == 1
