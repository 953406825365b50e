"""Which levels a version offers, how each is served, and what the API and admin show."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ml.dataset import FEATURES
from ml.litert import LiteRTClassifier
from ml.models import Level, OpponentModel
from ml.selectors import model_version_active, opponent_levels
from ml.services import model_version_activate
from ml.serving import model_cache, model_version_served
from tests.factories import ModelVersionFactory
from tests.ml.levels.conftest import stored_models, stored_test_split

pytestmark = pytest.mark.django_db


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
    newer = ModelVersionFactory(number=2, artifacts=active_version)
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
        ModelVersionFactory(number=number, artifacts=active_version, levels=trained_levels)
        for level in Level.values:
            assert model_version_served(number, level).level == level

    assert len(model_cache._recent) == model_cache.RECENT


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
        version = ModelVersionFactory(number=number, metrics=active_version.metrics)
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
