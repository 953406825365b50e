"""AI levels a trainee can beat: weaker models that see fewer measurements, trained with
their version, stored beside it and served through LiteRT like the full model."""

import numpy as np

from ml.dataset import SPECIES
from ml.models import FlowerSample, Level, Split


def stored_models(version) -> dict[str, tuple[bytes, float]]:
    """Each level's flatbuffer and stored test accuracy, the Botanist being the version."""
    models = {
        row.level: (bytes(row.tflite), row.accuracy) for row in version.opponents.all()
    }
    models[Level.BOTANIST] = (bytes(version.tflite), version.metrics["accuracy"])
    return models


def stored_test_split():
    rows = FlowerSample.objects.filter(split=Split.TEST).order_by("id")
    x = np.array([sample.measurements for sample in rows], dtype=np.float32)
    y = np.array([SPECIES.index(sample.species) for sample in rows])
    return x, y


def iris_like_rows(count: int, seed: int = 0) -> np.ndarray:
    low = np.array([4.3, 2.0, 1.0, 0.1], dtype=np.float32)
    high = np.array([7.9, 4.4, 6.9, 2.5], dtype=np.float32)
    return np.random.default_rng(seed).uniform(low, high, (count, 4)).astype(np.float32)
