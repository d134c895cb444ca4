"""Scoped endpoints: merchants (the console's list, page, forms, status, photos, till accounts and
import). The public list and page (portal and API) need no scoping: they show active merchants
to anyone."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.benefits.models import Merchant, MerchantAccount, MerchantPhoto
from gonghui.benefits.tests.factories import make_merchant, make_merchant_account
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed


def _merchant(org: Org) -> Merchant:
    return make_merchant(org, "甬城影院（范围测试）")


def _photo(org: Org) -> MerchantPhoto:
    # The row alone: removing it deletes a file that is not there, which storage allows.
    return MerchantPhoto.objects.create(merchant=_merchant(org), image="benefits/merchants/scope-test.png")


def _account(org: Org) -> MerchantAccount:
    return make_merchant_account(_merchant(org)).merchant_account


def _fields(world: ScopeWorld, merchant: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "name": "甬城书店",
        "category": "culture",
        "discount_terms": "图书 9 折",
        "address": "海曙区中山西路 1 号",
        "district": "",
        "latitude": "29.870000",
        "longitude": "121.550000",
        "opening_hours": "",
        "phone": "",
        "description": "",
    }


def _import(world: ScopeWorld, org: Org) -> dict[str, Any]:
    content = "名称,类别,会员优惠,地址\r\n甬城书店,影院文娱,图书 9 折,海曙区中山西路 1 号\r\n".encode()
    return {
        "org": world.own.code,
        "mode": "good_rows",
        "file": SimpleUploadedFile("merchants.csv", content, content_type="text/csv"),
    }


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:benefits:merchant_list",
        action="list",
        url=lambda merchant: "/console/benefits/merchants/",
        make=_merchant,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_detail",
        action="detail",
        url=lambda merchant: f"/console/benefits/merchants/{merchant.pk}/",
        make=_merchant,
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_edit",
        action="detail",
        url=lambda merchant: f"/console/benefits/merchants/{merchant.pk}/edit/",
        make=_merchant,
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_edit",
        action="update",
        method="POST",
        url=lambda merchant: f"/console/benefits/merchants/{merchant.pk}/edit/",
        make=_merchant,
        data=_fields,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_new",
        action="create",
        method="POST",
        url=lambda org: "/console/benefits/merchants/new/",
        data=_fields,
        model=Merchant,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_status",
        action="update",
        method="POST",
        url=lambda merchant: f"/console/benefits/merchants/{merchant.pk}/status/",
        make=_merchant,
        data=lambda world, merchant: {"status": "suspended", "note": "范围测试"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_photos",
        action="detail",
        url=lambda merchant: f"/console/benefits/merchants/{merchant.pk}/photos/",
        make=_merchant,
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_photo_remove",
        action="delete",
        method="POST",
        url=lambda photo: f"/console/benefits/merchants/{photo.merchant_id}/photos/{photo.pk}/remove/",
        make=_photo,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_accounts",
        action="detail",
        url=lambda merchant: f"/console/benefits/merchants/{merchant.pk}/accounts/",
        make=_merchant,
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_accounts",
        action="create",
        method="POST",
        url=lambda org: f"/console/benefits/merchants/{Merchant.objects.get(org=org).pk}/accounts/",
        make=lambda org: _merchant(org),
        data=lambda world, merchant: {
            "username": "till.scope",
            "display_name": "前台",
            "password": "Till-pass-2026-x",
        },
        model=MerchantAccount,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_account_deactivate",
        action="update",
        method="POST",
        url=lambda account: (
            f"/console/benefits/merchants/{account.merchant_id}/accounts/{account.pk}/deactivate/"
        ),
        make=_account,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:benefits:merchant_import",
        action="create",
        method="POST",
        url=lambda org: "/console/benefits/merchants/import/",
        data=_import,
        model=Merchant,
        ok=frozenset({302}),
    ),
]
UNSCOPED: dict[str, str] = {
    "console:benefits:merchant_import_template": "the empty template holds no data (officers only)",
    "console:benefits:merchant_import_report": (
        "a report is kept for the officer who ran the import, 404 to everyone else (test_merchants_import)"
    ),
    "console:benefits:merchant_import_report_xlsx": (
        "a report is kept for the officer who ran the import, 404 to everyone else (test_merchants_import)"
    ),
    "GET /api/v1/benefits/merchants": "public: the active merchants, as the portal lists them to anyone",
    "GET /api/v1/benefits/merchants/{merchant_id}": "public: one active merchant, as the portal shows it",
}
