"""Training a queued model version: runs in the Celery worker (or `manage.py train_model`)."""

import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from flower_power import metrics
from ml.dataset import FEATURES, SPECIES
from ml.models import (
    LEVEL_FEATURES,
    FlowerSample,
    Level,
    ModelVersion,
    OpponentModel,
    Split,
    gate_reason,
)
from ml.selectors import model_version_active
from ml.services.registry import model_version_activate, process_alive, worker_name
from ml.trainer import ProgressCallback

logger = logging.getLogger(__name__)

# TensorFlow's C++ start-up chatter (CPU features, MLIR passes) buries the worker's own log.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# A training killed mid-way (worker SIGKILLed, machine lost) is delivered again once;
# after that it is marked failed rather than retried for ever.
MAX_ATTEMPTS = 2

# One run trains the version's own model (the Botanist), then the weaker levels on the same
# data and hyper-parameters; each gets this share of the progress bar (start, end).
STAGES: tuple[tuple[str, float, float], ...] = (
    (Level.BOTANIST, 0.0, 0.7),
    (Level.APPRENTICE, 0.7, 0.85),
    (Level.FLORIST, 0.85, 1.0),
)
# Progress messages are stored in English, like the gate's reason.
STAGE_NAMES = {
    Level.BOTANIST: "Botanist (all four measurements)",
    Level.APPRENTICE: "Apprentice (sepals only)",
    Level.FLORIST: "Florist (petals only)",
}


def _claim(version_id: int) -> bool:
    """Take the version for this process; True only for exactly one caller."""
    now = timezone.now()
    fields = {
        "status": ModelVersion.Status.TRAINING, "started_at": now, "heartbeat_at": now,
        "attempts": F("attempts") + 1, "worker": worker_name(), "progress": 0.0,
        "progress_message": "starting",
    }
    if ModelVersion.objects.filter(id=version_id, status=ModelVersion.Status.QUEUED).update(
        **fields
    ):
        return True
    # Delivered again while marked as training: either a duplicate delivery of a training
    # that is running (do nothing), or a redelivery after its worker died (retry once).
    version = ModelVersion.objects.filter(id=version_id).first()
    if version is None or version.status != ModelVersion.Status.TRAINING:
        return False
    stale = version.heartbeat_at is None or (
        (now - version.heartbeat_at).total_seconds() > settings.ML_TRAINING_LEASE_SECONDS
    )
    if not stale and process_alive(version.worker):
        return False
    if version.attempts >= MAX_ATTEMPTS:
        _fail(version_id, "The worker died during training, twice; nothing was changed.")
        metrics.training_finished("lost")
        return False
    # Compare-and-set on the worker we saw dead, so two redeliveries cannot both take it.
    return bool(
        ModelVersion.objects.filter(
            id=version_id, status=ModelVersion.Status.TRAINING, worker=version.worker
        ).update(**fields)
    )


