"""The ml app's models, by topic; everything is importable from `ml.models` (migrations
reference `ml.models.validate_above_zero`)."""

from ml.models.drift import DriftReport, InputSample, InputSource
from ml.models.samples import (
    FEATURE_LABELS,
    MEASUREMENT_MAX_CM,
    MEASUREMENT_MIN_CM,
    FlowerSample,
    Source,
    Species,
    SpeciesPhoto,
    Split,
    validate_above_zero,
)
from ml.models.versions import (
    LEVEL_FEATURES,
    MODEL_VERSION_BLOBS,
    Level,
    ModelVersion,
    ModelVersionQuerySet,
    OpponentModel,
    gate_reason,
    model_version_blobs,
)

__all__ = [
    "FEATURE_LABELS",
    "LEVEL_FEATURES",
    "MEASUREMENT_MAX_CM",
    "MEASUREMENT_MIN_CM",
    "MODEL_VERSION_BLOBS",
    "DriftReport",
    "FlowerSample",
    "InputSample",
    "InputSource",
    "Level",
    "ModelVersion",
    "ModelVersionQuerySet",
    "OpponentModel",
    "Source",
    "Species",
    "SpeciesPhoto",
    "Split",
    "gate_reason",
    "model_version_blobs",
    "validate_above_zero",
]
