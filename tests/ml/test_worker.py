"""Background retraining through a real Celery worker on the Redis broker."""

import os
import signal
import threading
import time

import pytest
from django.db import connection

from ml.models import ModelVersion
from tests.factories import ModelVersionFactory
from tests.threads import in_threads
from tests.worker import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FLOWER = {"instances": [[6.7, 3.3, 5.7, 2.5], [5.1, 3.5, 1.4, 0.2]]}


@pytest.fixture
def worker(tmp_path, django_db_setup, django_db_blocker):
    started = Worker(tmp_path / "worker.log").start()
    yield started
    started.stop()


@pytest.fixture
def active(flowers, trained_artifacts, settings):
    settings.ML_ACTIVE_CHECK_SECONDS = 0
    return ModelVersionFactory(
        number=1, is_active=True, trigger="bootstrap", artifacts=trained_artifacts
    )


def wait_for(number: int, statuses: set[str], worker: Worker, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = ModelVersion.objects.get(number=number)
        if version.status in statuses:
            return version
        time.sleep(0.3)
    raise AssertionError(
        f"v{number} stayed {version.status}; worker log:\n{worker.output()[-4000:]}"
    )


def test_a_managers_retrain_runs_in_the_worker_and_is_promoted(
    manager_api, trainee_api, active, worker
):
    response = manager_api.post("/api/v1/models/", {})
    assert response.status_code == 202
    number = response.json()["version"]["number"]
    version = wait_for(number, {"ready", "rejected", "failed"}, worker)
    assert version.status == "ready", version.error or version.gate
    assert version.is_active
    assert version.duration_seconds > 0 and version.progress == 1.0
    assert version.progress_message == "passed the promotion gate"
    assert trainee_api.post("/api/v1/predict/", FLOWER).json()["model_version"] == number
    assert ModelVersion.objects.get(number=1).is_active is False


def test_a_gate_failing_training_is_rejected_and_the_active_version_stays(
    manager_api, trainee_api, active, worker
):
    number = manager_api.post("/api/v1/models/", {"epochs": 1}).json()["version"]["number"]
    version = wait_for(number, {"ready", "rejected", "failed"}, worker)
    assert version.status == "rejected"
    assert "below" in version.gate["reason"]
    assert ModelVersion.objects.get(is_active=True).number == 1
    assert trainee_api.post("/api/v1/predict/", FLOWER).json()["model_version"] == 1


def test_two_retrains_requested_at_once_train_exactly_one(manager, active, worker):
    from rest_framework.test import APIClient

    from trainees.services import token_issue

    key = token_issue(user=manager)[1]
    statuses = []
    barrier = threading.Barrier(2)

    def request():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        statuses.append(client.post("/api/v1/models/", {}).status_code)
        connection.close()

    in_threads(request, times=2)
    assert sorted(statuses) == [202, 409]
    [queued] = ModelVersion.objects.exclude(number=1)
    assert wait_for(queued.number, {"ready", "rejected", "failed"}, worker).status == "ready"
    assert ModelVersion.objects.count() == 2


def test_a_training_whose_process_dies_changes_nothing_and_the_next_one_succeeds(
    manager_api, trainee_api, active, worker
):
    number = manager_api.post("/api/v1/models/", {"epochs": 5000}).json()["version"]["number"]
    killed = set()
    # Kill the training process each time it starts: once is retried, twice is a failure.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        version = ModelVersion.objects.get(number=number)
        if version.status == "failed":
            break
        if version.status == "training" and version.worker and version.worker not in killed:
            time.sleep(1.0)
            os.kill(int(version.worker.rsplit(":", 1)[1]), signal.SIGKILL)
            killed.add(version.worker)
        assert trainee_api.post("/api/v1/predict/", FLOWER).json()["model_version"] == 1
        time.sleep(0.2)
    version = ModelVersion.objects.get(number=number)
    assert version.status == "failed", worker.output()[-3000:]
    assert "died" in version.error
    assert len(killed) == 2
    assert ModelVersion.objects.get(is_active=True).number == 1
    assert trainee_api.post("/api/v1/predict/", FLOWER).json()["model_version"] == 1

    next_number = manager_api.post("/api/v1/models/", {}).json()["version"]["number"]
    assert wait_for(next_number, {"ready", "rejected", "failed"}, worker).status == "ready"


def test_a_killed_worker_parent_and_child_blocks_no_retrain_once_a_worker_starts(
    manager_api, trainee_api, active, worker, tmp_path
):
    number = manager_api.post("/api/v1/models/", {"epochs": 5000}).json()["version"]["number"]
    deadline = time.monotonic() + 120
    version = ModelVersion.objects.get(number=number)
    while time.monotonic() < deadline and not (
        version.status == "training" and version.progress > 0
    ):
        time.sleep(0.2)
        version = ModelVersion.objects.get(number=number)
    assert version.status == "training", worker.output()[-3000:]
    # The whole worker goes: its main process and the pool process that trains.
    child = int(version.worker.rsplit(":", 1)[1])
    os.kill(worker.process.pid, signal.SIGKILL)
    os.kill(child, signal.SIGKILL)
    worker.process.wait()
    killed_at = time.monotonic()
    assert ModelVersion.objects.get(number=number).status == "training"
    assert manager_api.post("/api/v1/models/", {}).status_code == 409

    replacement = Worker(tmp_path / "replacement.log").start()
    try:
        response = manager_api.post("/api/v1/models/", {})
        assert response.status_code == 202, response.content
        killed = ModelVersion.objects.get(number=number)
        assert killed.status == "failed" and "died" in killed.error
        retrained = wait_for(
            response.json()["version"]["number"], {"ready", "rejected", "failed"}, replacement,
            timeout=90,
        )
        assert retrained.status == "ready", retrained.error
        assert time.monotonic() - killed_at < 90
        assert trainee_api.post("/api/v1/predict/", FLOWER).json()["model_version"] == (
            retrained.number
        )
    finally:
        replacement.stop()
