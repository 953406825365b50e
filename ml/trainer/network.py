"""The network's arithmetic, shared by the training loop and the exports."""

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.dataset import FEATURES, SPECIES


def validate_features(features: Sequence[str] | None) -> tuple[str, ...]:
    """Check the measurements a model may see; return them in FEATURES order or raise ValueError."""
    if features is None:
        return FEATURES
    if isinstance(features, str | bytes) or not isinstance(features, Sequence):
        raise ValueError(f"features must be a sequence of measurement names, got {features!r}")
    names = list(features)
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"features must be among {', '.join(FEATURES)}, got {unknown!r}")
    if not names or len(set(names)) != len(names):
        raise ValueError(f"features must name at least one measurement, once each, got {names!r}")
    return tuple(name for name in FEATURES if name in names)


def feature_mask(features: tuple[str, ...]) -> np.ndarray | None:
    """The constant 0/1 input mask for a model seeing only `features`; None when it sees all."""
    if features == FEATURES:
        return None
    return np.array([name in features for name in FEATURES], dtype=np.float32)


def initial_weights(units: tuple[int, ...], rng: np.random.Generator) -> list[np.ndarray]:
    # Keras' defaults (Glorot uniform kernels, zero biases), drawn from numpy so the
    # start does not depend on TensorFlow's global random state.
    sizes = (len(FEATURES), *units, len(SPECIES))
    weights: list[np.ndarray] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        weights.append(np.zeros(fan_out, dtype=np.float32))
    return weights


def forward(tf: Any, weights: list[Any], x: Any, mask: np.ndarray | None = None) -> Any:
    """Return the logits; `weights` alternates kernels and biases, like Keras' Dense.

    A model that must not see some measurements multiplies them by 0 here, so it is the
    same in training, evaluation and the exported LiteRT model, whose input stays [None, 4]:
    a hidden measurement reaches no weight, and its gradient is always 0.
    """
    hidden = x if mask is None else x * mask
    last = len(weights) - 2
    for index in range(0, len(weights), 2):
        hidden = tf.nn.bias_add(tf.matmul(hidden, weights[index]), weights[index + 1])
        if index != last:
            hidden = tf.nn.relu(hidden)
    return hidden
