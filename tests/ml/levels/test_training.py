"""Each level's training, and the service that stores the levels with their version."""

import numpy as np
import pytest

from ml.dataset import FEATURES, shipped_split_arrays
from ml.litert import LiteRTClassifier
from ml.models import LEVEL_FEATURES, Level, ModelVersion
from ml.selectors import model_version_active, opponent_levels
from ml.services import model_version_request, model_version_train
from ml.serving import model_version_served
from tests.ml.levels.conftest import iris_like_rows, stored_models, stored_test_split

pytestmark = pytest.mark.django_db

SEPALS = [FEATURES.index("sepal_length"), FEATURES.index("sepal_width")]
PETALS = [FEATURES.index("petal_length"), FEATURES.index("petal_width")]


# Training


def test_each_levels_stored_accuracy_is_what_litert_scores_on_the_test_split(active_version):
    x, y = stored_test_split()

    models = stored_models(active_version)

    assert set(models) == set(Level.values)
    for level, (tflite, accuracy) in models.items():
        predicted = LiteRTClassifier(tflite).predict_proba(x).argmax(axis=1)
        assert float(np.mean(predicted == y)) == accuracy, level


def test_the_levels_get_harder_with_the_shipped_data_and_the_default_seed(active_version):
    accuracy = {level["level"]: level["accuracy"] for level in opponent_levels(
        version=active_version)}

    assert accuracy["apprentice"] < accuracy["florist"] <= accuracy["botanist"]
    # A trainee who beats the Apprentice has to beat a model that is right 3 times in 4.
    assert accuracy["apprentice"] >= 0.6


@pytest.mark.parametrize(
    ("level", "hidden", "seen"),
    [(Level.APPRENTICE, PETALS, SEPALS), (Level.FLORIST, SEPALS, PETALS)],
)
def test_a_level_ignores_the_measurements_it_does_not_see(
    trained_levels, level, hidden, seen
):
    classifier = LiteRTClassifier(trained_levels[level].tflite_bytes)
    rows = iris_like_rows(200)
    changed_hidden, changed_seen = rows.copy(), rows.copy()
    changed_hidden[:, hidden] = iris_like_rows(200, seed=1)[:, hidden]
    changed_seen[:, seen] = iris_like_rows(200, seed=1)[:, seen]

    before = classifier.predict_proba(rows)

    np.testing.assert_array_equal(classifier.predict_proba(changed_hidden), before)
    assert not np.array_equal(classifier.predict_proba(changed_seen), before)


def test_a_level_records_what_it_sees_and_has_no_keras_file(trained_levels):
    for level, result in trained_levels.items():
        assert result.features == LEVEL_FEATURES[level]
        assert result.keras_bytes == b""
        assert result.hyperparameters["seed"] == 14


def test_a_masked_models_keras_file_agrees_with_its_litert_model():
    from ml.trainer import keras_predict_proba, train_classifier

    x_train, y_train, x_test, y_test = shipped_split_arrays()
    result = train_classifier(
        x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, epochs=20,
        features=["petal_width", "sepal_length"],
    )
    rows = iris_like_rows(500)

    assert result.features == ("sepal_length", "petal_width")
    np.testing.assert_allclose(
        LiteRTClassifier(result.tflite_bytes).predict_proba(rows),
        keras_predict_proba(result.keras_bytes, rows), rtol=0, atol=1e-5,
    )


@pytest.mark.parametrize(
    "features",
    [[], ["sepal_length", "sepal_length"], ["stem_length"], "petal_length", [1, 2]],
    ids=["none", "twice", "unknown", "a string", "numbers"],
)
def test_it_refuses_measurements_it_does_not_know(features):
    from ml.trainer import train_classifier

    x_train, y_train, x_test, y_test = shipped_split_arrays()

    with pytest.raises(ValueError, match="features"):
        train_classifier(
            x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, epochs=1,
            features=features,
        )


# The service


def test_the_service_stores_both_levels_with_the_version_and_reports_each_training(
    active_version, trained_levels, monkeypatch
):
    import ml.trainer

    real_train = ml.trainer.train_classifier
    reports: list[tuple[float, str]] = []

    def train_and_watch(**kwargs):
        on_progress = kwargs.pop("on_progress")

        def watched(*args):
            on_progress(*args)
            reports.append(ModelVersion.objects.values_list("progress", "progress_message").get(
                status="training"))

        return real_train(on_progress=watched, **kwargs)

    monkeypatch.setattr(ml.trainer, "train_classifier", train_and_watch)
    version = model_version_request(trigger="manager", enqueue=False)

    trained = model_version_train(version_id=version.id)

    assert trained.status == "ready" and trained.is_active
    rows = {row.level: row for row in trained.opponents.all()}
    assert set(rows) == {"apprentice", "florist"}
    for level, row in rows.items():
        assert row.features == list(LEVEL_FEATURES[level])
        assert row.accuracy == trained_levels[level].metrics["accuracy"]
        assert row.metrics["confusion_matrix"] == trained_levels[level].metrics[
            "confusion_matrix"]
        assert bytes(row.tflite) == trained_levels[level].tflite_bytes
    progress = [value for value, _message in reports]
    assert progress == sorted(progress) and progress[-1] == 1.0
    stages = [message.split(" ")[0] for _value, message in reports]
    assert stages.index("Apprentice") > stages.index("Botanist")
    assert stages.index("Florist") > stages.index("Apprentice")
    assert max(value for value, message in reports if message.startswith("Botanist")) == 0.7
    assert trained.progress == 1.0


def test_a_training_that_fails_on_a_level_stores_nothing(active_version, monkeypatch):
    import ml.trainer

    real_train = ml.trainer.train_classifier

    def fail_on_the_florist(**kwargs):
        if tuple(kwargs["features"]) == LEVEL_FEATURES[Level.FLORIST]:
            raise RuntimeError("out of memory")
        return real_train(**kwargs)

    monkeypatch.setattr(ml.trainer, "train_classifier", fail_on_the_florist)
    version = model_version_request(trigger="manager", enqueue=False)

    trained = model_version_train(version_id=version.id)

    assert trained.status == "failed" and "out of memory" in trained.error
    assert not trained.opponents.exists()
    assert not trained.metrics and trained.tflite is None
    assert model_version_active().number == active_version.number


def test_a_version_rejected_by_the_gate_keeps_its_levels_but_offers_none(active_version):
    version = model_version_request(trigger="manager", enqueue=False,
                                    hyperparameters={"epochs": 1})

    trained = model_version_train(version_id=version.id)

    assert trained.status == "rejected"
    assert trained.opponents.count() == 2
    assert not any(level["available"] for level in opponent_levels(version=trained))
    assert model_version_served(trained.number, "apprentice") is None
