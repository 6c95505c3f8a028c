"""A headless Debian chromium for browser tests; a missing browser fails loudly."""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _drive(scenario: Callable) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(20_000)
            scenario(context.new_page())
        finally:
            browser.close()


@pytest.fixture
def run_in_browser():
    """Run `scenario(page)` in chromium, on a thread of its own.

    Playwright's sync API runs an event loop in the thread that starts it; kept off
    the test's thread, the test's ORM calls and later asyncio tests are unaffected.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Install it with: bash infra/scripts/install-browser.sh",
            pytrace=False,
        )

    def run(scenario: Callable) -> None:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(_drive, scenario).result(timeout=300)

    return run
