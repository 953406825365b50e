"""The trainee page in a real browser: study, practise, a challenge, the live scoreboard."""

import re
import struct
import time
import zlib

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.frontend.browser import HOME, log_in, screenshot
from tests.frontend.trainee import SPECIES_NAMES, options_loaded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def bob(other_trainee, active_version):
    """Bob, of another store, who watches Alice on the live scoreboard."""
    return other_trainee


def focused_class(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.className")


def study_a_flower(page):
    with page.expect_response(re.compile(r"/api/v1/flowers/random/")) as answer:
        page.get_by_role("button", name="Show iris").click()
    flower = answer.value.json()
    name = page.locator(".study_name")
    expect(name).to_have_text(SPECIES_NAMES[flower["name"]])
    # The bar chart: one bar per measurement, labelled with its value.
    expect(page.locator(".study_chart .chart_bar")).to_have_count(4)
    expect(page.locator(".study_chart .chart_values text")).to_have_text(
        [f"{v:.1f}" for v in flower["data"]["values"]]
    )
    # The drawn flower: three sepals and three petals, scaled to this flower.
    expect(page.locator(".study_flower .flower_sepal")).to_have_count(3)
    expect(page.locator(".study_flower .flower_petal")).to_have_count(3)
    label = page.locator(".study_flower svg").get_attribute("aria-label")
    sepal_length, _, petal_length, _ = flower["data"]["values"]
    assert f"sepals {sepal_length:.1f} cm long" in label
    assert f"petals {petal_length:.1f} cm long" in label
    # Sepal 0 hangs down, petal 0 stands up: their heights are their lengths, drawn to scale.
    height = "e => e.getBBox().height"  # without the stroke
    sepal_height = page.locator(".study_flower .flower_sepal").first.evaluate(height)
    petal_height = page.locator(".study_flower .flower_petal").first.evaluate(height)
    assert sepal_height / petal_height == pytest.approx(sepal_length / petal_length, rel=0.02)
    # No photo uploaded: the drawing alone, and no <img> that could show broken.
    assert flower["url"] is None
    expect(page.locator(".picture_pane")).to_have_class(re.compile(r"\bno_photo\b"))
    expect(page.locator(".study_photo")).to_have_count(0)
    expect(page.locator(".photo_figure")).to_be_hidden()
    return flower


def practise_once(page):
    page.get_by_role("button", name="New practice flower").click()
    first_guess = page.locator(".practice_guess").first
    expect(first_guess).to_be_enabled()
    expect(first_guess).to_be_focused()
    expect(page.locator(".practice_flower .flower_petal")).to_have_count(3)
    # Guess with the keyboard.
    with page.expect_response(re.compile(r"/api/v1/practice/\d+/answer/")) as answer:
        page.keyboard.press("Enter")
    result = answer.value.json()
    verdict = "Right" if result["correct"] else "Not this time"
    expect(page.locator(".practice_verdict")).to_contain_text(verdict)
    expect(page.locator(".practice_verdict")).to_contain_text(
        SPECIES_NAMES[result["correct_species"]]
    )
    expect(page.locator(".practice_ai")).to_contain_text("The AI said")
    expect(page.locator(".practice_streak")).to_have_text(f"Streak: {result['streak']}")
    expect(page.locator(".practice_guess.is_correct")).to_have_count(1)
    # The guess buttons are disabled now; focus moves on to the next step.
    expect(page.get_by_role("button", name="Next practice flower")).to_be_focused()
    # Why, as in the challenge's reveal: the four measurements in each species' range.
    expect(page.locator(".practice_ranges .strip_row")).to_have_count(4)
    expect(page.locator(".practice_reason")).to_have_count(4)
    return result


def play_challenge(page, rounds: int):
    page.get_by_role("button", name="Challenge", exact=True).click()
    expect(page.locator(".challenge_section")).to_be_focused()
    options_loaded(page)
    # The server's default opponent is chosen.
    expect(page.locator(".level_choice:checked")).to_have_attribute("value", "apprentice")
    page.get_by_label("Number of rounds").fill(str(rounds))
    with page.expect_response(re.compile(r"/api/v1/challenges/$")) as started:
        page.get_by_role("button", name="Start challenge").click()
    challenge = started.value.json()
    assert challenge["rounds_count"] == rounds
    results = []
    for n in range(1, rounds + 1):
        expect(page.locator(".round_title")).to_have_text(f"Round {n} of {rounds}")
        expect(page.locator(".round_title")).to_be_focused()
        expect(page.locator(".round_opponent")).to_have_text("Against the Apprentice")
        # Never the photo during a round: it would give the species away.
        expect(page.locator(".challenge_play img")).to_have_count(0)
        expect(page.locator(".round_flower .flower_petal")).to_have_count(3)
        expect(page.locator(".round_chart .chart_bar")).to_have_count(4)
        expect(page.locator(".round_reveal")).to_have_attribute("data-state", "waiting")
        with page.expect_response(re.compile(r"/api/v1/challenges/\d+/rounds/\d+/answer/")) as a:
            if n == 1:  # by keyboard: Tab from the round's heading reaches the first guess
                page.keyboard.press("Tab")
                expect(page.locator(".round_guess").first).to_be_focused()
                page.keyboard.press("Enter")
            else:
                page.locator(".round_guess").nth(n % 3).click()
        result = a.value.json()
        results.append(result)
        reveal = page.locator(".round_reveal")
        expect(reveal).to_have_attribute("data-state", "revealed")
        expect(page.locator(".reveal_verdict")).to_contain_text(
            SPECIES_NAMES[result["correct_species"]]
        )
        expect(page.locator(".reveal_ai")).to_contain_text(SPECIES_NAMES[result["ai_guess"]])
        expect(page.locator(".reveal_ai")).to_contain_text(
            f"{round(result['ai_confidence'] * 100)}% sure"
        )
        score = f"You {result['score']['trainee']} · AI {result['score']['ai']}"
        expect(page.locator(".challenge_score")).to_have_text(score)
        # Why: the four measurements placed in each species' range.
        expect(page.locator(".round_ranges .strip_row")).to_have_count(4)
        expect(page.locator(".round_ranges .strip_marker")).to_have_count(5)  # + legend
        expect(page.locator(".round_reason")).to_have_count(4)
        next_button = page.locator(".round_next")
        expect(next_button).to_be_focused()
        expect(next_button).to_have_text("See the result" if n == rounds else "Next round")
        if n == 1:
            screenshot(page.locator(".challenge_section"), "challenge-round-revealed")
        if n < rounds:
            page.keyboard.press("Enter")
    return results


def test_a_trainee_studies_practises_plays_and_sees_the_live_scoreboard(open_page, alice, bob):
    page, watch = open_page("alice")
    log_in(page, alice)

    banner = page.locator(".site-banner")
    expect(banner.locator(".banner_user")).to_have_text("Signed in as Alice")
    expect(banner.locator(".nav_button")).to_have_text(
        ["Training", "Challenge", "My progress", "Scoreboard"]
    )
    screenshot(banner, "banner")

    # Training: study a flower, then practise once.
    study_a_flower(page)
    practise_once(page)
    screenshot(page.locator(".training_section"), "training")

    # Bob watches the scoreboard in his own browser.
    bob_page, bob_watch = open_page("bob")
    log_in(bob_page, bob)
    alice_row_for_bob = bob_page.locator('.board_row[data-username="alice"]')
    expect(alice_row_for_bob.locator('[data-column="rounds"]')).to_have_text("0")
    expect(bob_page.locator('.board_row[aria-current="true"]')).to_have_attribute(
        "data-username", "bob"
    )

    # The challenge: 3 rounds, the reveal after each, the summary at the end.
    results = play_challenge(page, rounds=3)
    finished_at = time.monotonic()
    last = results[-1]
    assert last["finished"] is True
    assert last["outcome"] in ("win", "draw", "loss")
    page.keyboard.press("Enter")  # "See the result"
    summary = page.locator(".challenge_summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("data-outcome", last["outcome"])
    expect(page.locator(".summary_title")).to_have_text(
        {"win": "You beat the AI!", "draw": "A draw: you matched the AI.",
         "loss": "The AI won this time."}[last["outcome"]]
    )
    expect(page.locator(".summary_score")).to_have_text(
        f"Final score over 3 rounds: you {last['score']['trainee']}, the AI {last['score']['ai']}."
    )
    expect(page.locator(".summary_level")).to_have_text("You played against the Apprentice.")
    expect(page.locator(".summary_round")).to_have_count(3)
    expect(page.locator(".summary_title")).to_be_focused()
    screenshot(page.locator(".challenge_section"), "challenge-summary")

    # Bob's scoreboard shows Alice's rounds within 5 s, without a reload.
    expect(alice_row_for_bob.locator('[data-column="rounds"]')).to_have_text("3", timeout=5_000)
    assert time.monotonic() - finished_at < 5
    correct = sum(r["correct"] for r in results)
    expect(alice_row_for_bob.locator('[data-column="accuracy"]')).to_have_text(
        f"{round(correct / 3 * 100)}%"
    )
    expect(alice_row_for_bob.locator('[data-column="record"]')).to_have_text(
        {"win": "1 · 0 · 0", "draw": "0 · 1 · 0", "loss": "0 · 0 · 1"}[last["outcome"]]
    )
    expect(alice_row_for_bob.locator('[data-column="levels"]')).to_have_text(
        f"Apprentice {int(last['outcome'] == 'win')}/1"
    )
    # 3 rounds are too few to be ranked: no rank, and the reason where the score would be.
    expect(alice_row_for_bob).to_have_attribute("data-ranked", "false")
    expect(alice_row_for_bob.locator('[data-column="rank"]')).to_have_text("—")
    expect(alice_row_for_bob.locator('[data-column="score"]')).to_have_text(
        "7 more challenge rounds to be ranked"
    )
    expect(bob_page.locator(".board_group")).to_have_text("Not ranked yet")
    expect(bob_page.locator(".board_note")).to_contain_text("At least 10 rounds to be ranked.")
    expect(bob_page.locator(".board_chart .board_bar_row")).to_have_count(1)
    screenshot(bob_page.locator(".scoreboard_section"), "scoreboard-seen-by-another-trainee")

    # Alice's own scoreboard highlights her, in the table and the chart.
    my_row = page.locator('.board_row[aria-current="true"]')
    expect(my_row).to_have_attribute("data-username", "alice")
    expect(my_row.locator('[data-column="name"]')).to_have_text("Alice (you)")
    expect(page.locator(".board_chart .board_me")).to_have_count(1)
    expect(page.locator(".board_chart .chart_legend text")).to_contain_text(["You"])
    expect(page.locator(".board_you")).to_contain_text("right over 3 rounds")
    screenshot(page.locator(".scoreboard_section"), "scoreboard")

    # Log out: a POST form with the CSRF token, back to the login page.
    with watch.navigating_away():
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(re.compile(r"/accounts/login/$"))
        expect(page.get_by_label("Username")).to_be_visible()
        page.goto("/")  # the session is gone
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    watch.check()
    bob_watch.check()


def test_the_login_page_matches_the_trainee_page(open_page, alice):
    page, watch = open_page("login")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".site-banner .site-brand")).to_contain_text("Flower Power")
    screenshot(page, "login")
    log_in(page, alice)
    expect(page).to_have_url(HOME)
    watch.check()


