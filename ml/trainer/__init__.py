"""Pure training and export of the iris classifier: no database, no Django.

TensorFlow is imported inside the functions that need it, never at module level, so
importing this package stays cheap and web code paths never load TensorFlow (see
STYLE.md point 5). Only the worker's service should call into it.

`classifier` holds the hyper-parameters and the training loop, `network` the
arithmetic shared with the exports (including the input mask of the weaker levels),
`export` the LiteRT and Keras files, `metrics` the test-split figures.
"""

from ml.trainer.classifier import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_HIDDEN_UNITS,
    DEFAULT_LEARNING_RATE,
    DEFAULT_SEED,
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_LEARNING_RATE,
    MAX_PROGRESS_CALLS,
    MAX_SEED,
    MAX_UNITS,
    MIN_BATCH_SIZE,
    MIN_EPOCHS,
    MIN_LAYERS,
    MIN_UNITS,
    ProgressCallback,
    TrainingResult,
    train_classifier,
    validate_hyperparameters,
)
from ml.trainer.export import keras_predict_proba
from ml.trainer.network import feature_mask, initial_weights, validate_features

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_EPOCHS",
    "DEFAULT_HIDDEN_UNITS",
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_SEED",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MAX_LAYERS",
    "MAX_LEARNING_RATE",
    "MAX_PROGRESS_CALLS",
    "MAX_SEED",
    "MAX_UNITS",
    "MIN_BATCH_SIZE",
    "MIN_EPOCHS",
    "MIN_LAYERS",
    "MIN_UNITS",
    "ProgressCallback",
    "TrainingResult",
    "feature_mask",
    "initial_weights",
    "keras_predict_proba",
    "train_classifier",
    "validate_features",
    "validate_hyperparameters",
]
