"""Trainings whose worker is gone are failed within a lease, so they never block a retrain."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ml.models import ModelVersion
from ml.services import model_version_request, model_versions_reap
from ml.services.registry import worker_name
from ml.services.training import _lease

pytestmark = pytest.mark.django_db


def training(*, heartbeat_seconds_ago: float, worker: str) -> ModelVersion:
    return ModelVersion.objects.create(
        number=7, status=ModelVersion.Status.TRAINING, trigger=ModelVersion.Trigger.MANAGER,
        hyperparameters={}, worker=worker, progress=0.35,
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_seconds_ago),
    )


def a_dead_local_process() -> str:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{worker_name().rsplit(':', 1)[0]}:{process.pid}"


def test_a_training_whose_lease_ran_out_is_failed_and_a_retrain_is_accepted(settings):
    settings.ML_TRAINING_LEASE_SECONDS = 30
    version = training(heartbeat_seconds_ago=31, worker="elsewhere:123")
    assert model_versions_reap() == 1
    version.refresh_from_db()
    assert version.status == "failed" and "lease" in version.error
    assert model_version_request(trigger="manager", enqueue=False).status == "queued"


def test_a_training_with_a_live_lease_on_another_host_is_left_alone(settings):
    settings.ML_TRAINING_LEASE_SECONDS = 30
    version = training(heartbeat_seconds_ago=5, worker="elsewhere:123")
    assert model_versions_reap() == 0
    version.refresh_from_db()
    assert version.status == "training"


def test_a_training_whose_process_died_on_this_host_is_failed_at_once(settings):
    settings.ML_TRAINING_LEASE_SECONDS = 30
    version = training(heartbeat_seconds_ago=1, worker=a_dead_local_process())
    assert model_versions_reap() == 1
    version.refresh_from_db()
    assert version.status == "failed" and "died" in version.error


def test_the_reaper_runs_every_30_seconds_in_beat(settings):
    from flower_power.settings import CELERY_BEAT_SCHEDULE

    assert CELERY_BEAT_SCHEDULE["reap-stale-trainings"]["schedule"] == 30
    assert settings.ML_TRAINING_LEASE_SECONDS == 30


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_the_training_runs_whatever_it_does(settings):
    settings.ML_TRAINING_LEASE_SECONDS = 6  # renewed every 2 s
    version = training(heartbeat_seconds_ago=100, worker=worker_name())
    with _lease(version.id, version.worker):
        time.sleep(2.6)  # no progress reported at all meanwhile
        version.refresh_from_db()
        assert (timezone.now() - version.heartbeat_at).total_seconds() < 1.5
    assert model_versions_reap() == 0
