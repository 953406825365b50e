"""The model as web processes serve it: LiteRT only, cached per process.

Never imports TensorFlow (tests/ml/test_serving.py checks it in a fresh process). Each
process re-reads which version is active at most every ML_ACTIVE_CHECK_SECONDS, so a
promotion or rollback reaches every web process within seconds, with no restart.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from ml.dataset import SPECIES
from ml.litert import LiteRTClassifier
from ml.models import ModelVersion


@dataclass(frozen=True)
class ServedModel:
    version_id: int
    number: int
    classifier: LiteRTClassifier

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.classifier.predict_proba(x)

    def predict(self, x: np.ndarray) -> list[dict]:
        """Species and class probabilities for each row of x (n, 4)."""
        probabilities = self.predict_proba(x)
        best = probabilities.argmax(axis=1)
        return [
            {
                "species": SPECIES[b],
                "probabilities": dict(zip(SPECIES, row.tolist(), strict=True)),
            }
            for b, row in zip(best.tolist(), probabilities, strict=True)
        ]


class _Registry:
    """The active model plus a few recently used versions, loaded from the database."""

    RECENT = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: ServedModel | None = None
        self._checked_at = float("-inf")
        self._recent: OrderedDict[int, ServedModel] = OrderedDict()

    def _load(self, version_id: int, number: int) -> ServedModel:
        cached = self._recent.get(version_id)
        if cached is None:
            blob = ModelVersion.objects.values_list("tflite", flat=True).get(id=version_id)
            cached = ServedModel(version_id, number, LiteRTClassifier(bytes(blob)))
            self._recent[version_id] = cached
            while len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
        self._recent.move_to_end(version_id)
        return cached

    def active(self) -> ServedModel | None:
        if time.monotonic() - self._checked_at < settings.ML_ACTIVE_CHECK_SECONDS:
            return self._active
        with self._lock:
            if time.monotonic() - self._checked_at >= settings.ML_ACTIVE_CHECK_SECONDS:
                row = ModelVersion.objects.filter(is_active=True).values_list("id", "number")
                row = row.first()
                self._active = self._load(*row) if row else None
                self._checked_at = time.monotonic()
        return self._active

    def version(self, number: int) -> ServedModel | None:
        """A specific ready version (for the v2 protocol's versioned routes and challenges)."""
        with self._lock:
            row = (
                ModelVersion.objects.filter(number=number, status=ModelVersion.Status.READY)
                .values_list("id", "number")
                .first()
            )
            return self._load(*row) if row else None

    def forget(self) -> None:
        with self._lock:
            self._active = None
            self._checked_at = float("-inf")
            self._recent.clear()


registry = _Registry()


def active_model() -> ServedModel | None:
    return registry.active()


def model_version_served(number: int) -> ServedModel | None:
    return registry.version(number)
