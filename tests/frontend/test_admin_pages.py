"""The managers' pages in a real browser: they fit a laptop and a phone, read in Chinese, pass
axe-core, and a training's progress shows live."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from challenges.models import ChallengeSession
from ml.models import ModelVersion
from tests.challenges.conftest import play
from tests.factories import ManagerFactory, UserFactory
from tests.frontend.admin import admin_log_in, axe_violations, overflow, with_axe
from tests.frontend.browser import fonts_with, platform_fonts, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

@pytest.fixture
def mina(db):
    return ManagerFactory(username="mina", display_name="Mina")

@pytest.fixture
def league(active_version, mina):
    """Trainees with long names, stores and flagged sessions: the widest rows a page gets."""
    alice = UserFactory(username="alice_from_the_central_store", display_name="Alice Wonderland",
                        store="Central station kiosk")
    bob = UserFactory(username="bob", display_name="$x^$", store="Harbour")
    carol = UserFactory(username="carol", display_name=r"$\undefinedcmd$", store="Harbour")
    for days_ago in (0, 1):
        play(alice, active_version, [(1, 1), (1, 0), (0, 1), (1, 1)], days_ago=days_ago)
    session = play(bob, active_version, [(1, 1), (0, 1)])
    ChallengeSession.objects.filter(id=session.id).update(
        flags=["fast_answers", "fast_perfect_streak"], ai_requests_refused=2
    )
    play(carol, active_version, [(1, 0)])
    return {"alice": alice, "bob": bob, "carol": carol}

def version_page(version) -> str:
    return reverse("admin:ml_modelversion_change", args=[version.pk])

def scoreboard_page(user) -> str:
    return reverse("admin:challenges_scoreboard_trainee", args=[user.pk])

MANAGER_PAGES = {
    "admin-index": "/admin/",
    "admin-scoreboard": "/admin/challenges/challengesession/scoreboard/",
    "admin-flower-samples": "/admin/ml/flowersample/",
    "admin-challenge-sessions": "/admin/challenges/challengesession/",
    "admin-model-versions": "/admin/ml/modelversion/",
}

@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_every_managers_page_fits_a_laptop_and_passes_axe(open_page, mina, league, locale):
    page, watch = open_page(f"admin-{locale}", viewport=LAPTOP, locale=locale)
    with_axe(page.context)
    admin_log_in(page, mina)
    pages = {
        **MANAGER_PAGES,
        "admin-scoreboard-trainee": scoreboard_page(league["alice"]),
        "admin-scoreboard-dollar": scoreboard_page(league["bob"]),
        "admin-model-version": version_page(ModelVersion.objects.get(number=1)),
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == (
            "zh-hans" if locale == "zh-CN" else "en"
        )
        size = overflow(page)
        screenshot(page, f"{name}-{locale}", full_page=True)
        assert size["document"] <= size["viewport"], (name, size)
        assert size["scrolled"] == [], (name, size)
        assert axe_violations(page) == [], name
    watch.check()

def test_the_columns_a_manager_reads_first_are_on_screen(open_page, mina, league):
    page, watch = open_page("admin-columns", viewport=LAPTOP)
    admin_log_in(page, mina)
    page.goto(MANAGER_PAGES["admin-challenge-sessions"])
    for column in ("trainee", "level", "flags_short", "model_version_number", "started"):
        expect(page.locator(f"th.column-{column}")).to_be_in_viewport()
    flagged = page.locator("td.field-flags_short span")
    expect(flagged).to_have_text("3 flags")
    expect(flagged).to_have_attribute("title", re.compile(
        r"^several answers faster .*; a streak of fast answers, all correct; asked the AI 2 "
    ))
    page.goto(MANAGER_PAGES["admin-scoreboard"])
    expect(page.locator("th.column-last_activity")).to_be_in_viewport()
    page.goto(MANAGER_PAGES["admin-model-versions"])
    expect(page.locator("th.column-duration")).to_be_in_viewport()
    watch.check()

def test_the_chinese_admin_names_species_and_lists_the_chinese_way(open_page, mina, league):
    page, watch = open_page("admin-zh", viewport=LAPTOP, locale="zh-CN")
    admin_log_in(page, mina)
    page.goto(MANAGER_PAGES["admin-flower-samples"])
    expect(page.locator("td.field-species").first).to_have_text("山鸢尾")
    # Drawn in a font that has the glyphs (bin/ensure-services installs one, as the image
    # does), so the screenshots show Chinese, not boxes.
    assert platform_fonts(page, "td.field-species") & fonts_with("鸢"), fonts_with("鸢")
    expect(page.locator("#changelist-filter")).to_contain_text("维吉尼亚鸢尾")
    page.goto(scoreboard_page(league["alice"]))
    expect(page.locator("#confusion-matrix thead")).to_contain_text("变色鸢尾")
    # The chart's labels are text, drawn by the browser: Chinese dates, no system font needed.
    chart = page.locator("#accuracy-chart svg")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("text").filter(has_text="月")).not_to_have_count(0)
    page.goto(version_page(ModelVersion.objects.get(number=1)))
    expect(page.locator("#levels")).to_contain_text("、")
    screenshot(page, "admin-model-version-zh", full_page=True)
    watch.check()

def test_a_dollar_in_a_display_name_is_shown_as_typed_in_the_chart(open_page, mina, league):
    page, watch = open_page("admin-dollar", viewport=LAPTOP)
    admin_log_in(page, mina)
    for user in (league["bob"], league["carol"]):
        page.goto(scoreboard_page(user))
        expect(page.locator("#accuracy-chart svg text").filter(
            has_text=f"{user.display_name} vs the AI, per day")).to_have_count(1)
    watch.check()

def test_on_a_phone_the_scoreboard_shows_accuracy_and_the_banner_is_compact(
    open_page, mina, league
):
    page, watch = open_page("admin-phone", viewport=PHONE)
    with_axe(page.context)
    admin_log_in(page, mina)
    page.goto(MANAGER_PAGES["admin-scoreboard"])
    # Who, and how well: the first columns; the rest scroll inside the table.
    for column in ("display_name", "accuracy", "score"):
        expect(page.locator(f"#scoreboard thead th.column-{column}")).to_be_in_viewport()
    size = overflow(page)
    assert size["document"] <= size["viewport"], size
    assert axe_violations(page) == []
    screenshot(page, "admin-scoreboard-phone", full_page=True)
    watch.check()

def test_the_favicon_is_served():
    from django.test import Client

    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon")

def test_a_training_shows_its_progress_live_in_the_list_and_on_its_page(
    open_page, mina, active_version
):
    running = ModelVersion.objects.create(
        number=2, status=ModelVersion.Status.TRAINING, trigger=ModelVersion.Trigger.MANAGER,
        triggered_by=mina, progress=0.1, progress_message="epoch 5 of 50",
    )
    page, watch = open_page("admin-progress", viewport=LAPTOP)
    admin_log_in(page, mina)
    page.goto(MANAGER_PAGES["admin-model-versions"])
    row = page.locator("tr").filter(has=page.locator("th.field-number", has_text="2"))
    bar = row.locator("progress.training-progress")
    expect(bar).to_have_attribute("value", "10")
    # The worker moves on; the page follows without a reload.
    ModelVersion.objects.filter(id=running.id).update(progress=0.6, progress_message="florist")
    expect(bar).to_have_js_property("value", 60)
    expect(row.locator(".training-progress-message")).to_have_text("60%: florist")
    ModelVersion.objects.filter(id=running.id).update(
        status=ModelVersion.Status.REJECTED, progress=1.0,
        gate={"passed": False, "min_accuracy": 0.9, "tolerance": 0.02, "reason": "floor"},
        metrics={"accuracy": 0.5},
    )
    expect(row.locator(".training-status-text")).to_have_text("rejected by the promotion gate")
    expect(bar).to_be_hidden()
    expect(row.locator("td.field-gate_short")).to_have_text("refused")
    expect(row.locator("td.field-accuracy_display")).to_have_text("50.0%")
    screenshot(page, "admin-model-versions-progress")
    watch.check()

def test_the_progress_view_answers_staff_only(client, mina, active_version):
    url = reverse("admin:ml_modelversion_progress", args=[active_version.pk])
    assert client.get(url).status_code == 302  # to the admin's login
    client.force_login(UserFactory(username="tess"))
    assert client.get(url).status_code == 302
    client.force_login(mina)
    body = client.get(url).json()
    assert body["status"] == "ready"
    assert body["running"] is False
    missing = client.get(reverse("admin:ml_modelversion_progress", args=[10**9]))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
