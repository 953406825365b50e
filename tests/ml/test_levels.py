"""AI levels a trainee can beat: weaker models that see fewer measurements, trained with
their version, stored beside it and served through LiteRT like the full model."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ml.dataset import FEATURES, SPECIES, shipped_split_arrays
from ml.litert import LiteRTClassifier
from ml.models import LEVEL_FEATURES, FlowerSample, Level, ModelVersion, OpponentModel, Split
from ml.selectors import model_version_active, opponent_levels
from ml.services import model_version_activate, model_version_request, model_version_train
from ml.serving import model_version_served, registry

pytestmark = pytest.mark.django_db

SEPALS = [FEATURES.index("sepal_length"), FEATURES.index("sepal_width")]
PETALS = [FEATURES.index("petal_length"), FEATURES.index("petal_width")]


def stored_models(version) -> dict[str, tuple[bytes, float]]:
    """Each level's flatbuffer and stored test accuracy, the Botanist being the version."""
    models = {
        row.level: (bytes(row.tflite), row.accuracy) for row in version.opponents.all()
    }
    models[Level.BOTANIST] = (bytes(version.tflite), version.metrics["accuracy"])
    return models


def stored_test_split():
    rows = FlowerSample.objects.filter(split=Split.TEST).order_by("id")
    x = np.array([sample.measurements for sample in rows], dtype=np.float32)
    y = np.array([SPECIES.index(sample.species) for sample in rows])
    return x, y


def iris_like_rows(count: int, seed: int = 0) -> np.ndarray:
    low = np.array([4.3, 2.0, 1.0, 0.1], dtype=np.float32)
    high = np.array([7.9, 4.4, 6.9, 2.5], dtype=np.float32)
    return np.random.default_rng(seed).uniform(low, high, (count, 4)).astype(np.float32)


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
    from ml.training import keras_predict_proba, train_classifier

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
    from ml.training import train_classifier

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
    import ml.training

    real_train = ml.training.train_classifier
    reports: list[tuple[float, str]] = []

    def train_and_watch(**kwargs):
        on_progress = kwargs.pop("on_progress")

        def watched(*args):
            on_progress(*args)
            reports.append(ModelVersion.objects.values_list("progress", "progress_message").get(
                status="training"))

        return real_train(on_progress=watched, **kwargs)

    monkeypatch.setattr(ml.training, "train_classifier", train_and_watch)
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
    import ml.training

    real_train = ml.training.train_classifier

    def fail_on_the_florist(**kwargs):
        if tuple(kwargs["features"]) == LEVEL_FEATURES[Level.FLORIST]:
            raise RuntimeError("out of memory")
        return real_train(**kwargs)

    monkeypatch.setattr(ml.training, "train_classifier", fail_on_the_florist)
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


# Selectors


def test_the_active_version_comes_without_its_blobs(active_version):
    version = model_version_active()

    assert version.number == active_version.number
    assert {"tflite", "keras"} <= version.get_deferred_fields()


def test_there_is_no_active_version_before_the_first_training(db):
    assert model_version_active() is None


def test_the_active_version_offers_every_level_weakest_first(active_version, trained_levels):
    levels = opponent_levels(version=model_version_active())

    assert [level["level"] for level in levels] == ["apprentice", "florist", "botanist"]
    assert [level["name"] for level in levels] == ["Apprentice", "Florist", "Botanist"]
    assert levels[0]["description"] == "Looks only at the sepals."
    assert levels[1]["description"] == "Looks only at the petals."
    assert levels[2]["description"] == "Looks at all four measurements: the full model."
    assert levels[0]["features"] == ["sepal_length", "sepal_width"]
    assert levels[2]["features"] == list(FEATURES)
    assert levels[0]["accuracy"] == trained_levels[Level.APPRENTICE].metrics["accuracy"]
    assert levels[2]["accuracy"] == active_version.metrics["accuracy"]
    assert all(level["available"] for level in levels)
    # Translated now, so plain strings that any JSON encoder takes.
    assert all(type(level["name"]) is str is type(level["description"]) for level in levels)


