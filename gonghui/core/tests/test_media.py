"""Public uploads: only the public sections of MEDIA_ROOT are served; personal files never are."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "benefits" / "merchants").mkdir(parents=True)
    (tmp_path / "benefits" / "merchants" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "roster_exports").mkdir()
    (tmp_path / "roster_exports" / "members.xlsx").write_bytes(b"personal data")
    return tmp_path


def test_a_merchant_photo_is_served_with_a_long_cache(media):
    response = Client().get("/media/benefits/merchants/photo.png")

    assert response.status_code == 200
    assert response.getvalue() == b"\x89PNG\r\n\x1a\nfake"
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        "/media/roster_exports/members.xlsx",
        "/media/benefits/../roster_exports/members.xlsx",
        "/media/benefits/%2e%2e/roster_exports/members.xlsx",
        "/media/benefits/merchants/missing.png",
        "/media/benefits/",
    ],
)
def test_nothing_outside_the_public_sections_is_served(media, url):
    assert Client().get(url).status_code == 404


def test_writes_are_refused(media):
    assert Client().post("/media/benefits/merchants/photo.png").status_code == 405
