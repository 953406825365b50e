"""Business operations of the ml app; views, tasks and commands call these."""

from ml.services.drift import drift_report_compute, input_drift_check, input_samples_prune
from ml.services.flowers import (
    flower_sample_create,
    flower_sample_update,
    flower_samples_create_many,
    flowers_load_shipped,
)
from ml.services.registry import (
    model_version_activate,
    model_version_request,
    model_versions_reap,
)
from ml.services.schedule import model_version_retrain_nightly
from ml.services.training import model_version_train

__all__ = [
    "drift_report_compute",
    "flower_sample_create",
    "flower_sample_update",
    "flower_samples_create_many",
    "flowers_load_shipped",
    "input_drift_check",
    "input_samples_prune",
    "model_version_activate",
    "model_version_request",
    "model_version_retrain_nightly",
    "model_version_train",
    "model_versions_reap",
]
