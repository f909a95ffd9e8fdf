"""Real-browser fixtures: Debian's Chromium driven by Playwright (see shared TESTING.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from deckpoll.chromium import HEADLESS_ARGS, find_chromium

CHROMIUM_ARGS = list(HEADLESS_ARGS)
REPO = Path(__file__).resolve().parents[2]


def chromium_path() -> str | None:
    """The Chromium binary to drive: $CHROMIUM_BIN, else Debian's /usr/bin/chromium."""
    return find_chromium()


def _unavailable(reason: str) -> None:
    if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser required (E2E_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session."""
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser context (one user) at 1280x720. The page's own Content-Security-Policy
    forbids eval, which Playwright's `wait_for_function` polling needs: bypassed here, and
    checked without bypass in test_offline_csp.py."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page in a fresh context; console errors fail the test."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def axe_js() -> str:
    for candidate in (os.environ.get("AXE_CORE_JS"), REPO / "node_modules/axe-core/axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
        pytest.fail("axe-core not found: run `npm install --no-save axe-core` at the repo root")
    pytest.skip("axe-core not found (npm install --no-save axe-core, or set AXE_CORE_JS)")