def test_the_page_fits_a_375px_phone(open_page, alice):
    page, watch = open_page("phone", viewport={"width": 375, "height": 740})
    log_in(page, alice)

    def no_horizontal_scroll():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width}px wide on a 375px screen"

    no_horizontal_scroll()
    page.get_by_role("button", name="Show iris").click()
    expect(page.locator(".study_flower .flower_petal")).to_have_count(3)
    expect(page.locator(".picture_pane")).to_have_class(re.compile(r"\bno_photo\b"))
    expect(page.locator(".rule").first).to_be_visible()
    expect(page.locator(".compare_row")).to_have_count(4)
    no_horizontal_scroll()
    screenshot(page.locator(".compare_card"), "phone-375-compare")
    practise_once(page)
    no_horizontal_scroll()
    options_loaded(page)
    expect(page.locator(".level_choice")).to_have_count(3)
    screenshot(page.locator(".challenge_setup"), "phone-375-level-picker")
    page.get_by_label("Number of rounds").fill("1")
    page.get_by_role("button", name="Start challenge").click()
    page.locator(".round_guess").first.click()
    expect(page.locator(".round_reveal")).to_have_attribute("data-state", "revealed")
    no_horizontal_scroll()
    screenshot(page.locator(".challenge_play"), "phone-375-round")
    page.get_by_role("button", name="See the result").click()
    expect(page.locator(".challenge_summary")).to_be_visible()
    expect(page.locator('.board_row[data-username="alice"] [data-column="rounds"]')).to_have_text(
        "1", timeout=5_000
    )
    expect(page.locator(".board_you")).to_contain_text("right over 1 round")
    # On a phone the scoreboard still shows how well each trainee did, without scrolling sideways.
    alice_accuracy = page.locator('.board_row[data-username="alice"] [data-column="accuracy"]')
    alice_accuracy.scroll_into_view_if_needed()
    expect(alice_accuracy).to_be_in_viewport()
    # My progress, refreshed after the challenge: one point per line, the rank to come.
    expect(page.locator(".progress_chart .progress_dots_you circle")).to_have_count(1)
    expect(page.locator(".progress_rank")).to_have_text(
        "Play 9 more challenge rounds to be ranked."
    )
    no_horizontal_scroll()
    screenshot(page.locator(".progress_section"), "phone-375-progress")
    screenshot(page, "phone-375", full_page=True)
    watch.check()


