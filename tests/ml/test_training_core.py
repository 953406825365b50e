"""The pure ML core: shipped data, split rule, training, export and LiteRT serving."""

import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ml.dataset import (
    FEATURES,
    SPECIES,
    load_shipped_rows,
    shipped_split_arrays,
    split_for_index,
)
from ml.litert import MAX_TENSOR_ROWS, LiteRTClassifier
from ml.trainer import (
    DEFAULT_EPOCHS,
    MAX_PROGRESS_CALLS,
    TrainingResult,
    keras_predict_proba,
    train_classifier,
)
from tests.threads import in_threads

REPO_ROOT = Path(__file__).resolve().parents[2]

# Nearly every test here trains a model (once per module) or starts a Python process.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return shipped_split_arrays()


@pytest.fixture(scope="module")
def all_features() -> np.ndarray:
    rows = load_shipped_rows()
    return np.array([[row[name] for name in FEATURES] for row in rows], dtype=np.float32)


@pytest.fixture(scope="module")
def progress_calls() -> list[tuple[int, int, float, float]]:
    return []


@pytest.fixture(scope="module")
def trained(split, progress_calls) -> TrainingResult:
    x_train, y_train, x_test, y_test = split
    return train_classifier(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        on_progress=lambda *call: progress_calls.append(call),
    )


@pytest.fixture(scope="module")
def classifier(trained) -> LiteRTClassifier:
    return LiteRTClassifier(trained.tflite_bytes)


def _iris_like_rows(count: int, seed: int = 0) -> np.ndarray:
    low = np.array([4.3, 2.0, 1.0, 0.1], dtype=np.float32)
    high = np.array([7.9, 4.4, 6.9, 2.5], dtype=np.float32)
    return np.random.default_rng(seed).uniform(low, high, (count, 4)).astype(np.float32)


def _imports_in_a_fresh_interpreter(module: str) -> list[str]:
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted(name for name in sys.modules "
        "if name.split('.')[0] in ('tensorflow', 'keras'))))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_shipped_csv_has_150_rows_50_per_species_in_canonical_order():
    rows = load_shipped_rows()

    assert len(rows) == 150
    assert Counter(row["species"] for row in rows) == dict.fromkeys(SPECIES, 50)
    assert [row["species"] for row in rows[::50]] == list(SPECIES)
    assert rows[0] == {
        "sepal_length": 5.1,
        "sepal_width": 3.5,
        "petal_length": 1.4,
        "petal_width": 0.2,
        "species": "setosa",
    }


def test_every_fifth_sample_of_a_species_is_a_test_sample():
    splits = [split_for_index(k) for k in range(15)]

    assert [k for k, name in enumerate(splits) if name == "test"] == [4, 9, 14]
    assert splits.count("train") == 12


def test_the_shipped_split_is_stratified_120_train_30_test(split):
    x_train, y_train, x_test, y_test = split

    assert x_train.shape == (120, 4) and x_train.dtype == np.float32
    assert x_test.shape == (30, 4) and x_test.dtype == np.float32
    assert np.bincount(y_train).tolist() == [40, 40, 40]
    assert np.bincount(y_test).tolist() == [10, 10, 10]


def test_it_reaches_095_test_accuracy_with_the_default_seed(trained):
    assert trained.metrics["accuracy"] >= 0.95


def test_it_reports_json_serialisable_metrics_that_add_up(trained):
    metrics = json.loads(json.dumps(trained.metrics))
    confusion = np.array(metrics["confusion_matrix"])

    assert confusion.shape == (3, 3)
    assert confusion.sum(axis=1).tolist() == [10, 10, 10]
    assert metrics["accuracy"] == pytest.approx(np.trace(confusion) / 30)
    assert set(metrics["per_class"]) == set(SPECIES)
    for index, species in enumerate(SPECIES):
        scores = metrics["per_class"][species]
        assert scores["recall"] == pytest.approx(confusion[index, index] / 10)
        assert 0 <= scores["precision"] <= 1 and 0 <= scores["f1"] <= 1
    assert metrics["loss"] == pytest.approx(trained.history["test_loss"][-1], abs=1e-5)


def test_it_records_train_and_test_figures_for_every_epoch(trained):
    assert set(trained.history) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert all(len(values) == DEFAULT_EPOCHS for values in trained.history.values())
    assert trained.history["loss"][-1] < trained.history["loss"][0]
    assert trained.history["test_accuracy"][-1] == pytest.approx(trained.metrics["accuracy"])
    json.dumps(trained.history)


def test_it_reports_progress_at_most_20_times_ending_at_the_last_epoch(trained, progress_calls):
    epochs_done = [call[0] for call in progress_calls]

    assert 1 < len(progress_calls) <= MAX_PROGRESS_CALLS
    assert epochs_done == sorted(set(epochs_done))
    assert all(call[1] == DEFAULT_EPOCHS for call in progress_calls)
    assert progress_calls[-1] == (
        DEFAULT_EPOCHS,
        DEFAULT_EPOCHS,
        trained.history["loss"][-1],
        trained.history["accuracy"][-1],
    )


def test_it_records_the_hyperparameters_it_used(trained):
    assert trained.hyperparameters == {
        "hidden_units": [10, 10],
        "learning_rate": 0.01,
        "batch_size": 32,
        "epochs": 201,
        "seed": 14,
    }
    assert trained.duration_seconds > 0


def test_training_is_deterministic_for_a_seed(split, trained):
    x_train, y_train, x_test, y_test = split

    again = train_classifier(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)

    assert again.history == trained.history
    assert again.metrics == trained.metrics
    assert again.tflite_bytes == trained.tflite_bytes


def test_another_seed_trains_differently(split, trained):
    x_train, y_train, x_test, y_test = split

    other = train_classifier(
        x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, epochs=3, seed=15
    )

    assert other.history["loss"] != trained.history["loss"][:3]


def test_litert_and_keras_agree_within_1e_5_on_all_150_rows(trained, classifier, all_features):
    from_litert = classifier.predict_proba(all_features)
    from_keras = keras_predict_proba(trained.keras_bytes, all_features)

    assert from_litert.shape == (150, 3) and from_litert.dtype == np.float32
    np.testing.assert_allclose(from_litert, from_keras, rtol=0, atol=1e-5)
    np.testing.assert_allclose(from_litert.sum(axis=1), 1, atol=1e-5)


def test_litert_matches_keras_on_a_batch_of_10000_rows(trained, classifier):
    features = _iris_like_rows(10_000)

    from_litert = classifier.predict_proba(features)

    assert from_litert.shape == (10_000, 3)
    np.testing.assert_allclose(
        from_litert, keras_predict_proba(trained.keras_bytes, features), rtol=0, atol=1e-5
    )


@pytest.mark.parametrize("rows", [MAX_TENSOR_ROWS, MAX_TENSOR_ROWS + 1, 3 * MAX_TENSOR_ROWS - 7])
def test_a_large_batch_runs_in_pieces_with_the_same_answers(classifier, rows):
    features = _iris_like_rows(rows, seed=rows)
    expected = np.concatenate([classifier.predict_proba(features[i:i + 100])
                               for i in range(0, rows, 100)])

    assert np.array_equal(classifier.predict_proba(features), expected)
    # The thread's interpreter keeps tensors of at most that many rows (web worker memory).
    interpreter = classifier._local.runner.interpreter
    assert interpreter.get_input_details()[0]["shape"][0] <= MAX_TENSOR_ROWS


def test_litert_gives_the_same_answer_one_row_at_a_time(classifier, all_features):
    batch = classifier.predict_proba(all_features)
    one_by_one = np.concatenate([classifier.predict_proba(row[None, :]) for row in all_features])

    np.testing.assert_allclose(one_by_one, batch, rtol=0, atol=1e-6)


def test_litert_classifier_is_safe_to_share_between_threads(classifier):
    batches = [_iris_like_rows(size, seed=size) for size in (1, 7, 150, 1000, 1)]
    expected = [classifier.predict_proba(batch) for batch in batches]
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            start.wait()
            for round_ in range(60):
                index = (offset + round_) % len(batches)
                np.testing.assert_allclose(
                    classifier.predict_proba(batches[index]), expected[index], rtol=0, atol=1e-6
                )
        except BaseException as error:  # the main thread asserts there were none
            failures.append(error)

    in_threads(hammer, *range(8))

    assert failures == []


def test_litert_returns_an_empty_array_for_no_rows(classifier):
    assert classifier.predict_proba(np.empty((0, 4), dtype=np.float32)).shape == (0, 3)


@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 2, 4)])
def test_litert_rejects_features_of_the_wrong_shape(classifier, shape):
    with pytest.raises(ValueError, match="shape"):
        classifier.predict_proba(np.zeros(shape, dtype=np.float32))