@contextmanager
def _lease(version_id: int, worker: str):
    """Renew the training's lease (heartbeat_at) every third of ML_TRAINING_LEASE_SECONDS
    while the block runs, whatever it is doing (importing TensorFlow, a long epoch): a lease
    that runs out then means the process is gone, and the reaper may fail the training."""
    stop = threading.Event()
    interval = settings.ML_TRAINING_LEASE_SECONDS / 3

    def renew() -> None:
        try:
            while not stop.wait(interval):
                try:
                    ModelVersion.objects.filter(
                        id=version_id, status=ModelVersion.Status.TRAINING, worker=worker
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # the database blinked: the next renewal may succeed
                    logger.warning("could not renew the lease of version id=%s", version_id,
                                   exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"lease-{version_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _fail(version_id: int, error: str) -> None:
    ModelVersion.objects.filter(id=version_id).filter(
        Q(status=ModelVersion.Status.TRAINING) | Q(status=ModelVersion.Status.QUEUED)
    ).update(status=ModelVersion.Status.FAILED, error=error[:5000], finished_at=timezone.now())


def training_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """All samples as (x_train, y_train, x_test, y_test) and a fingerprint of the data."""
    rows = list(
        FlowerSample.objects.order_by("id").values_list("id", *FEATURES, "species", "split")
    )
    digest = hashlib.sha256()
    arrays = {Split.TRAIN: ([], []), Split.TEST: ([], [])}
    index = {name: i for i, name in enumerate(SPECIES)}
    for row in rows:
        digest.update(repr(row).encode())
        xs, ys = arrays[row[6]]
        xs.append(row[1:5])
        ys.append(index[row[5]])
    (x_train, y_train), (x_test, y_test) = arrays[Split.TRAIN], arrays[Split.TEST]
    return (
        np.asarray(x_train, dtype=np.float32).reshape(-1, 4),
        np.asarray(y_train, dtype=np.int32),
        np.asarray(x_test, dtype=np.float32).reshape(-1, 4),
        np.asarray(y_test, dtype=np.int32),
        digest.hexdigest(),
    )


def data_fingerprint() -> str:
    return training_data()[4]


def _gate(*, accuracy: float) -> dict:
    active = model_version_active()
    floor = settings.ML_PROMOTION_MIN_ACCURACY
    tolerance = settings.ML_PROMOTION_TOLERANCE
    gate = {
        "min_accuracy": floor, "tolerance": tolerance, "accuracy": accuracy,
        "active_version": active.number if active else None,
        "active_accuracy": active.accuracy if active else None,
    }
    if accuracy < floor:
        gate.update(passed=False, code="below_floor")
    elif active is not None and active.accuracy is not None and (
        accuracy < active.accuracy - tolerance
    ):
        gate.update(passed=False, code="worse_than_active")
    else:
        gate.update(passed=True, code="passed")
    # Stored in English for logs and API clients; ModelVersion.gate_reason translates.
    gate["reason"] = gate_reason(gate, translate=False)
    return gate


def model_version_train(*, version_id: int) -> ModelVersion | None:
    """Train a queued version and its weaker levels, evaluate them, promote if it passes."""
    if not _claim(version_id):
        logger.info("model version id=%s is not ours to train; skipping", version_id)
        return None
    version = ModelVersion.objects.get(id=version_id)
    with _lease(version_id, version.worker):
        return _train(version)


def _train(version: ModelVersion) -> ModelVersion:
    version_id = version.id
    started = time.monotonic()
    last_beat = [0.0]

    def progress_reporter(level: str, start: float, end: float) -> ProgressCallback:
        def on_progress(epoch: int, epochs: int, loss: float, accuracy: float) -> None:
            # Throttled: a row update per report, a few per second at most.
            now = time.monotonic()
            if epoch < epochs and now - last_beat[0] < 0.25:
                return
            last_beat[0] = now
            ModelVersion.objects.filter(
                id=version_id, status=ModelVersion.Status.TRAINING
            ).update(
                progress=min(start + (end - start) * epoch / epochs, 1.0),
                heartbeat_at=timezone.now(),
                progress_message=(
                    f"{STAGE_NAMES[level]}: epoch {epoch}/{epochs}: "
                    f"loss {loss:.4f}, accuracy {accuracy:.3f}"
                ),
            )

        return on_progress

    try:
        x_train, y_train, x_test, y_test, fingerprint = training_data()
        ModelVersion.objects.filter(id=version_id).update(
            train_count=len(y_train), test_count=len(y_test), data_fingerprint=fingerprint
        )
        if len(set(y_train.tolist())) < len(SPECIES) or len(y_test) == 0:
            raise ValueError("Training needs samples of all three species and a test split.")
        from ml.trainer import train_classifier  # TensorFlow: worker processes only

        results = {
            level: train_classifier(
                x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
                on_progress=progress_reporter(level, start, end),
                features=LEVEL_FEATURES[level],
                # The weaker levels are only ever served through LiteRT.
                export_keras=level == Level.BOTANIST,
                **version.hyperparameters,
            )
            for level, start, end in STAGES
        }
    except BaseException as exc:  # SoftTimeLimitExceeded included: record, then re-raise
        logger.exception("training of model version id=%s failed", version_id)
        _fail(version_id, f"{type(exc).__name__}: {exc}")
        metrics.training_finished("failed", time.monotonic() - started)
        if not isinstance(exc, Exception):
            raise
        return ModelVersion.objects.get(id=version_id)

    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(id=version_id)
        if version.status != ModelVersion.Status.TRAINING:
            return version  # reaped or failed meanwhile: keep that verdict
        result = results[Level.BOTANIST]
        gate = _gate(accuracy=result.metrics["accuracy"])
        version.status = ModelVersion.Status.READY if gate["passed"] else (
            ModelVersion.Status.REJECTED
        )
        version.gate = gate
        version.metrics = result.metrics
        version.history = result.history
        version.tflite = result.tflite_bytes
        version.keras = result.keras_bytes
        version.progress = 1.0
        version.progress_message = gate["reason"][:200]
        version.finished_at = timezone.now()
        version.duration_seconds = round(time.monotonic() - started, 3)
        version.save()
        # The levels belong to their version: activating it (now or on a later rollback)
        # brings its levels along.
        OpponentModel.objects.bulk_create(
            OpponentModel(
                version=version, level=level, features=list(trained.features),
                accuracy=trained.metrics["accuracy"], metrics=trained.metrics,
                tflite=trained.tflite_bytes,
            )
            for level, trained in results.items()
            if level != Level.BOTANIST
        )
        if gate["passed"]:
            model_version_activate(number=version.number)
    metrics.training_finished(version.status, version.duration_seconds)
    logger.info(
        "model version %s: %s (%s); levels: %s", version.number, version.status,
        gate["reason"], ", ".join(
            f"{level} {trained.metrics['accuracy']:.3f}" for level, trained in results.items()
        ),
    )
    return ModelVersion.objects.get(id=version_id)
