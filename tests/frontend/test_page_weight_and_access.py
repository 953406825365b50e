"""The trainee page's weight on a cold load, and axe-core on the trainee and login pages."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.frontend.admin import axe_violations, with_axe
from tests.frontend.browser import log_in, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BUDGET = 150 * 1024
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # ManifestStaticFilesStorage: name.<12 hex>.ext
ONE_YEAR = 365 * 24 * 3600


def cold_load(page) -> dict[str, dict]:
    """Load / in a context with an empty cache: {url: {bytes, headers}} of what the network
    carried (Chromium's encodedDataLength: compressed body and headers)."""
    responses, sizes = {}, {}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.responseReceived", lambda event: responses.__setitem__(
        event["requestId"], event["response"]))
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(
        event["requestId"], event["encodedDataLength"]))
    page.goto("/")
    page.locator(".scoreboard_section").wait_for()
    page.wait_for_load_state("networkidle")
    return {
        responses[request]["url"]: {
            "bytes": size,
            "headers": {k.lower(): v for k, v in responses[request]["headers"].items()},
        }
        for request, size in sizes.items()
    }


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_trainee_page_weighs_under_150_kib_cold_as_production_serves_it(
    open_page, active_version, production_server, locale
):
    page, watch = open_page("weight", server=production_server.url)
    log_in(page, UserFactory(username="alice", display_name="Alice"))
    # The cold context asks for its language (Accept-Language): the JS catalog grows with it.
    cold, cold_watch = open_page("weight-cold", locale=locale, server=production_server.url)
    cold.context.add_cookies(page.context.cookies())
    loaded = cold_load(cold)
    total = sum(response["bytes"] for response in loaded.values())
    print(f"\ntrainee page ({locale}), cold: {total / 1024:.1f} KiB in {len(loaded)} responses")
    for url, response in sorted(loaded.items(), key=lambda item: -item[1]["bytes"]):
        encoding = response["headers"].get("content-encoding", "-")
        print(f"  {response['bytes'] / 1024:6.1f} KiB {encoding:4} {urlsplit(url).path}")
    assert total < BUDGET, f"{total / 1024:.1f} KiB"
    catalog = next(r["headers"] for url, r in loaded.items() if urlsplit(url).path == "/jsi18n/")
    assert catalog.get("content-encoding") == "gzip", catalog

    static = {urlsplit(url).path: r["headers"] for url, r in loaded.items() if "/static/" in url}
    assert any(path.endswith(".js") for path in static) and any(
        path.endswith(".css") for path in static)
    for path, headers in static.items():
        # Hashed names, so a new release is a new URL and the old one can be cached for ever.
        assert HASHED.search(path), path
        cache_control = headers.get("cache-control", "")
        assert "immutable" in cache_control, (path, cache_control)
        max_age = re.search(r"max-age=(\d+)", cache_control)
        assert max_age and int(max_age.group(1)) >= ONE_YEAR, (path, cache_control)
        if path.endswith((".js", ".css", ".svg")):
            assert headers.get("content-encoding") in ("gzip", "br"), (path, headers)
    watch.check()
    cold_watch.check()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_login_and_trainee_pages_pass_axe(open_page, active_version, locale):
    page, watch = open_page(f"axe-{locale}", locale=locale)
    with_axe(page.context)
    page.goto("/accounts/login/")
    assert axe_violations(page) == [], "login"
    user = UserFactory(username="alice", display_name="Alice")
    page.get_by_label("Username" if locale == "en-US" else "用户名").fill(user.username)
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("button.primary").click()
    page.locator(".scoreboard_section").wait_for()
    page.wait_for_load_state("networkidle")
    screenshot(page, f"trainee-page-{locale}", full_page=True)
    assert axe_violations(page) == [], "trainee page"
    watch.check()


def test_on_a_phone_the_banner_is_compact_and_every_control_stays_reachable(
    open_page, active_version
):
    page, watch = open_page("phone-banner", viewport={"width": 375, "height": 740})
    with_axe(page.context)
    log_in(page, UserFactory(username="alice", display_name="Alice"))
    banner = page.locator(".site-banner")
    height = banner.evaluate("e => e.getBoundingClientRect().height")
    screenshot(page, "trainee-banner-phone")
    assert height <= 120, height

    # Every section is one tap away, and the keyboard walks through them in order.
    sections = banner.get_by_role("navigation", name="Sections").get_by_role("button")
    expect(sections).to_have_text(["Training", "Challenge", "My progress", "Scoreboard"])
    banner.locator(".site-brand").focus()
    for n in range(4):
        page.keyboard.press("Tab")
        expect(sections.nth(n)).to_be_focused()
        expect(sections.nth(n)).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator(".scoreboard_section")).to_be_focused()

    # The account and the language switch fold behind the Menu button, a disclosure.
    menu_button = banner.get_by_role("button", name="Menu")
    log_out = banner.get_by_role("button", name="Log out")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(log_out).to_be_hidden()
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(banner.get_by_text("Signed in as Alice")).to_be_visible()
    expect(log_out).to_be_visible()
    expect(banner.get_by_label("Language")).to_be_visible()
    screenshot(page, "trainee-banner-phone-menu")
    assert axe_violations(page) == [], "open menu"
    page.keyboard.press("Tab")
    expect(log_out).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu_button).to_be_focused()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(log_out).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    watch.check()
