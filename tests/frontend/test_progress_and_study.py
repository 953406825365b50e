"""My progress and the species comparison in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.frontend.browser import log_in, screenshot
from tests.frontend.trainee import (
    SPECIES,
    SPECIES_NAMES,
    a_wrong_answer,
    answer_round,
    next_round,
    practise,
    rule_sentence,
    start_challenge,
    tenth,
    the_answer,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_my_progress_shows_the_chart_mastery_and_mix_ups_after_wrong_answers(open_page, alice):
    page, watch = open_page("progress")
    log_in(page, alice)
    page.get_by_role("button", name="My progress").click()
    section = page.locator(".progress_section")
    expect(section).to_be_focused()
    # Nothing played yet: empty states.
    expect(page.locator(".progress_chart .chart_placeholder")).to_have_text(
        "No finished challenge yet."
    )
    expect(page.locator(".confusion_none")).to_have_text("No answers yet.")
    expect(page.locator(".progress_rank")).to_have_text(
        "Play 10 more challenge rounds to be ranked."
    )
    screenshot(section, "progress-empty")

    # Two practice answers wrong on purpose, then a challenge of four rounds: two wrong.
    for _ in range(2):
        practise(page, right=False)
    expect(page.locator(".confusion").first).to_be_visible()
    challenge = start_challenge(page, rounds=4)
    for n in range(1, 5):
        wrong = n % 2 == 1
        guess = a_wrong_answer(challenge["id"], n) if wrong else the_answer(challenge["id"], n)
        answer_round(page, challenge, n, guess)
        next_round(page)
    expect(page.locator(".challenge_summary")).to_be_visible()
    # The section reloads after the challenge...
    expect(page.locator(".progress_chart .progress_dots_you circle")).to_have_count(1)
    # A second challenge, all right: a line from one to the other.
    page.get_by_role("button", name="Play again").click()
    challenge = start_challenge(page, rounds=2)
    for n in (1, 2):
        answer_round(page, challenge, n, the_answer(challenge["id"], n))
        next_round(page)
    expect(page.locator(".progress_chart .progress_dots_you circle")).to_have_count(2)

    # ...and after a practice answer, and says what the server says.
    with page.expect_response(re.compile(r"/api/v1/me/progress/")) as loaded:
        practise(page, right=True)
    progress = loaded.value.json()
    assert [h["accuracy"] for h in progress["history"]] == [0.5, 1.0]
    page.get_by_role("button", name="My progress").click()

    chart = page.locator(".progress_chart svg")
    expect(chart).to_have_attribute("role", "img")
    expect(page.locator(".progress_chart .progress_dots_you circle")).to_have_count(2)
    expect(page.locator(".progress_chart .progress_dots_ai circle")).to_have_count(2)
    assert chart.locator("path.progress_you").get_attribute("d").startswith("M")
    expect(page.locator(".progress_chart .chart_legend text")).to_have_text(
        ["You", "The AI, same challenge"]
    )
    expect(page.locator("#progress_chart_title")).to_have_text(
        "Your accuracy in each of your last 2 challenges, and the AI\u2019s in the same challenges"
    )
    expect(page.locator("#progress_chart_desc")).to_contain_text(
        "Challenge 1 against the Apprentice: you 50%"
    )
    expect(page.locator("#progress_chart_desc")).to_contain_text(
        "Challenge 2 against the Apprentice: you 100%"
    )
    expect(page.locator(".progress_history_summary")).to_contain_text(
        "Over your last 2 challenges you went from 50% to 100% right"
    )

    for m in progress["mastery"]:
        row = page.locator(f'.mastery_row[data-species="{m["species"]}"]')
        expect(row.locator('[data-column="answered"]')).to_have_text(str(m["answered"]))
        if m["answered"]:
            expect(row.locator(".mastery_value")).to_have_text(
                f"{round(m['accuracy'] * 100)}% ({m['correct']} of {m['answered']})"
            )
    assert sum(m["answered"] for m in progress["mastery"]) == 2 + 4 + 2 + 1

    # At least the two challenge and two practice mistakes, counted per species pair.
    confusions = progress["confusions"]
    assert sum(c["count"] for c in confusions) == 4
    sentences = page.locator(".confusion")
    expect(sentences).to_have_count(min(5, len(confusions)))
    top = confusions[0]
    times = f"{top['count']} time" + ("" if top["count"] == 1 else "s")
    expect(sentences.first).to_have_text(
        f"You mistook {SPECIES_NAMES[top['species']]} for "
        f"{SPECIES_NAMES[top['mistaken_for']]} {times}."
    )
    expect(page.locator(".progress_rank")).to_have_text(
        "Play 4 more challenge rounds to be ranked."
    )
    # Practice now draws more of the species answered wrongly there.
    weights = progress["practice"]["weights"]
    heaviest = max(SPECIES, key=lambda s: weights[s])
    expect(page.locator(".practice_weights")).to_contain_text(
        f"now {heaviest.capitalize()} {weights[heaviest]}\u00d7"
    )
    screenshot(section, "progress")
    watch.check()


def test_study_compares_the_species_and_prints_the_rules_of_thumb(open_page, alice):
    page, watch = open_page("study")
    with page.expect_response(re.compile(r"/api/v1/flowers/rules/")) as got_rules:
        log_in(page, alice)
    rules = got_rules.value.json()
    assert rules["rules"], "a depth-2 tree over the training flowers has leaves"
    expect(page.locator(".rule")).to_have_text([rule_sentence(rule) for rule in rules["rules"]])
    expect(page.locator(".rules_intro")).to_contain_text(
        f"Learnt from the {rules['train_count']} training flowers"
    )
    # The setosa rule is the petal-length one, whatever the threshold the tree found.
    setosa = next(r for r in rules["rules"] if r["species"] == "setosa")
    assert setosa["conditions"][0]["feature"].startswith("petal")

    ranges = page.request.get("/api/v1/flowers/ranges/").json()
    expect(page.locator(".compare_row")).to_have_count(4)
    for row in ranges:
        for feature, r in row["ranges"].items():
            cell = page.locator(
                f'.compare_row[data-feature="{feature}"] td[data-species="{row["species"]}"]'
            )
            expect(cell).to_have_text(
                f"{tenth(r['mean'])} ({tenth(r['min'])}\u2013{tenth(r['max'])})"
            )
    chart = page.locator(".compare_chart svg")
    expect(chart.locator(".compare_strip")).to_have_count(4)
    expect(chart.locator(".compare_bands rect")).to_have_count(12)
    expect(chart.locator(".compare_bands .compare_mean")).to_have_count(12)
    expect(page.locator("#compare_chart_desc")).to_contain_text("Petal length: Setosa")
    screenshot(page.locator(".compare_card"), "study-compare-and-rules")
    watch.check()
