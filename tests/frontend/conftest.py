"""Real-browser tests: Debian's Chromium, driven by Playwright's sync API, against the live server.

The browser reaches nothing but the live server: every other host is aborted, and counted. The
page must make no such request at all (no CDN, species photos served by the app itself), so a
test fails on the first one, as on any console error, uncaught exception, failed same-origin
request or unexpected same-origin response >= 400 (see browser.PageWatch).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.frontend.browser import LOCAL_HOST, PageWatch, outside
from tests.frontend.production import production_server, production_static_root  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module."""
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django then
    # refuses ORM calls from it (the test's own, and pytest-django's database flushes). Only
    # while the browser lives: the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def base_url(live_server):
    # The live server listens on localhost = 127.0.0.1; use the address, so "same origin"
    # and "blocked outside host" are plain to read.
    parts = urlsplit(live_server.url)
    return f"{parts.scheme}://{LOCAL_HOST}:{parts.port}"


@pytest.fixture
def open_page(browser, base_url):
    """open_page(name, viewport=..., server=...) -> (page, watch): a fresh, offline browser
    context, on the live server or another one (server: its url)."""
    contexts, watches = [], []

    def open_one(name: str, viewport=None, locale: str = "en-US", server: str | None = None):
        context = browser.new_context(
            base_url=server or base_url,
            viewport=viewport or {"width": 1280, "height": 900},
            reduced_motion="reduce",
            locale=locale,
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        watch = PageWatch(page, name)

        def block_outside(route):
            if outside(route.request.url):
                watch.outside_request(route.request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", block_outside)
        contexts.append(context)
        watches.append(watch)
        return page, watch

    yield open_one
    for watch in watches:
        watch.closed = True
    for context in contexts:
        context.close()
    problems = [p for w in watches for p in w.problems]
    if problems:
        pytest.fail("browser problems: " + "; ".join(problems))


@pytest.fixture
def alice(trainee, active_version):
    """Alice, a trainee, with a trained model and its levels to play against."""
    return trainee