def test_litert_rejects_bytes_that_are_not_a_model():
    with pytest.raises(ValueError):
        LiteRTClassifier(b"not a flatbuffer")


def test_it_trains_and_exports_other_architectures(split):
    x_train, y_train, x_test, y_test = split

    result = train_classifier(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        hidden_units=(8, 6, 5),
        batch_size=50,
        epochs=4,
    )

    assert all(len(values) == 4 for values in result.history.values())
    np.testing.assert_allclose(
        LiteRTClassifier(result.tflite_bytes).predict_proba(x_test),
        keras_predict_proba(result.keras_bytes, x_test),
        rtol=0,
        atol=1e-5,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 5001}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 1025}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": 10.5}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": "0.1"}, "learning_rate"),
        ({"hidden_units": ()}, "hidden_units"),
        ({"hidden_units": (10,) * 5}, "hidden_units"),
        ({"hidden_units": (10, 0)}, "units"),
        ({"hidden_units": (257,)}, "units"),
        ({"hidden_units": 10}, "hidden_units"),
        ({"seed": -1}, "seed"),
    ],
)
def test_it_rejects_out_of_bounds_hyperparameters(split, overrides, message):
    x_train, y_train, x_test, y_test = split

    with pytest.raises(ValueError, match=message):
        train_classifier(
            x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, **overrides
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"x_train": np.zeros((120, 3))}, "x_train"),
        ({"y_train": np.zeros(119, dtype=int)}, "y_train"),
        ({"y_test": np.full(30, 3)}, "y_test"),
        ({"x_test": np.full((30, 4), np.nan)}, "x_test"),
        ({"x_test": np.zeros((0, 4)), "y_test": np.zeros(0, dtype=int)}, "x_test"),
    ],
)
def test_it_rejects_malformed_data(split, overrides, message):
    x_train, y_train, x_test, y_test = split
    data = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}

    with pytest.raises(ValueError, match=message):
        train_classifier(**(data | overrides))


def test_importing_litert_does_not_import_tensorflow():
    assert _imports_in_a_fresh_interpreter("ml.litert") == []


def test_importing_training_and_dataset_does_not_import_tensorflow():
    assert _imports_in_a_fresh_interpreter("ml.trainer, ml.dataset") == []
