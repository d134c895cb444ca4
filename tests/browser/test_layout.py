"""Browser tests live here, and only here: a test module elsewhere that imports this folder's
session-scoped `browser` fixture starts a second Playwright in the same worker, which then
refuses every later browser test ("Sync API inside the asyncio loop")."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_app_test_module_uses_the_browser_fixtures() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "gonghui").rglob("test_*.py")
        if "tests.browser.conftest" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
