from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        GONGHUI_MODE="production",
        SECRET_KEY="x" * 60 + "production-secret-for-the-check",
        FIELD_ENCRYPTION_KEY="k1:" + base64.b64encode(b"\x01" * 32).decode(),
        BLIND_INDEX_KEY="b" * 64,
        ALLOWED_HOSTS="gonghui.example.org",
        SMS_BACKEND="gonghui.core.sms.ConsoleSmsBackend",
        GONGHUI_VAR_DIR=str(ROOT / "var" / "check-deploy"),
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_reports_nothing_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "SMS_BACKEND"])
def test_production_mode_refuses_to_start_without_its_secrets(missing):
    env = _production_env()
    del env[missing]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_a_malformed_encryption_key_is_refused_with_a_clear_message():
    result = _manage("check", env=_production_env(FIELD_ENCRYPTION_KEY="k1:not-base64!"))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_csp_and_the_usual_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_no_page_html_contains_inline_scripts_or_styles(client):
    html = client.get("/").content.decode()
    assert "<style" not in html
    assert ' style="' not in html
    for chunk in html.split("<script")[1:]:
        assert chunk.split(">")[0].strip().startswith("src=") or " src=" in chunk.split(">")[0]


@pytest.mark.django_db
def test_permissions_policy_allows_geolocation_only_for_our_own_pages(client):
    policy = client.get("/")["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    assert "microphone=()" in policy
