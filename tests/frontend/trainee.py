"""What a trainee does on the page, step by step, shared by the browser tests."""

import re
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import expect

SPECIES = ("setosa", "versicolor", "virginica")
SPECIES_NAMES = {"setosa": "Iris setosa", "versicolor": "Iris versicolor",
                 "virginica": "Iris virginica"}
SHORT_NAMES = {"setosa": "Setosa", "versicolor": "Versicolor", "virginica": "Virginica"}
FEATURE_PHRASES = {"sepal_length": "sepal length", "sepal_width": "sepal width",
                   "petal_length": "petal length", "petal_width": "petal width"}


def the_answer(session_id: int, index: int) -> str:
    """The species of a round, from the database: what a trainee who knew would answer."""
    from challenges.models import ChallengeRound

    return ChallengeRound.objects.get(session_id=session_id, index=index).species


def a_wrong_answer(session_id: int, index: int) -> str:
    right = the_answer(session_id, index)
    return next(s for s in SPECIES if s != right)


def number(value: float) -> str:
    """A number as the page writes it in English: at most 2 decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def tenth(value: float) -> str:
    """One decimal, rounded as the browser rounds (half away from zero, on the exact value)."""
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rule_sentence(rule: dict) -> str:
    """A rule of thumb in the page's words, from the rules endpoint's payload."""
    phrases = []
    for condition in rule["conditions"]:
        feature = FEATURE_PHRASES[condition["feature"]]
        value = number(condition["value"])
        phrases.append(f"{feature} under {value} cm" if condition["op"] == "<"
                       else f"{feature} {value} cm or more")
    flowers = "training flower" if rule["samples"] == 1 else "training flowers"
    return (f"{' and '.join(phrases) or 'any flower'} → {SPECIES_NAMES[rule['species']]} "
            f"({rule['correct']} of {rule['samples']} {flowers})")


def options_loaded(page):
    expect(page.locator(".challenge_start")).to_be_enabled()
    expect(page.locator(".level_choice").first).to_be_attached()


def start_challenge(page, rounds: int, level: str | None = None) -> dict:
    options_loaded(page)
    if level:
        page.locator(f'.level_choice[value="{level}"]').check()
    page.get_by_label("Number of rounds").fill(str(rounds))
    with page.expect_response(re.compile(r"/api/v1/challenges/$")) as started:
        page.get_by_role("button", name="Start challenge").click()
    assert started.value.status == 201, started.value.text()
    challenge = started.value.json()
    assert challenge["rounds_count"] == rounds
    return challenge


def answer_round(page, challenge: dict, n: int, guess: str) -> dict:
    """Answer round n (1-based) with `guess` and wait for the reveal."""
    total = challenge["rounds_count"]
    expect(page.locator(".round_title")).to_have_text(f"Round {n} of {total}")
    expect(page.locator(".round_reveal")).to_have_attribute("data-state", "waiting")
    answered = re.compile(rf"/api/v1/challenges/{challenge['id']}/rounds/{n}/answer/")
    with page.expect_response(answered) as a:
        page.locator(f'.round_guess[data-species="{guess}"]').click()
    result = a.value.json()
    expect(page.locator(".round_reveal")).to_have_attribute("data-state", "revealed")
    score = f"You {result['score']['trainee']} · AI {result['score']['ai']}"
    expect(page.locator(".challenge_score")).to_have_text(score)
    return result


def next_round(page):
    page.locator(".round_next").click()


def practise(page, right: bool | None = None) -> dict:
    """One practice flower; right=None guesses the first species, else right or wrong on
    purpose (the species is looked up in the database)."""
    from challenges.models import PracticeAttempt

    with page.expect_response(re.compile(r"/api/v1/practice/$")) as drawn:
        page.locator(".practice_new").click()
    attempt = drawn.value.json()
    expect(page.locator(".practice_guess").first).to_be_enabled()
    if right is None:
        guess = SPECIES[0]
    else:
        species = PracticeAttempt.objects.get(id=attempt["id"]).species
        guess = species if right else next(s for s in SPECIES if s != species)
    with page.expect_response(re.compile(r"/api/v1/practice/\d+/answer/")) as answered:
        page.locator(f'.practice_guess[data-species="{guess}"]').click()
    result = answered.value.json()
    expect(page.locator(".practice_guess.is_correct")).to_have_count(1)
    return result