def test_a_challenge_without_an_ai_model_shows_why_it_cannot_start(open_page, flowers):
    page, watch = open_page("no model")
    watch.expected.add(("/api/v1/challenges/", 503))
    log_in(page, UserFactory(username="carol"))
    options_loaded(page)
    status = page.locator(".challenge_status")
    expect(status).to_contain_text("The AI has no model yet")
    # Every opponent is shown, none can be chosen.
    expect(page.locator(".level_choice")).to_have_count(3)
    expect(page.locator(".level_choice:enabled")).to_have_count(0)
    expect(page.locator(".level_choice_field").first).to_contain_text("not trained yet")
    # 30 test flowers: at most 30 rounds, from the server.
    expect(page.get_by_label("Number of rounds")).to_have_attribute("max", "30")
    page.get_by_label("Number of rounds").fill("31")
    page.get_by_role("button", name="Start challenge").click()
    expect(status).to_have_attribute("role", "alert")
    expect(status).to_contain_text("from 1 to 30")
    expect(page.get_by_label("Number of rounds")).to_be_focused()
    expect(page.get_by_label("Number of rounds")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Number of rounds").fill("3")
    with page.expect_response(re.compile(r"/api/v1/challenges/$")) as started:
        page.get_by_role("button", name="Start challenge").click()
    assert started.value.status == 503
    expect(status).to_contain_text("no active model")
    expect(page.get_by_role("button", name="Start challenge")).to_be_enabled()
    expect(page.locator(".challenge_play")).to_be_hidden()
    screenshot(page.locator(".challenge_section"), "challenge-error")
    watch.check()


def png(width: int = 24, height: int = 24) -> bytes:
    """A valid PNG of one colour, built by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\x7b\x5e\xa7" * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


def test_the_species_photo_is_the_projects_own_with_its_attribution(open_page, alice):
    from ml.models import SpeciesPhoto

    for species in SPECIES_NAMES:
        SpeciesPhoto.objects.create(
            species=species, image=png(), content_type="image/png",
            attribution=f"{species} by A. Gardener, CC BY-SA 4.0",
        )
    page, watch = open_page("photo")
    log_in(page, alice)
    with page.expect_response(re.compile(r"/api/v1/flowers/random/")) as answer:
        page.get_by_role("button", name="Show iris").click()
    flower = answer.value.json()
    assert flower["url"].startswith("/flowers/photos/")
    image = page.locator(".study_photo")
    expect(image).to_be_visible()
    alt = re.compile(r"^A typical Iris \w+ \(not this very flower\)$")
    expect(image).to_have_attribute("alt", alt)
    expect(image).to_have_attribute("src", flower["url"])
    # A property, not wait_for_function: its string predicate is an eval, which the page's
    # Content-Security-Policy (no 'unsafe-eval') refuses.
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("i => i.naturalWidth") == 24
    expect(page.locator(".photo_attribution")).to_have_text(
        f"Photo: {flower['name']} by A. Gardener, CC BY-SA 4.0"
    )
    pane = page.locator(".picture_pane")
    expect(pane).not_to_have_class(re.compile(r"photo_(failed|loading)|no_photo"))
    expect(page.locator(".study_flower .flower_petal")).to_have_count(3)
    screenshot(page.locator(".study_card"), "training-photo")
    assert not watch.outside
    watch.check()