def test_a_version_from_before_levels_offers_only_the_botanist(active_version):
    active_version.opponents.all().delete()

    levels = opponent_levels(version=active_version)

    assert [level["available"] for level in levels] == [False, False, True]
    assert [level["accuracy"] is None for level in levels] == [True, True, False]


def test_without_a_version_no_level_is_available(db):
    levels = opponent_levels(version=None)

    assert [level["level"] for level in levels] == ["apprentice", "florist", "botanist"]
    assert not any(level["available"] for level in levels)
    assert all(level["accuracy"] is None for level in levels)


def test_activating_a_version_brings_its_own_levels(active_version, trained_levels):
    newer = ModelVersion.objects.create(
        number=2, status="ready", trigger="manager", metrics=active_version.metrics,
        tflite=active_version.tflite,
    )
    OpponentModel.objects.create(
        version=newer, level="apprentice", features=["sepal_length", "sepal_width"],
        accuracy=0.5, tflite=trained_levels[Level.APPRENTICE].tflite_bytes,
    )

    model_version_activate(number=2)
    after_promotion = opponent_levels(version=model_version_active())
    model_version_activate(number=1)
    after_rollback = opponent_levels(version=model_version_active())

    assert [level["available"] for level in after_promotion] == [True, False, True]
    assert after_promotion[0]["accuracy"] == 0.5
    assert all(level["available"] for level in after_rollback)
    assert after_rollback[0]["accuracy"] == trained_levels[Level.APPRENTICE].metrics["accuracy"]


# Serving


def test_each_level_of_a_version_is_served_with_its_own_model(active_version):
    x, _y = stored_test_split()

    for level, (tflite, _accuracy) in stored_models(active_version).items():
        served = model_version_served(1, level)
        assert (served.number, served.level) == (1, level)
        np.testing.assert_array_equal(
            served.predict_proba(x), LiteRTClassifier(tflite).predict_proba(x)
        )
    assert model_version_served(1).level == "botanist"


def test_a_level_the_version_does_not_have_is_not_served(active_version):
    active_version.opponents.filter(level="florist").delete()
    registry.forget()

    assert model_version_served(1, "florist") is None
    assert model_version_served(1, "grandmaster") is None
    assert model_version_served(2, "apprentice") is None
    assert model_version_served(1, "apprentice").level == "apprentice"


def test_a_served_level_is_loaded_once_per_process(active_version, django_assert_num_queries):
    model_version_served(1, "apprentice")

    # Which version and level is ready is checked every time; the blob is read only once.
    with django_assert_num_queries(1):
        again = model_version_served(1, "apprentice")

    assert again is model_version_served(1, "apprentice")


def test_the_per_process_cache_of_models_stays_bounded(active_version, trained_levels):
    for number in range(2, 8):
        version = ModelVersion.objects.create(
            number=number, status="ready", trigger="manager", tflite=active_version.tflite,
        )
        OpponentModel.objects.bulk_create(
            OpponentModel(version=version, level=level, features=list(result.features),
                          accuracy=result.metrics["accuracy"], tflite=result.tflite_bytes)
            for level, result in trained_levels.items()
        )
        for level in Level.values:
            assert model_version_served(number, level).level == level

    assert len(registry._recent) == registry.RECENT


# API and admin


def test_a_trainee_sees_each_versions_levels_and_their_accuracy(trainee_api, active_version):
    detail = trainee_api.get("/api/v1/models/1/").json()
    listed = trainee_api.get("/api/v1/models/").json()["results"][0]
    active = trainee_api.get("/api/v1/models/active/").json()

    assert detail["levels"] == listed["levels"] == active["levels"]
    assert [level["level"] for level in detail["levels"]] == ["apprentice", "florist", "botanist"]
    assert detail["levels"][0] == {
        "level": "apprentice", "name": "Apprentice",
        "features": ["sepal_length", "sepal_width"],
        "accuracy": active_version.opponents.get(level="apprentice").accuracy,
    }
    assert detail["levels"][2]["accuracy"] == active_version.metrics["accuracy"]


