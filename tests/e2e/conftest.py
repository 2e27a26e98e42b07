"""Browser fixtures: Debian's Chromium through Playwright, one fresh tab per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.kit import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, VIEWPORT

# a developer's machine may lack Chromium; CI installs it and fails loudly when it cannot
if not CHROMIUM.exists() and "CI" not in os.environ:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Return Debian's Chromium driven by Playwright (never Playwright's own download)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: CI must install Debian's chromium package "
            "(.ci/run does this with apt-get) before the browser tests run."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Return a fresh tab (own cookies, own Streamlit session)."""
    context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()
