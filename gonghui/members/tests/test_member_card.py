"""The electronic member card: card page, QR partial, signed short-lived tokens, the verify API."""

from __future__ import annotations

import re
import time

import pytest
import segno
from django.core import signing
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.members import card
from gonghui.members.models import Member, MemberStatus
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import FederationLevel, Org, OrgKind
from gonghui.portal import navigation

pytestmark = pytest.mark.django_db

ID_NUMBER = "330203199001011236"
MOBILE = "13912345678"
VERIFY_URL = "/api/v1/members/card/verify"


@pytest.fixture
def union() -> Org:
    city = Org.objects.add_root(
        create_kwargs={
            "code": "C",
            "name": "示范市总工会",
            "kind": OrgKind.FEDERATION,
            "level": FederationLevel.CITY,
        }
    )
    child: Org = Org.objects.add_child(
        city, create_kwargs={"code": "E1", "name": "东区甲公司工会", "kind": OrgKind.GRASSROOTS}
    )
    return child


@pytest.fixture
def holder() -> User:
    return make_member("13800138001", display_name="张伟明")


def _membership(union: Org, user: User | None, *, status: str = MemberStatus.ACTIVE) -> Member:
    row = member_row(union, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE, status=status)
    row.user = user
    row.save()
    return row


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _qr_src(html: str) -> str:
    match = re.search(r'src="(data:image/svg\+xml[^"]+)"', html)
    assert match, html
    return match.group(1)


def _qr_of(token: str) -> str:
    return str(segno.make(token, error="m").svg_data_uri(scale=6))


def _sign_at(monkeypatch: pytest.MonkeyPatch, member: Member, seconds_ago: int) -> str:
    issued = int(time.time()) - seconds_ago
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(issued))
        return card.issue_card_token(member)


def _verify(client: Client, token: str):
    return client.post(VERIFY_URL, {"token": token}, content_type="application/json")


# --- card number -------------------------------------------------------------------------------


def test_card_number_is_the_prefix_padded_id_and_a_luhn_check_digit():
    member = Member(pk=1234)
    number = card.card_number(member)
    assert number == "GH000000012344"
    assert card.card_number_display(number) == "GH 0000 0001 2344"
    # The Luhn check catches any single mistyped digit.
    for position in range(2, len(number)):
        wrong = str((int(number[position]) + 1) % 10)
        typo = number[:position] + wrong + number[position + 1 :]
        assert card.luhn_check_digit(typo[2:-1]) != typo[-1]


def test_a_typed_card_number_finds_the_active_membership_and_nothing_else(union, holder):
    member = _membership(union, holder)
    number = card.card_number(member)
    assert card.card_number_member(card.card_number_display(number).lower()) == member
    with pytest.raises(ValidationFailed) as caught:
        card.card_number_member(number[:-1] + str((int(number[-1]) + 1) % 10))  # a mistyped digit
    assert "card_number" in caught.value.fields
    for text in ("", "GH12", "XX000000012344"):
        with pytest.raises(ValidationFailed):
            card.card_number_member(text)
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.LEFT)
    with pytest.raises(NotFound):
        card.card_number_member(number)


# --- the card page -----------------------------------------------------------------------------


