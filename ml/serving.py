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
import orjson
from django.conf import settings

from flower_power.metrics import predictions_record
from ml.dataset import SPECIES
from ml.litert import LiteRTClassifier
from ml.models import Level, ModelVersion, OpponentModel


@dataclass(frozen=True)
class ServedModel:
    version_id: int
    number: int
    classifier: LiteRTClassifier
    # Which opponent this is; the Botanist is the version's own model.
    level: str = Level.BOTANIST.value

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Every prediction served to a client passes here, and is counted (Prometheus)."""
        probabilities = self.classifier.predict_proba(x)
        predictions_record(self.number, probabilities)
        return probabilities

    def predict(self, x: np.ndarray) -> list[dict]:
        """Species and class probabilities for each row of x (n, 4)."""
        probabilities = self.predict_proba(x)
        species = [SPECIES[b] for b in probabilities.argmax(axis=1).tolist()]
        # One tolist() and literal dicts: 10,000 rows spent most of their time here.
        setosa, versicolor, virginica = SPECIES
        return [
            {"species": name, "probabilities": {setosa: a, versicolor: b, virginica: c}}
            for name, (a, b, c) in zip(species, probabilities.tolist(), strict=True)
        ]

    def predict_json(self, x: np.ndarray) -> orjson.Fragment:
        """`predict(x)` as the JSON orjson writes for it, byte for byte, at twice the speed:
        10,000 rows made 20,000 dicts only to serialise them."""
        probabilities = self.predict_proba(x)
        # As float64, orjson writes each number as it writes the Python float.
        columns = [
            orjson.dumps(column, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].split(b",")
            for column in np.ascontiguousarray(probabilities.T, dtype=np.float64)
        ]
        heads = [_ROW_HEADS[b] for b in probabilities.argmax(axis=1).tolist()]
        rows = map(_ROW_TAIL.__mod__, zip(heads, *columns, strict=True))
        return orjson.Fragment(b"[" + b",".join(rows) + b"]")


# One prediction of predict_json: the head names the species and opens the probabilities.
_ROW_HEADS = [
    b'{"species":"%s","probabilities":{"%s":' % (name.encode(), SPECIES[0].encode())
    for name in SPECIES
]
_ROW_TAIL = b'%%s%%s,"%s":%%s,"%s":%%s}}' % (SPECIES[1].encode(), SPECIES[2].encode())


class ModelCache:
    """The active model plus a few recently used (version, level) models, from the database."""

    # Every level of the active version and of two older ones (challenges started before a
    # promotion finish against their own version); each is a few KB.
    RECENT = 3 * len(Level.values)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: ServedModel | None = None
        self._checked_at = float("-inf")
        self._recent: OrderedDict[tuple[int, str], ServedModel] = OrderedDict()

    def _load(self, version_id: int, number: int, level: str = Level.BOTANIST) -> ServedModel:
        key = (version_id, str(level))
        cached = self._recent.get(key)
        if cached is None:
            if level == Level.BOTANIST:
                blobs = ModelVersion.objects.filter(id=version_id)
            else:
                blobs = OpponentModel.objects.filter(version_id=version_id, level=level)
            blob = blobs.values_list("tflite", flat=True).get()
            cached = ServedModel(version_id, number, LiteRTClassifier(bytes(blob)), key[1])
            self._recent[key] = cached
            while len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
        self._recent.move_to_end(key)
        return cached

    def _checked_lately(self) -> bool:
        return time.monotonic() - self._checked_at < settings.ML_ACTIVE_CHECK_SECONDS

    def active(self) -> ServedModel | None:
        if self._checked_lately():
            return self._active
        with self._lock:
            if not self._checked_lately():
                row = ModelVersion.objects.active().values_list("id", "number")
                row = row.first()
                self._active = self._load(*row) if row else None
                self._checked_at = time.monotonic()
        return self._active

    def active_cached(self) -> ServedModel | None:
        """The active model if this process checked it lately; None when a check is due (it
        queries the database: the lean path leaves that to Django, flower_power/fastpath.py)."""
        return self._active if self._checked_lately() else None

    def version(self, number: int, level: str = Level.BOTANIST) -> ServedModel | None:
        """A level of a specific ready version (the v2 protocol's versioned routes, challenges)."""
        if level == Level.BOTANIST:
            rows = ModelVersion.objects.filter(number=number, status=ModelVersion.Status.READY)
            rows = rows.values_list("id", "number")
        elif level in Level.values:
            rows = OpponentModel.objects.filter(
                version__number=number, version__status=ModelVersion.Status.READY, level=level
            ).values_list("version_id", "version__number")
        else:
            return None
        with self._lock:
            row = rows.first()
            return self._load(*row, level) if row else None

    def forget(self) -> None:
        with self._lock:
            self._active = None
            self._checked_at = float("-inf")
            self._recent.clear()


model_cache = ModelCache()


def active_model() -> ServedModel | None:
    return model_cache.active()


def model_version_served(number: int, level: str = Level.BOTANIST) -> ServedModel | None:
    """That version's model for a level; None unless the version is ready and has the level."""
    return model_cache.version(number, level)
