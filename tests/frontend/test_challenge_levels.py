"""Challenges in a real browser: choosing the opponent, winning, resuming after a reload,
practice refused during a challenge, giving up."""

import re

import pytest
from playwright.sync_api import expect

from tests.frontend import trainee as ui
from tests.frontend.browser import log_in, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_trainee_who_practised_beats_the_apprentice_over_every_test_flower(open_page, alice):
    page, watch = open_page("win")
    log_in(page, alice)
    for _ in range(3):
        ui.practise(page)
    expect(page.locator(".practice_weights")).to_contain_text(
        "Practice draws more of the species you get wrong"
    )

    # The opponents, as the server measured them, before starting.
    with watch.navigating_away(), page.expect_response(
        re.compile(r"/api/v1/challenges/options/")
    ) as loaded:
        page.reload()
    options = loaded.value.json()
    ui.options_loaded(page)
    apprentice = next(level for level in options["levels"] if level["level"] == "apprentice")
    assert options["default_level"] == "apprentice" and apprentice["available"]
    percent = round(apprentice["accuracy"] * 100)
    expect(page.locator('.level_choice_field[data-level="apprentice"]')).to_have_text(
        f"Apprentice — looks only at the sepals — right {percent}% of the time on the test flowers"
    )
    expect(page.locator(".level_choice:checked")).to_have_attribute("value", "apprentice")
    rounds = page.get_by_label("Number of rounds")
    expect(rounds).to_have_attribute("max", str(options["max_rounds"]))
    expect(rounds).to_have_value(str(options["default_rounds"]))
    assert options["max_rounds"] == 30  # the 30 test flowers
    screenshot(page.locator(".challenge_setup"), "challenge-level-picker")

    # The Apprentice is right about 77% of the time: over all 30 flowers, a trainee who is
    # always right wins for certain.
    challenge = ui.start_challenge(page, rounds=30)
    assert challenge["level"] == "apprentice"
    expect(page.locator(".round_opponent")).to_have_text("Against the Apprentice")
    for n in range(1, 31):
        result = ui.answer_round(page, challenge, n, ui.the_answer(challenge["id"], n))
        assert result["correct"]
        ui.next_round(page)
    assert result["finished"] and result["outcome"] == "win"
    assert result["score"]["trainee"] == 30 > result["score"]["ai"]
    expect(page.locator(".summary_title")).to_have_text("You beat the AI!")
    expect(page.locator(".summary_level")).to_have_text("You played against the Apprentice.")
    expect(page.locator(".summary_round")).to_have_count(30)
    screenshot(page.locator(".challenge_summary"), "challenge-won")

    # My progress follows: one challenge, ranked first of one.
    expect(page.locator(".progress_chart .progress_dots_you circle")).to_have_count(1)
    expect(page.locator(".progress_rank")).to_have_text("You are 1st of 1: nobody is ahead of you.")
    expect(page.locator('.board_row[data-username="alice"] [data-column="rank"]')).to_have_text(
        "1", timeout=5_000
    )
    expect(page.locator('.board_row[data-username="alice"] [data-column="levels"]')).to_have_text(
        "Apprentice 1/1"
    )
    watch.check()


