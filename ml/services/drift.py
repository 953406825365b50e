"""The input drift check: recent inputs against the active version's training split."""

from datetime import timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from ml.dataset import FEATURES
from ml.drift import feature_drift
from ml.models import DriftReport, FlowerSample, InputSample, Split
from ml.selectors import model_version_active

# The most recent inputs compared (a bounded sample keeps the check cheap), and how many are
# kept at all: the table holds at most KEEP_ROWS rows, none older than KEEP_DAYS.
SAMPLE_MAX = 5000
KEEP_ROWS = 20_000
KEEP_DAYS = 7
# Reports are small; a month of them shows how the inputs moved.
REPORT_KEEP_DAYS = 30


def _reference() -> np.ndarray:
    """The training split as the active version was trained on it.

    A sample never changes split, and the nightly retrain follows changes to the samples,
    so the training split as it is now is what the active version learned from (a
    manager's edit since the last training counts as it is now).
    """
    rows = FlowerSample.objects.filter(split=Split.TRAIN).values_list(*FEATURES)
    return np.asarray(list(rows), dtype=np.float64).reshape(-1, len(FEATURES))


def drift_report_compute(*, now=None) -> DriftReport | None:
    """Compare recent inputs with the active version's training split and store a report;
    None when no version is active."""
    now = now or timezone.now()
    version = model_version_active()
    if version is None:
        return None
    since = now - timedelta(hours=settings.ML_DRIFT_WINDOW_HOURS)
    recent = InputSample.objects.filter(created_at__gte=since, created_at__lte=now)
    rows = list(recent.order_by("-id").values_list(*FEATURES, "source")[:SAMPLE_MAX])
    sample = np.asarray([row[:4] for row in rows], dtype=np.float64).reshape(-1, len(FEATURES))
    sources: dict[str, int] = {}
    for row in rows:
        sources[row[4]] = sources.get(row[4], 0) + 1
    reference = _reference()
    features: dict[str, dict] = {}
    if len(sample) < settings.ML_DRIFT_MIN_SAMPLES or len(reference) == 0:
        state = DriftReport.State.INSUFFICIENT
    else:
        features = feature_drift(
            reference, sample, psi_threshold=settings.ML_DRIFT_PSI_THRESHOLD,
            ks_alpha=settings.ML_DRIFT_KS_ALPHA,
        )
        drifted = any(figures["drifted"] for figures in features.values())
        state = DriftReport.State.DRIFTED if drifted else DriftReport.State.OK
    return DriftReport.objects.create(
        version=version, computed_at=now, state=state, sample_size=len(sample),
        min_sample_size=settings.ML_DRIFT_MIN_SAMPLES, reference_size=len(reference),
        window_hours=settings.ML_DRIFT_WINDOW_HOURS, sources=sources, features=features,
        psi_threshold=settings.ML_DRIFT_PSI_THRESHOLD,
    )


def input_samples_prune(*, now=None) -> int:
    """Keep the recorded inputs and reports bounded; how many inputs were deleted."""
    now = now or timezone.now()
    deleted, _ = InputSample.objects.filter(
        created_at__lt=now - timedelta(days=KEEP_DAYS)
    ).delete()
    oldest_kept = InputSample.objects.order_by("-id").values_list("id", flat=True)[
        KEEP_ROWS - 1:KEEP_ROWS
    ]
    if oldest_kept:
        more, _ = InputSample.objects.filter(id__lt=oldest_kept[0]).delete()
        deleted += more
    DriftReport.objects.filter(
        computed_at__lt=now - timedelta(days=REPORT_KEEP_DAYS)
    ).delete()
    return deleted


def input_drift_check(*, now=None) -> DriftReport | None:
    """Prune the recorded inputs, then compute the active version's drift report."""
    input_samples_prune(now=now)
    return drift_report_compute(now=now)

