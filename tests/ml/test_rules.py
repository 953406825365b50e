"""Species rules: a depth-2 decision tree fitted on the training split, for teaching."""

from fractions import Fraction
from itertools import pairwise
from unittest import mock

import numpy as np
import pytest

from ml import teaching
from ml.dataset import FEATURES, SPECIES
from ml.models import FlowerSample, Split
from ml.rules import decision_rules

pytestmark = pytest.mark.django_db

RULES = "/api/v1/flowers/rules/"
NEW_TRAINING_FLOWER = {"sepal_length": 5.0, "sepal_width": 3.1, "petal_length": 1.4,
                       "petal_width": 0.2, "species": "setosa"}


def training_rows() -> list[tuple[tuple[float, ...], str]]:
    return [
        (row[:4], row[4])
        for row in FlowerSample.objects.filter(split=Split.TRAIN).order_by("id")
        .values_list(*FEATURES, "species")
    ]


def gini(labels: list[str]) -> Fraction:
    n = len(labels)
    return 1 - sum(Fraction(labels.count(s), n) ** 2 for s in set(labels))


def brute_force_split(rows) -> tuple[str, float] | None:
    """Every feature, every midpoint, exact gini; the first best (feature order, then value)."""
    labels = [species for _values, species in rows]
    best = None
    for index, name in enumerate(FEATURES):
        values = sorted({values[index] for values, _species in rows})
        for low, high in pairwise(values):
            threshold = (low + high) / 2
            left = [s for v, s in rows if v[index] < threshold]
            right = [s for v, s in rows if v[index] >= threshold]
            score = (len(left) * gini(left) + len(right) * gini(right)) / len(rows)
            if best is None or score < best[0]:
                best = (score, name, threshold)
    if best is None or best[0] >= gini(labels):
        return None
    return best[1], best[2]


def brute_force_tree(rows, depth=2, conditions=()) -> list[tuple]:
    """The leaves as (conditions, rows), left before right, unrounded thresholds."""
    labels = {species for _values, species in rows}
    split = brute_force_split(rows) if depth and len(labels) > 1 else None
    if split is None:
        return [(conditions, rows)]
    name, threshold = split
    index = FEATURES.index(name)
    below = [row for row in rows if row[0][index] < threshold]
    above = [row for row in rows if row[0][index] >= threshold]
    return [
        *brute_force_tree(below, depth - 1, (*conditions, (name, "<", threshold))),
        *brute_force_tree(above, depth - 1, (*conditions, (name, ">=", threshold))),
    ]


def matches(rule: dict, values: tuple[float, ...]) -> bool:
    for condition in rule["conditions"]:
        value = values[FEATURES.index(condition["feature"])]
        if (value < condition["value"]) != (condition["op"] == "<"):
            return False
    return True


# The tree


def test_the_rules_separate_setosa_by_a_petal_measurement(trainee_api, flowers):
    body = trainee_api.get(RULES).json()

    assert set(body) == {"train_count", "depth", "rules"}
    assert (body["train_count"], body["depth"]) == (120, 2)
    setosa = [rule for rule in body["rules"] if rule["species"] == "setosa"]
    assert len(setosa) == 1
    [condition] = setosa[0]["conditions"]
    assert condition["feature"] in ("petal_length", "petal_width")
    assert condition["op"] == "<"
    assert setosa[0]["samples"] == setosa[0]["correct"] == 40
    for rule in body["rules"]:
        assert set(rule) == {"conditions", "species", "samples", "correct"}
        assert rule["species"] in SPECIES
        assert 0 < rule["correct"] <= rule["samples"]
        assert 1 <= len(rule["conditions"]) <= 2
        for condition in rule["conditions"]:
            assert set(condition) == {"feature", "op", "value"}
            assert condition["feature"] in FEATURES and condition["op"] in ("<", ">=")
            assert condition["value"] == round(condition["value"], 2)


