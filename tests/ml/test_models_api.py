import base64

import pytest
from django.db import connection

from ml.models import ModelVersion
from ml.services import model_version_activate, model_version_train
from tests.factories import ModelVersionFactory
from tests.responses import error_of
from tests.threads import in_threads

pytestmark = pytest.mark.django_db


def ready_copy(version, number, accuracy=None):
    """Another ready version with the same artifacts (as a second training would store)."""
    metrics = dict(version.metrics)
    if accuracy is not None:
        metrics["accuracy"] = accuracy
    return ModelVersionFactory(number=number, artifacts=version, metrics=metrics)


def test_anonymous_cannot_see_models(anon, active_version):
    assert anon.get("/api/v1/models/").status_code == 401
    assert anon.get("/api/v1/models/active/").status_code == 401


def test_a_trainee_lists_and_reads_versions_with_metrics(trainee_api, active_version):
    listing = trainee_api.get("/api/v1/models/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["number"] == 1
    assert "tflite" not in listing["results"][0]
    detail = trainee_api.get("/api/v1/models/1/").json()
    assert detail["metrics"]["accuracy"] >= 0.95
    assert len(detail["metrics"]["confusion_matrix"]) == 3
    assert set(detail["metrics"]["per_class"]) == {"setosa", "versicolor", "virginica"}
    assert trainee_api.get("/api/v1/models/active/").json()["number"] == 1
    assert trainee_api.get("/api/v1/models/99/").status_code == 404


def test_no_active_model_is_a_404_json(trainee_api, db):
    assert error_of(trainee_api.get("/api/v1/models/active/")) == (404, "no_model")


def test_a_trainee_cannot_retrain_or_activate(trainee_api, active_version):
    ready_copy(active_version, 2)
    assert trainee_api.post("/api/v1/models/", {}).status_code == 403
    assert trainee_api.post("/api/v1/models/2/activate/").status_code == 403
    assert ModelVersion.objects.count() == 2
    assert ModelVersion.objects.get(is_active=True).number == 1


def test_a_manager_starts_a_retrain_and_gets_202_with_where_to_poll(manager_api, active_version):
    response = manager_api.post("/api/v1/models/", {"epochs": 50, "seed": 7})
    assert response.status_code == 202
    body = response.json()
    assert body["version"]["status"] == "queued"
    assert body["poll"] == f"http://testserver/api/v1/models/{body['version']['number']}/"
    assert response["Location"] == body["poll"]
    queued = ModelVersion.objects.get(number=body["version"]["number"])
    assert queued.hyperparameters["epochs"] == 50
    assert queued.hyperparameters["seed"] == 7


def test_a_second_retrain_while_one_is_queued_is_a_409(manager_api, active_version):
    assert manager_api.post("/api/v1/models/", {}).status_code == 202
    response = manager_api.post("/api/v1/models/", {})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "training_in_progress"
    assert ModelVersion.objects.count() == 2


@pytest.mark.parametrize(
    "params",
    [
        {"epochs": 0}, {"epochs": 100000}, {"learning_rate": -1}, {"batch_size": 0},
        {"hidden_units": []}, {"hidden_units": [10, 10, 10, 10, 10]}, {"hidden_units": [0]},
        {"optimizer": "adam"}, {"epochs": "many"},
    ],
)
def test_bad_hyperparameters_are_refused_and_nothing_is_queued(manager_api, active_version, params):
    response = manager_api.post("/api/v1/models/", params)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    assert ModelVersion.objects.count() == 1


def test_a_manager_activates_and_rolls_back(manager_api, trainee_api, active_version, settings):
    settings.ML_ACTIVE_CHECK_SECONDS = 0
    ready_copy(active_version, 2)
    assert manager_api.post("/api/v1/models/2/activate/").json()["is_active"] is True
    assert trainee_api.post("/api/v1/predict/", {"instances": [[5, 3, 1, 0.2]]}).json()[
        "model_version"] == 2
    assert manager_api.post("/api/v1/models/1/activate/").status_code == 200
    assert ModelVersion.objects.get(is_active=True).number == 1
    assert trainee_api.post("/api/v1/predict/", {"instances": [[5, 3, 1, 0.2]]}).json()[
        "model_version"] == 1


def test_only_ready_versions_can_be_activated(manager_api, active_version):
    ModelVersionFactory(number=2, status=ModelVersion.Status.REJECTED)
    response = manager_api.post("/api/v1/models/2/activate/")
    assert response.status_code == 409
    assert manager_api.post("/api/v1/models/9/activate/").status_code == 404
    assert ModelVersion.objects.get(is_active=True).number == 1


def test_the_database_refuses_two_active_versions(active_version):
    from django.db import IntegrityError, transaction

    other = ready_copy(active_version, 2)
    other.is_active = True
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_the_database_refuses_two_trainings_at_once(active_version):
    from django.db import IntegrityError, transaction

    ModelVersion.objects.create(number=2, trigger="manager", status="training")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.create(number=3, trigger="manager", status="queued")


def test_plots_come_as_png_or_as_a_data_uri(trainee_api, active_version):
    for kind in ("loss", "accuracy", "confusion"):
        response = trainee_api.get(f"/api/v1/models/1/plots/{kind}/", HTTP_ACCEPT="image/png")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")
    body = trainee_api.get("/api/v1/models/1/plots/loss/", HTTP_ACCEPT="application/json").json()
    assert body["data_uri"].startswith("data:image/png;base64,")
    assert base64.b64decode(body["data_uri"].split(",", 1)[1]).startswith(b"\x89PNG")
    assert trainee_api.get("/api/v1/models/1/plots/roc/").status_code == 404


def test_plots_come_as_svg_with_text_kept_as_text(trainee_api, active_version):
    response = trainee_api.get("/api/v1/models/1/plots/confusion/", HTTP_ACCEPT="image/svg+xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg ")
    assert ">Iris setosa</text>" in svg
    assert "<image" not in svg  # the heatmap's cells are vectors, not a bitmap


def test_plots_log_nothing_and_look_for_no_missing_font(trainee_api, active_version, caplog):
    trainee_api.get("/api/v1/models/1/plots/loss/", HTTP_ACCEPT="image/png")  # warm up
    with caplog.at_level("DEBUG"):
        for kind in ("loss", "accuracy", "confusion"):
            for accept in ("image/png", "image/svg+xml", "application/json"):
                assert trainee_api.get(
                    f"/api/v1/models/1/plots/{kind}/", HTTP_ACCEPT=accept,
                    HTTP_ACCEPT_LANGUAGE="zh-hans",
                ).status_code == 200
    assert [r for r in caplog.records if r.name.startswith("matplotlib")] == []


def test_a_duplicate_delivery_of_a_finished_training_does_nothing(active_version):
    before = ModelVersion.objects.values().get(id=active_version.id)
    assert model_version_train(version_id=active_version.id) is None
    assert ModelVersion.objects.values().get(id=active_version.id) == before


def test_the_service_trains_gates_and_promotes(active_version):
    from ml.services import model_version_request

    version = model_version_request(trigger="manager", enqueue=False)
    trained = model_version_train(version_id=version.id)
    assert trained.status == "ready" and trained.is_active
    assert trained.metrics["accuracy"] >= 0.95
    assert trained.tflite and trained.keras
    assert trained.train_count == 120 and trained.test_count == 30
    assert trained.gate["passed"] is True
    assert ModelVersion.objects.filter(is_active=True).count() == 1


def test_a_training_below_the_gate_is_rejected_and_the_active_one_stays(active_version):
    from ml.services import model_version_request

    version = model_version_request(trigger="manager", enqueue=False,
                                    hyperparameters={"epochs": 1})
    trained = model_version_train(version_id=version.id)
    assert trained.status == "rejected"
    assert not trained.gate["passed"]
    assert ModelVersion.objects.get(is_active=True).number == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_leave_exactly_one_active(trained_artifacts, flowers):
    base = ModelVersionFactory(
        number=1, is_active=True, trigger="bootstrap", artifacts=trained_artifacts
    )
    for n in range(2, 6):
        ready_copy(base, n)
    errors = []

    def activate(number):
        try:
            model_version_activate(number=number)
        except Exception as exc:  # a 409 "busy" is acceptable; anything else is not
            errors.append(exc)
        finally:
            connection.close()

    in_threads(activate, *range(2, 6))
    assert all(getattr(e, "status_code", None) == 409 for e in errors), errors
    assert ModelVersion.objects.filter(is_active=True).count() == 1
