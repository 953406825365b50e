"""The nightly retrain decides in its service (ml/services/schedule.py); the task only calls it."""

import pytest

from ml.models import ModelVersion
from ml.services import model_version_retrain_nightly
from ml.services.training import data_fingerprint
from tests.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _switched_on(settings):
    settings.ML_NIGHTLY_RETRAIN = True


def test_it_does_nothing_when_switched_off(settings, flowers):
    settings.ML_NIGHTLY_RETRAIN = False

    assert model_version_retrain_nightly() is None
    assert not ModelVersion.objects.exists()


def test_it_queues_a_scheduled_training_when_no_version_is_active(flowers):
    version = model_version_retrain_nightly()

    assert version is not None
    assert (version.status, version.trigger) == ("queued", "schedule")


def test_it_does_nothing_when_the_samples_are_unchanged_since_the_active_version(flowers):
    ModelVersionFactory(is_active=True, data_fingerprint=data_fingerprint())

    assert model_version_retrain_nightly() is None
    assert ModelVersion.objects.count() == 1


def test_it_queues_a_training_when_the_samples_changed(flowers):
    ModelVersionFactory(is_active=True, data_fingerprint="an older data set")

    version = model_version_retrain_nightly()

    assert version is not None
    assert version.trigger == "schedule"
    assert ModelVersion.objects.count() == 2