def test_the_thresholds_are_those_of_a_brute_force_search(trainee_api, flowers):
    rules = trainee_api.get(RULES).json()["rules"]

    leaves = brute_force_tree(training_rows())

    assert len(rules) == len(leaves)
    for rule, (conditions, rows) in zip(rules, leaves, strict=True):
        assert rule["conditions"] == [
            {"feature": name, "op": op, "value": round(threshold, 2)}
            for name, op, threshold in conditions
        ]
        labels = [species for _values, species in rows]
        assert rule["samples"] == len(rows)
        assert rule["correct"] == max(labels.count(s) for s in SPECIES)


def test_the_rules_name_at_least_90_percent_of_the_training_flowers(trainee_api, flowers):
    rules = trainee_api.get(RULES).json()["rules"]

    rows = training_rows()
    right = 0
    for values, species in rows:
        [rule] = [rule for rule in rules if matches(rule, values)]  # exactly one rule applies
        right += rule["species"] == species

    assert right / len(rows) >= 0.9
    assert right == sum(rule["correct"] for rule in rules)


def test_a_pure_node_is_not_split_and_ties_go_to_the_first_feature():
    x = np.array([[1, 1, 1, 1], [1, 1, 1, 1], [2, 2, 2, 2], [2, 2, 2, 2]], dtype=float)
    y = np.array([0, 0, 1, 1])

    rules = decision_rules(x, y, depth=2)

    assert rules == [
        {"conditions": [{"feature": "sepal_length", "op": "<", "value": 1.5}],
         "species": "setosa", "samples": 2, "correct": 2},
        {"conditions": [{"feature": "sepal_length", "op": ">=", "value": 1.5}],
         "species": "versicolor", "samples": 2, "correct": 2},
    ]


def test_no_data_gives_no_rules_and_inseparable_data_one_leaf():
    assert decision_rules(np.zeros((0, 4)), np.zeros(0, dtype=int)) == []
    same = np.ones((3, 4))
    assert decision_rules(same, np.array([2, 1, 2])) == [
        {"conditions": [], "species": "virginica", "samples": 3, "correct": 2}
    ]


# Caching


def test_the_rules_are_cached_until_the_training_rows_change(manager_api, flowers):
    with mock.patch.object(teaching, "decision_rules", wraps=decision_rules) as fit:
        first = teaching.species_rules()
        assert teaching.species_rules() == first
        assert fit.call_count == 1


def test_a_manager_added_training_sample_changes_the_cache_key_and_the_rules(
    manager_api, flowers
):
    before = teaching.species_rules_key()
    assert teaching.species_rules()["train_count"] == 120

    response = manager_api.post("/api/v1/flowers/", NEW_TRAINING_FLOWER)
    assert response.status_code == 201
    assert FlowerSample.objects.get(id=response.json()["id"]).split == Split.TRAIN

    assert teaching.species_rules_key() != before
    body = manager_api.get(RULES).json()
    assert body["train_count"] == 121
    assert sum(rule["samples"] for rule in body["rules"]) == 121


def test_an_edited_training_sample_changes_the_cache_key(manager_api, flowers):
    before = teaching.species_rules_key()
    sample = FlowerSample.objects.filter(split=Split.TRAIN).first()

    manager_api.patch(f"/api/v1/flowers/{sample.id}/", {"petal_width": 0.3})

    assert teaching.species_rules_key() != before


def test_a_test_split_sample_does_not_change_the_rules(manager_api, flowers):
    before = teaching.species_rules_key()
    sample = FlowerSample.objects.filter(split=Split.TEST).first()

    manager_api.patch(f"/api/v1/flowers/{sample.id}/", {"petal_width": 0.3})

    assert teaching.species_rules_key() == before


# Who may read them


def test_anonymous_gets_no_rules(anon, flowers):
    response = anon.get(RULES)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_trainees_and_managers_read_the_rules(trainee_api, manager_api, flowers):
    assert trainee_api.get(RULES).status_code == 200
    assert manager_api.get(RULES).json() == trainee_api.get(RULES).json()


def test_with_no_flowers_there_are_no_rules(trainee_api):
    assert trainee_api.get(RULES).json() == {"train_count": 0, "depth": 2, "rules": []}
