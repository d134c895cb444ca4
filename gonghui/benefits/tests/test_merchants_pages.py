"""Merchant pages: the console (list, forms, status, photos, till accounts), the public portal
list with "nearest to me" and the merchant's page, the public API, query counts, and what a
till account may not open."""

from __future__ import annotations

import io
import json
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.benefits.demo.merchants import make_demo_merchants
from gonghui.benefits.models import Merchant, MerchantAccount, MerchantPhoto, MerchantStatus
from gonghui.benefits.templatetags.benefits_tabs import benefit_tabs
from gonghui.benefits.tests.factories import make_merchant, make_merchant_account
from gonghui.core.geo import distance_label, navigation_url
from gonghui.orgs.tests.factories import Tree, client_for, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(output, "PNG")
    return output.getvalue()


FORM = {
    "org": "E",
    "name": "甬城书店",
    "category": "culture",
    "discount_terms": "图书 9 折",
    "address": "海曙区中山西路 1 号",
    "district": "海曙区",
    "latitude": "29.870000",
    "longitude": "121.550000",
    "opening_hours": "09:00-21:00",
    "phone": "0574-87000000",
    "description": "",
}


# --- console -------------------------------------------------------------------------------------


def test_the_console_list_filters_and_shows_only_the_scope(tree: Tree, east_client: Client) -> None:
    cinema = make_merchant(tree.east, "甬城影院")
    shop = make_merchant(tree.town, "东湖超市", category="supermarket", status=MerchantStatus.SUSPENDED)
    west = make_merchant(tree.west, "西区影院")
    body = east_client.get("/console/benefits/merchants/").content.decode()
    assert f'data-row-id="{cinema.pk}"' in body
    assert f'data-row-id="{shop.pk}"' in body
    assert f'data-row-id="{west.pk}"' not in body
    body = east_client.get(
        "/console/benefits/merchants/?category=supermarket&status=suspended"
    ).content.decode()
    assert f'data-row-id="{shop.pk}"' in body
    assert f'data-row-id="{cinema.pk}"' not in body
    body = east_client.get(
        "/console/benefits/merchants/?q=影院&category=bogus&sort=nope&page=x"
    ).content.decode()
    assert f'data-row-id="{cinema.pk}"' in body
    assert f'data-row-id="{shop.pk}"' not in body


def test_the_console_list_query_count_does_not_grow_with_the_rows(
    tree: Tree, east_client: Client, django_assert_max_num_queries
) -> None:
    make_demo_merchants(tree.east, random.Random(1), 120)
    with django_assert_max_num_queries(12):
        response = east_client.get("/console/benefits/merchants/")
    assert response.status_code == 200
    assert response.content.decode().count("data-row-id=") == 50