def test_a_reload_mid_challenge_continues_where_it_stopped_and_giving_up_is_a_loss(
    open_page, alice
):
    page, watch = open_page("resume")
    log_in(page, alice)
    challenge = ui.start_challenge(page, rounds=5, level="florist")
    expect(page.locator(".round_opponent")).to_have_text("Against the Florist")
    first = ui.answer_round(page, challenge, 1, ui.the_answer(challenge["id"], 1))
    ui.next_round(page)
    second = ui.answer_round(page, challenge, 2, ui.a_wrong_answer(challenge["id"], 2))
    assert first["correct"] and not second["correct"]
    score = f"You {second['score']['trainee']} · AI {second['score']['ai']}"

    # A reload: the challenge continues at round 3, score and progress kept.
    with watch.navigating_away(), page.expect_response(
        re.compile(rf"/api/v1/challenges/{challenge['id']}/$")
    ):
        page.reload()
    expect(page.locator(".challenge_note")).to_have_text(
        "Welcome back: your challenge continues at round 3."
    )
    expect(page.locator(".round_title")).to_have_text("Round 3 of 5")
    expect(page.locator(".challenge_score")).to_have_text(score)
    expect(page.locator(".round_opponent")).to_have_text("Against the Florist")
    assert page.locator(".round_progress").evaluate("p => p.value") == 2
    expect(page.locator(".challenge_setup")).to_be_hidden()
    screenshot(page.locator(".challenge_section"), "challenge-resumed")

    # Practice is refused while the challenge is open: the server's message, a way back.
    watch.expected.add(("/api/v1/practice/", 409))
    with page.expect_response(re.compile(r"/api/v1/practice/$")) as refused:
        page.get_by_role("button", name="New practice flower").click()
    assert refused.value.status == 409
    message = refused.value.json()["error"]["message"]
    blocked = page.locator(".practice_blocked")
    expect(blocked).to_be_visible()
    expect(page.locator(".practice_blocked_text")).to_have_text(message)
    expect(page.locator(".practice_status")).not_to_have_attribute("data-kind", "error")
    screenshot(page.locator(".practice_card"), "practice-refused-during-a-challenge")
    page.get_by_role("button", name="Go to the challenge").click()
    expect(page.locator(".challenge_section")).to_be_focused()
    expect(page.locator(".challenge_section")).to_be_in_viewport()

    # The rest of the rounds, then give up: asked first, then a loss.
    third = ui.answer_round(page, challenge, 3, ui.the_answer(challenge["id"], 3))
    page.get_by_role("button", name="Give up").click()
    expect(page.locator(".give_up_confirm")).to_be_visible()
    expect(page.get_by_role("button", name="Keep playing")).to_be_focused()
    page.keyboard.press("Enter")  # keep playing
    expect(page.locator(".give_up_confirm")).to_be_hidden()
    expect(page.locator(".challenge_play")).to_be_visible()
    page.get_by_role("button", name="Give up").click()
    screenshot(page.locator(".challenge_play"), "challenge-give-up-confirm")
    give_up = re.compile(rf"/api/v1/challenges/{challenge['id']}/give-up/")
    with page.expect_response(give_up) as gave:
        page.get_by_role("button", name="Yes, give up").click()
    session = gave.value.json()
    assert session["status"] == "abandoned" and session["outcome"] == "loss"
    summary = page.locator(".challenge_summary")
    expect(summary).to_have_attribute("data-outcome", "loss")
    expect(page.locator(".summary_title")).to_have_text("You gave up: it counts as a loss.")
    expect(page.locator(".summary_title")).to_be_focused()
    expect(page.locator(".summary_score")).to_contain_text("You gave up after 3 of 5 rounds")
    expect(page.locator(".summary_round")).to_have_count(5)
    expect(page.locator('.summary_round[data-you="unanswered"]')).to_have_count(2)
    assert third["score"]["trainee"] == session["score"]["trainee"]
    screenshot(summary, "challenge-given-up")

    # Practice is open again.
    expect(blocked).to_be_hidden()
    expect(page.locator(".practice_status")).to_have_text(
        "The challenge is over: practice is open again."
    )
    ui.practise(page)
    # The scoreboard counts the abandoned challenge as a loss, against the Florist.
    row = page.locator('.board_row[data-username="alice"]')
    expect(row.locator('[data-column="record"]')).to_have_text("0 · 0 · 1", timeout=5_000)
    expect(row.locator('[data-column="levels"]')).to_have_text("Florist 0/1")
    watch.check()


def test_starting_a_second_challenge_continues_the_open_one(open_page, alice):
    page, watch = open_page("second tab")
    log_in(page, alice)
    other, other_watch = open_page("first tab")
    log_in(other, alice)
    challenge = ui.start_challenge(other, rounds=3)
    ui.answer_round(other, challenge, 1, ui.the_answer(challenge["id"], 1))

    # This page loaded before the challenge started: its start is refused, and it joins in.
    watch.expected.add(("/api/v1/challenges/", 409))
    ui.options_loaded(page)
    page.get_by_label("Number of rounds").fill("4")
    with page.expect_response(re.compile(r"/api/v1/challenges/$")) as refused:
        page.get_by_role("button", name="Start challenge").click()
    assert refused.value.status == 409
    assert refused.value.json()["error"]["code"] == "challenge_in_progress"
    expect(page.locator(".challenge_note")).to_have_text(
        "You already have a challenge open: it continues at round 2."
    )
    expect(page.locator(".round_title")).to_have_text("Round 2 of 3")
    expect(page.locator(".round_title")).to_be_focused()
    watch.check()
    other_watch.check()
