"""Celery entry points: take ids, call the service. TensorFlow loads inside the task only."""

import logging

from celery import shared_task
from django.conf import settings

from ml.services import (
    input_drift_check,
    model_version_retrain_nightly,
    model_version_train,
    model_versions_reap,
)

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.ML_TRAINING_SOFT_TIME_LIMIT,
    time_limit=settings.ML_TRAINING_TIME_LIMIT,
)
def model_version_train_task(version_id: int) -> None:
    model_version_train(version_id=version_id)


@shared_task
def model_nightly_retrain_task() -> None:
    """Retrain when the samples changed since the active version was trained."""
    model_version_retrain_nightly()


@shared_task
def model_versions_reap_task() -> None:
    model_versions_reap()


@shared_task
def input_drift_check_task() -> None:
    """Compare recent inputs with the active version's training split (beat, every
    ML_DRIFT_CHECK_MINUTES); running it twice only adds a second, equal report."""
    report = input_drift_check()
    if report is not None:
        logger.info("input drift of v%s: %s (%d inputs)", report.version.number, report.state,
                    report.sample_size)