def test_an_officer_signs_up_edits_and_suspends_a_merchant(tree: Tree, east_client: Client) -> None:
    assert east_client.get("/console/benefits/merchants/new/").status_code == 200
    response = east_client.post("/console/benefits/merchants/new/", FORM)
    assert response.status_code == 302
    merchant = Merchant.objects.get(name="甬城书店")
    assert response["Location"] == f"/console/benefits/merchants/{merchant.pk}/"
    page = east_client.get(response["Location"])
    assert "图书 9 折" in page.content.decode()

    response = east_client.post(
        f"/console/benefits/merchants/{merchant.pk}/edit/", FORM | {"discount_terms": "8 折"}
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.discount_terms == "8 折"

    response = east_client.post(f"/console/benefits/merchants/{merchant.pk}/status/", {"status": "suspended"})
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.status == MerchantStatus.SUSPENDED


def test_a_bad_form_shows_every_problem_and_writes_nothing(tree: Tree, east_client: Client) -> None:
    bad = FORM | {"org": "W", "latitude": "200", "longitude": "", "phone": "电话号码"}
    response = east_client.post("/console/benefits/merchants/new/", bad)
    assert response.status_code == 422
    body = response.content.decode()
    assert "form-errors" in body
    assert not Merchant.objects.exists()
    # The union is in reach but the service finds field problems: shown next to the fields.
    response = east_client.post("/console/benefits/merchants/new/", FORM | {"latitude": "200"})
    assert response.status_code == 422
    assert "90" in response.content.decode()
    assert not Merchant.objects.exists()


def test_photos_are_uploaded_refused_and_removed_in_the_console(tree: Tree, east_client: Client) -> None:
    merchant = make_merchant(tree.east)
    url = f"/console/benefits/merchants/{merchant.pk}/photos/"
    response = east_client.post(url, {"image": SimpleUploadedFile("a.png", png()), "caption": "门头"})
    assert response.status_code == 302
    photo = MerchantPhoto.objects.get()
    assert photo.caption == "门头"
    response = east_client.post(url, {"image": SimpleUploadedFile("a.png", b"<script>alert(1)</script>")})
    assert response.status_code == 422
    assert "JPEG" in response.content.decode()
    assert MerchantPhoto.objects.count() == 1
    west = client_for(officer_at(tree.west, "west.admin"))
    assert west.post(url, {"image": SimpleUploadedFile("a.png", png())}).status_code == 404
    response = east_client.post(f"{url}{photo.pk}/remove/")
    assert response.status_code == 302
    assert not MerchantPhoto.objects.exists()


def test_till_accounts_are_opened_listed_and_switched_off(tree: Tree, east_client: Client) -> None:
    merchant = make_merchant(tree.east)
    url = f"/console/benefits/merchants/{merchant.pk}/accounts/"
    response = east_client.post(url, {"username": "till.a", "display_name": "前台", "password": "short"})
    assert response.status_code == 422
    assert not MerchantAccount.objects.exists()
    response = east_client.post(
        url, {"username": "till.a", "display_name": "前台", "password": "Till-pass-2026-x"}
    )
    assert response.status_code == 302
    account = MerchantAccount.objects.get()
    page = east_client.get(url).content.decode()
    assert f'data-row-id="{account.pk}"' in page
    assert "Till-pass-2026-x" not in page
    response = east_client.post(f"{url}{account.pk}/deactivate/")
    assert response.status_code == 302
    assert not User.objects.get(pk=account.user_id).is_active


def test_the_tabs_link_only_to_pages_that_exist(tree: Tree, east_client: Client) -> None:
    tabs = benefit_tabs("merchants")
    assert tabs[0]["url"] == "/console/benefits/merchants/"
    assert tabs[0]["current"] is True
    body = east_client.get("/console/benefits/merchants/").content.decode()
    for tab in tabs:
        assert f'href="{tab["url"]}"' in body


def test_a_member_and_a_till_account_cannot_open_console_pages(tree: Tree) -> None:
    merchant = make_merchant(tree.east)
    till = client_for(make_merchant_account(merchant))
    for url in (
        "/console/benefits/merchants/",
        f"/console/benefits/merchants/{merchant.pk}/",
        "/console/benefits/merchants/import/",
        "/console/",
    ):
        assert till.get(url).status_code == 403, url
    assert (
        till.post(f"/console/benefits/merchants/{merchant.pk}/status/", {"status": "ended"}).status_code
        == 403
    )
    assert Merchant.objects.get(pk=merchant.pk).status == MerchantStatus.ACTIVE
    # Nor an officer's API list, nor a member's own pages: a till account has no membership.
    assert till.get("/api/v1/members").status_code in {200, 403, 404}
    if till.get("/api/v1/members").status_code == 200:
        assert json.loads(till.get("/api/v1/members").content)["items"] == []
    card = till.get("/me/card/")
    assert card.status_code in {200, 403}
    assert "member-card__number" not in card.content.decode()


# --- portal ---------------------------------------------------------------------------------------


def test_the_portal_list_is_public_and_shows_only_active_merchants(tree: Tree, client: Client) -> None:
    cinema = make_merchant(tree.east, "甬城影院")
    make_merchant(tree.east, "暂停的店", status=MerchantStatus.SUSPENDED)
    make_merchant(tree.east, "解约的店", status=MerchantStatus.ENDED)
    response = client.get("/benefits/merchants/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-merchant-id="{cinema.pk}"' in body
    assert "暂停的店" not in body
    assert "解约的店" not in body
    assert 'x-data="nearest"' in body
    assert "gonghui/nearest.js" in body


def test_the_portal_list_filters_by_category_and_name(tree: Tree, client: Client) -> None:
    make_merchant(tree.east, "甬城影院")
    make_merchant(tree.east, "阿娘面馆", category="catering")
    body = client.get("/benefits/merchants/?category=catering").content.decode()
    assert "阿娘面馆" in body
    assert "甬城影院" not in body
    body = client.get("/benefits/merchants/?q=影院").content.decode()
    assert "甬城影院" in body
    assert "阿娘面馆" not in body
    body = client.get("/benefits/merchants/?category=casino&q=" + "长" * 200).content.decode()
    assert "empty-state" in body or "甬城影院" not in body


def test_nearest_first_with_distances_computed_by_the_server(tree: Tree, client: Client) -> None:
    make_merchant(tree.east, "三公里", latitude=Decimal("29.900000"), longitude=Decimal("121.550000"))
    make_merchant(tree.east, "一公里", latitude=Decimal("29.880000"), longitude=Decimal("121.550000"))
    make_merchant(tree.east, "没坐标", latitude=None, longitude=None)
    body = client.get("/benefits/merchants/?lat=29.87&lng=121.55").content.decode()
    assert body.index("一公里") < body.index("三公里")
    assert "1.1" in body
    assert "3.3" in body
    assert "没坐标" not in body  # a merchant without a position is never "nearest"


def test_a_bad_position_keeps_the_normal_list_with_a_message(tree: Tree, client: Client) -> None:
    make_merchant(tree.east, "甬城影院", latitude=None, longitude=None)
    response = client.get("/benefits/merchants/?lat=abc&lng=999")
    assert response.status_code == 200
    body = response.content.decode()
    assert "甬城影院" in body
    assert 'role="alert"' in body


def test_the_portal_list_pages_and_bounds_its_queries(
    tree: Tree, client: Client, django_assert_max_num_queries
) -> None:
    make_demo_merchants(tree.east, random.Random(2), 60)
    with django_assert_max_num_queries(6):
        response = client.get("/benefits/merchants/?lat=29.87&lng=121.55")
    assert response.content.decode().count("data-merchant-id=") == 20
    assert "page=2" in response.content.decode()
    assert "lat=29.87" in response.content.decode()


def test_the_merchant_page_has_terms_phone_navigation_and_the_card_hint(tree: Tree, client: Client) -> None:
    merchant = make_merchant(
        tree.east, "甬城影院 & 书店", phone="0574-8765 4321", opening_hours="10:00-22:00"
    )
    MerchantPhoto.objects.create(merchant=merchant, image="benefits/merchants/x.png", caption="门头")
    response = client.get(f"/benefits/merchants/{merchant.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:057487654321"' in body
    assert "https://uri.amap.com/marker?position=121.550000,29.870000" in body
    assert "/me/card/" in body
    assert "10:00-22:00" in body
    assert "门头" in body
    assert navigation_url(merchant.name, merchant.latitude, merchant.longitude).endswith(
        "&coordinate=wgs84&callnative=1"
    )
    assert "%26" in navigation_url(
        merchant.name, merchant.latitude, merchant.longitude
    )  # the name is encoded


def test_an_inactive_or_missing_merchant_page_is_not_found(tree: Tree, client: Client) -> None:
    merchant = make_merchant(tree.east, status=MerchantStatus.SUSPENDED)
    assert client.get(f"/benefits/merchants/{merchant.pk}/").status_code == 404
    assert client.get("/benefits/merchants/99999999999999999999/").status_code == 404


def test_distance_labels() -> None:
    assert distance_label(0.004) == "10 m" or distance_label(0.004).startswith("10")
    assert "850" in distance_label(0.8512)
    assert "1.2" in distance_label(1.234)
    assert "35" in distance_label(35.2)


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_lists_active_merchants_publicly_nearest_first(tree: Tree, client: Client) -> None:
    far = make_merchant(tree.east, "三公里", latitude=Decimal("29.900000"), longitude=Decimal("121.550000"))
    near = make_merchant(tree.east, "一公里", latitude=Decimal("29.880000"), longitude=Decimal("121.550000"))
    make_merchant(tree.east, "暂停", status=MerchantStatus.SUSPENDED)
    body = client.get("/api/v1/benefits/merchants").json()
    assert body["count"] == 2
    assert {item["name"] for item in body["items"]} == {"三公里", "一公里"}
    body = client.get("/api/v1/benefits/merchants?lat=29.87&lng=121.55").json()
    assert [item["id"] for item in body["items"]] == [near.pk, far.pk]
    assert body["items"][0]["distance_km"] == pytest.approx(1.112, abs=0.002)
    body = client.get("/api/v1/benefits/merchants?category=catering").json()
    assert body["count"] == 0
    detail = client.get(f"/api/v1/benefits/merchants/{near.pk}").json()
    assert detail["portal_url"] == f"/benefits/merchants/{near.pk}/"
    assert detail["latitude"] == "29.880000" or Decimal(str(detail["latitude"])) == Decimal("29.88")


@pytest.mark.parametrize(
    "query",
    ["lat=95&lng=121", "lat=29.8", "lng=121", "category=casino", "page=0", "lat=abc&lng=1", "q=" + "x" * 41],
)
def test_the_api_refuses_bad_queries_with_the_error_format(tree: Tree, client: Client, query: str) -> None:
    response = client.get(f"/api/v1/benefits/merchants?{query}")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["fields"]


def test_the_api_detail_of_an_inactive_merchant_is_not_found(tree: Tree, client: Client) -> None:
    merchant = make_merchant(tree.east, status=MerchantStatus.ENDED)
    response = client.get(f"/api/v1/benefits/merchants/{merchant.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_list_bounds_its_queries(tree: Tree, client: Client, django_assert_max_num_queries) -> None:
    make_demo_merchants(tree.east, random.Random(3), 80)
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/benefits/merchants?lat=29.87&lng=121.55").json()
    assert len(body["items"]) == 50


# --- demo --------------------------------------------------------------------------------------------


def test_demo_merchants_are_plausible_and_reproducible(tree: Tree) -> None:
    merchants = make_demo_merchants(tree.city, random.Random(7), 200)
    assert len(merchants) == 200
    assert len({merchant.category for merchant in merchants}) >= 8
    assert any(merchant.status == MerchantStatus.SUSPENDED for merchant in merchants)
    placed = [merchant for merchant in merchants if merchant.latitude is not None]
    assert all(abs(float(m.latitude or 0) - 29.87) < 0.5 for m in placed)
    assert all(abs(float(m.longitude or 0) - 121.55) < 0.6 for m in placed)
    again = [merchant.name for merchant in make_demo_merchants(tree.city, random.Random(7), 200)]
    assert again == [merchant.name for merchant in merchants]


def test_a_member_sees_the_portal_pages_too(tree: Tree) -> None:
    member = User.objects.create_member(mobile="13900001111", password="Member-pass-2026")
    client = Client()
    sign_in_verified(client, member)
    merchant = make_merchant(tree.east)
    assert client.get("/benefits/merchants/").status_code == 200
    assert client.get(f"/benefits/merchants/{merchant.pk}/").status_code == 200
    assert client.get("/console/benefits/merchants/").status_code == 403


def _assert_no_inline_code(html: str) -> None:
    assert "<style" not in html
    assert ' style="' not in html
    for chunk in html.split("<script")[1:]:
        assert " src=" in chunk.split(">")[0]


def test_no_merchant_page_has_inline_script_or_style(tree: Tree, east_client: Client, client: Client) -> None:
    merchant = make_merchant(tree.east)
    for url in (
        "/benefits/merchants/",
        "/benefits/merchants/?lat=29.87&lng=121.55",
        f"/benefits/merchants/{merchant.pk}/",
    ):
        _assert_no_inline_code(client.get(url).content.decode())
    for url in (
        "/console/benefits/merchants/",
        "/console/benefits/merchants/new/",
        f"/console/benefits/merchants/{merchant.pk}/",
        f"/console/benefits/merchants/{merchant.pk}/edit/",
        f"/console/benefits/merchants/{merchant.pk}/photos/",
        f"/console/benefits/merchants/{merchant.pk}/accounts/",
        "/console/benefits/merchants/import/",
    ):
        response = east_client.get(url)
        assert response.status_code == 200, url
        _assert_no_inline_code(response.content.decode())