def test_given_an_active_member_when_they_open_the_card_then_it_shows_masked_name_union_number_and_qr(
    union, holder, django_assert_max_num_queries
):
    member = _membership(union, holder)
    client = _signed_in(holder)
    with django_assert_max_num_queries(4):
        response = client.get("/me/card/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "电子会员卡" in html
    assert "张**" in html
    assert "张伟明" not in html
    assert "东区甲公司工会" in html
    assert card.card_number_display(card.card_number(member)) in html
    assert 'src="data:image/svg+xml' in html
    assert f'hx-get="{reverse("portal:member_card_qr")}"' in html
    assert 'hx-trigger="every 60s"' in html
    assert "有效期还剩" in html
    assert ID_NUMBER not in html
    assert MOBILE not in html
    assert "no-cache" in response["Cache-Control"]
    assert "<script>" not in html
    assert "style=" not in html


def test_given_no_active_membership_when_the_card_opens_then_it_says_so_in_chinese(union, holder):
    _membership(union, holder, status=MemberStatus.LEFT)
    html = _signed_in(holder).get("/me/card/").content.decode()
    assert "您目前没有有效的工会会籍" in html
    assert "data:image/svg+xml" not in html


def test_an_anonymous_visitor_is_sent_to_sign_in():
    response = Client().get("/me/card/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_member_card_tile_links_to_the_card_page():
    tile = next(t for t in navigation.TILES if t.key == "member_card")
    assert tile.url() == "/me/card/"


def test_the_qr_partial_brings_a_fresh_token_that_verifies(union, holder, monkeypatch):
    member = _membership(union, holder)
    client = _signed_in(holder)
    now = int(time.time())
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(now - 61))
        shown = _qr_src(client.get("/me/card/").content.decode())
        old = card.issue_card_token(member)
    assert shown == _qr_of(old)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(now))
    response = client.get(reverse("portal:member_card_qr"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-card-countdown="120"' in html
    assert "有效期还剩" in html
    fresh = card.issue_card_token(member)
    assert _qr_src(html) == _qr_of(fresh) != shown
    assert card.verify_card_token(fresh).masked_name == "张**"


def test_the_qr_partial_stops_polling_when_the_membership_has_ended(union, holder):
    member = _membership(union, holder)
    client = _signed_in(holder)
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.TRANSFERRED_OUT)
    response = client.get(reverse("portal:member_card_qr"))
    assert response.status_code == 286  # htmx stops polling on 286
    assert "您目前没有有效的工会会籍" in response.content.decode()


# --- tokens ------------------------------------------------------------------------------------


def test_a_token_names_only_the_membership_and_the_issue_time(union, holder):
    member = _membership(union, holder)
    token = card.issue_card_token(member)
    member_id, issued, _signature = token.split(":")
    assert member_id == str(member.pk)
    assert abs(signing.b62_decode(issued) - time.time()) < 5
    for secret in (ID_NUMBER, MOBILE, "张伟明", "张"):
        assert secret not in token


def test_the_token_lifetime_comes_from_settings(union, holder, settings, monkeypatch):
    member = _membership(union, holder)
    settings.MEMBER_CARD_TOKEN_SECONDS = 30
    token = _sign_at(monkeypatch, member, seconds_ago=40)
    with pytest.raises(card.CardTokenRejected):
        card.verify_card_token(token)
    html = _signed_in(holder).get("/me/card/").content.decode()
    assert 'hx-trigger="every 15s"' in html
    assert 'data-card-countdown="30"' in html


# --- the verify API ----------------------------------------------------------------------------


def test_given_a_fresh_token_when_a_scanner_verifies_it_then_it_learns_only_masked_data(
    union, holder, django_assert_max_num_queries
):
    member = _membership(union, holder)
    scanner = _signed_in(make_member("13700137000", display_name="商户甲"))
    token = card.issue_card_token(member)
    # Session, user and 2FA device; the rate limit's cache (the database cache here: up to six);
    # and one query for the membership with its union.
    with django_assert_max_num_queries(10):
        response = _verify(scanner, token)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "valid": True,
        "masked_name": "张**",
        "union": "东区甲公司工会",
        "card_number_tail": card.card_number(member)[-4:],
    }
    text = response.content.decode()
    for secret in (ID_NUMBER, MOBILE, "张伟明", "330203", "1990"):
        assert secret not in text


def test_an_expired_token_is_refused_with_card_expired(union, holder, monkeypatch):
    member = _membership(union, holder)
    token = _sign_at(monkeypatch, member, seconds_ago=121)
    response = _verify(_signed_in(holder), token)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "card_expired"
    assert body["message"] == "会员卡二维码已过期，请会员刷新后重新扫码。"
    assert "张" not in response.content.decode()


def test_a_token_just_inside_its_lifetime_is_accepted(union, holder, monkeypatch):
    member = _membership(union, holder)
    token = _sign_at(monkeypatch, member, seconds_ago=110)
    assert _verify(_signed_in(holder), token).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token, other: f"{other}:{token.split(':', 1)[1]}",  # another member's id
        lambda token, other: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token, other: signing.Signer(salt="something-else").sign(str(other)),
        lambda token, other: "not a token",
        lambda token, other: "",
    ],
    ids=["other-member", "signature", "other-salt", "garbage", "empty"],
)
def test_a_forged_or_tampered_token_is_refused_with_card_invalid(union, holder, tamper):
    member = _membership(union, holder)
    other = Member.objects.bulk_create([member_row(union, name="李四")])[0]
    response = _verify(_signed_in(holder), tamper(card.issue_card_token(member), other.pk))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "card_invalid"
    assert body["message"] == "这不是有效的会员卡二维码。"
    assert "李" not in response.content.decode()


def test_a_token_of_a_membership_that_has_ended_is_refused_with_card_inactive(union, holder):
    member = _membership(union, holder)
    token = card.issue_card_token(member)
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.LEFT)
    response = _verify(_signed_in(holder), token)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "card_inactive"
    assert body["message"] == "该会员卡已失效：会籍不在有效状态。"
    assert "张" not in response.content.decode()


def test_an_anonymous_caller_gets_401(union, holder):
    token = card.issue_card_token(_membership(union, holder))
    response = _verify(Client(), token)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_scanner_is_rate_limited(union, holder):
    token = card.issue_card_token(_membership(union, holder))
    scanner = _signed_in(holder)
    statuses = [_verify(scanner, token).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429


def test_a_renewal_after_the_session_ended_sends_the_whole_page_to_login(client):
    # htmx would otherwise put the login page where the QR code was.
    response = client.get(
        "/me/card/qr/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/me/card/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/me/card/"
    assert response.content == b""
    assert client.get("/me/card/qr/").status_code == 302  # an ordinary request is redirected
