"""Playwright fixtures for real-browser tests, shared by every app through shopdesk/conftest.py.

Uses the system's Chromium (Debian: apt-get install chromium); a browser is never downloaded.
Tests that use `page` must be marked `@pytest.mark.browser` and run against pytest-django's
`live_server`, which shares the in-memory SQLite connection with the server thread (and on
PostgreSQL reads the rows the test committed, hence `transactional_db`).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from pytest_django.live_server_helper import LiveServer

if TYPE_CHECKING:
    # Imported for types only: without Playwright the browser tests skip instead of erroring.
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "pw-test-123"  # the password UserFactory gives every user


# Module scope: Playwright's sync API runs an event loop in this thread while the browser is
# open, and Django's per-thread connections opened inside it would outlive the session on
# PostgreSQL (the test database could then not be dropped). Closing it with each module keeps
# the other modules' tests outside that loop.
@pytest.fixture(scope="module")
def chromium(django_db_setup: None, live_server: LiveServer) -> Iterator["Browser"]:
    """The system Chromium, set up after (so closed before) the test database and live server."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with pytest.MonkeyPatch.context() as mp:
        # Playwright's sync API keeps an asyncio loop in this thread, which makes Django refuse
        # ORM calls from the test body ("SynchronousOnlyOperation") although they are sync.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(transactional_db: None, live_server: LiveServer, chromium: "Browser") -> Iterator["Page"]:
    """A fresh browser tab (own cookies) whose relative URLs go to the live server, in Chinese."""
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1360, "height": 900}
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def log_in(page: "Page", username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page: "Page", name: str) -> Path:
    """Save a full-page PNG under var/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
