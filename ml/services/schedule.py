"""The decisions of the beat schedule's ml tasks (ml/tasks.py only calls these)."""

import logging

from django.conf import settings

from ml.models import ModelVersion
from ml.selectors import model_version_active
from ml.services.registry import model_version_request
from ml.services.training import data_fingerprint

logger = logging.getLogger(__name__)


def model_version_retrain_nightly() -> ModelVersion | None:
    """Queue a training when the samples changed since the active version was trained."""
    if not settings.ML_NIGHTLY_RETRAIN:
        return None
    active = model_version_active()
    if active is not None and active.data_fingerprint == data_fingerprint():
        logger.info("nightly retrain: samples unchanged since v%s; nothing to do", active.number)
        return None
    return model_version_request(trigger=ModelVersion.Trigger.SCHEDULE)
