from __future__ import annotations

import pytest

from gonghui.accounts.models import ApiToken, hash_token
from gonghui.accounts.tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_member_creates_a_token_sees_it_once_and_revokes_it(client):
    user = make_member()
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "  我的脚本 ", "expires_in_days": "30"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "我的脚本"
    raw = html.split('data-testid="new-token">')[1].split("<")[0]
    assert raw.startswith("gh_")
    assert hash_token(raw) == token.token_hash
    assert raw not in client.get("/accounts/tokens/").content.decode()

    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_bad_token_form_input_gets_field_errors_and_writes_nothing(client):
    user = make_member()
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "   ", "expires_in_days": "9999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请为令牌起个名字" in html
    assert not ApiToken.objects.exists()


def test_revoking_someone_elses_token_changes_nothing(client):
    owner = make_member()
    other = make_member("13900139000")
    token = ApiToken.objects.create(user=owner, name="x", prefix="gh_x", token_hash="0" * 64)
    client.force_login(other)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_pages_need_a_signed_in_user(client):
    assert client.get("/accounts/tokens/").status_code == 302