def test_a_manager_sees_the_levels_too_and_a_queued_version_has_none(manager_api, active_version):
    number = manager_api.post("/api/v1/models/", {}).json()["version"]["number"]

    assert manager_api.get(f"/api/v1/models/{number}/").json()["levels"] == []
    assert len(manager_api.get("/api/v1/models/1/").json()["levels"]) == 3


def test_anonymous_cannot_see_the_levels(anon, active_version):
    assert anon.get("/api/v1/models/1/").status_code == 401
    assert anon.get("/api/v1/models/").status_code == 401


def test_listing_versions_reads_the_levels_in_one_query_and_never_the_blobs(
    trainee_api, active_version
):
    for number in range(2, 6):
        version = ModelVersion.objects.create(
            number=number, status="ready", trigger="manager", metrics=active_version.metrics,
        )
        OpponentModel.objects.create(
            version=version, level="florist", features=["petal_length", "petal_width"],
            accuracy=0.9, tflite=b"x" * 1000,
        )

    with CaptureQueriesContext(connection) as queries:
        response = trainee_api.get("/api/v1/models/")

    assert response.json()["count"] == 5
    level_queries = [q["sql"] for q in queries if "ml_opponentmodel" in q["sql"]]
    assert len(level_queries) == 1
    assert not any('"tflite"' in q["sql"] or '"keras"' in q["sql"] for q in queries)


def test_the_admin_version_page_shows_the_levels_and_their_accuracy(client, manager,
                                                                    active_version):
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:ml_modelversion_change", args=[active_version.pk]))

    page = response.content.decode()
    assert 'id="levels"' in page
    for name, level in (("Apprentice", "apprentice"), ("Florist", "florist")):
        assert name in page
        assert f"{active_version.opponents.get(level=level).accuracy:.3f}" in page
    assert "sepal length (cm), sepal width (cm)" in page
    assert not any('"tflite"' in q["sql"] for q in queries if "ml_opponentmodel" in q["sql"])


# A real worker


@pytest.fixture
def worker(tmp_path, django_db_setup, django_db_blocker):
    from tests.worker import Worker

    started = Worker(tmp_path / "worker.log").start()
    yield started
    started.stop()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_retrain_in_the_worker_stores_both_levels_with_the_version(
    manager_api, trainee_api, active_version, trained_levels, worker
):
    import time

    number = manager_api.post("/api/v1/models/", {}).json()["version"]["number"]
    deadline = time.monotonic() + 180
    while ModelVersion.objects.get(number=number).status in ModelVersion.IN_PROGRESS:
        assert time.monotonic() < deadline, worker.output()[-4000:]
        time.sleep(0.3)

    version = ModelVersion.objects.get(number=number)
    assert version.status == "ready" and version.is_active, version.error or version.gate
    stored = {row.level: row.accuracy for row in version.opponents.all()}
    assert stored == {
        level: result.metrics["accuracy"] for level, result in trained_levels.items()
    }
    levels = trainee_api.get(f"/api/v1/models/{number}/").json()["levels"]
    assert [level["level"] for level in levels] == ["apprentice", "florist", "botanist"]
    florist = model_version_served(number, "florist")
    assert florist.predict([[5.1, 3.5, 1.4, 0.2]])[0]["species"] == "setosa"


# Bootstrap (bin/run-local)


def run_train_model(*args) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("train_model", *args, stdout=out)
    return out.getvalue()


def test_the_first_model_is_trained_with_its_levels(flowers):
    output = run_train_model("--if-levels-missing")

    version = model_version_active()
    assert version.number == 1 and version.trigger == "bootstrap"
    assert version.opponents.count() == 2
    assert "AI levels: apprentice 0.767, florist 0.900" in output


def test_an_active_version_with_its_levels_is_left_alone(active_version):
    output = run_train_model("--if-levels-missing")

    assert "already active, with its AI levels" in output
    assert ModelVersion.objects.count() == 1


def test_an_active_version_from_before_levels_is_replaced_by_one_with_levels(active_version):
    active_version.opponents.all().delete()

    output = run_train_model("--if-levels-missing")

    version = model_version_active()
    assert "predates the AI levels" in output
    assert version.number == 2 and version.trigger == "bootstrap"
    assert [level["available"] for level in opponent_levels(version=version)] == [True] * 3
