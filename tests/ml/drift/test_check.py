"""The drift statistics and the drift check of the active version's recent inputs."""

import math
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from ml.dataset import FEATURES
from ml.drift import feature_drift, ks_critical, ks_statistic, psi
from ml.models import DriftReport, InputSample, ModelVersion
from ml.selectors import drift_latest
from ml.services import drift as drift_service
from ml.services import drift_report_compute, input_samples_prune
from tests.ml.drift.conftest import PETAL_LENGTH, shifted_petals, split, store

# The statistics


def test_identical_samples_have_no_drift():
    values = np.linspace(1, 7, 120)
    assert psi(values, values) == pytest.approx(0.0)
    assert ks_statistic(values, values) == 0.0


def test_the_ks_statistic_is_the_largest_gap_between_the_distribution_functions():
    assert ks_statistic(np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 4.0, 5.0, 6.0])) == 0.5
    assert ks_statistic(np.array([1.0, 2.0]), np.array([5.0, 6.0])) == 1.0


def test_the_ks_critical_value_is_the_asymptotic_two_sample_bound():
    # c(0.05) = 1.358: the textbook value.
    assert ks_critical(100, 100, 0.05) == pytest.approx(1.358 * math.sqrt(2 / 100), rel=1e-3)
    assert ks_critical(1000, 120, 0.01) < ks_critical(100, 120, 0.01)


def test_a_float32_input_falls_in_the_same_bin_as_the_training_value_it_equals():
    reference = np.array([[1.4, 1.0, 1.4, 0.2]] * 60 + [[1.5, 2.0, 4.5, 1.5]] * 60)
    sample = reference.astype(np.float32)  # 1.4 as the model sees it: 1.39999998
    report = feature_drift(reference, sample, psi_threshold=0.2, ks_alpha=0.01)
    assert {name: figures["psi"] for name, figures in report.items()} == dict.fromkeys(
        FEATURES, 0.0)


# The drift check


def test_inputs_from_the_test_split_look_like_training_data(version):
    # Challenge traffic: every test flower, each shown as often as the others.
    store(np.repeat(split("test"), 10, axis=0), source="challenge")

    report = drift_report_compute()

    assert report.state == DriftReport.State.OK, report.features
    assert report.sample_size == 300 and report.reference_size == 120
    assert report.sources == {"challenge": 300}
    assert not report.drifted_features
    assert str(report.summary) == "Inputs look like training data"
    # PSI alone would call petal length drifted: the KS test says it is chance.
    assert report.features["petal_length"]["psi"] > 0.15
    assert all(figures["ks"] < figures["ks_critical"] for figures in report.features.values())


def test_random_draws_from_the_test_split_look_like_training_data(version):
    rng = np.random.default_rng(7)
    test = split("test")
    store(test[rng.integers(0, len(test), 1000)])

    assert drift_report_compute().state == DriftReport.State.OK


def test_shifted_petals_are_drifted_and_named_with_their_psi(version):
    store(shifted_petals(split("test")).repeat(10, axis=0))

    report = drift_report_compute()

    assert report.state == DriftReport.State.DRIFTED
    assert set(report.drifted_features) == {"petal_length", "petal_width"}
    assert not report.features["sepal_width"]["drifted"]
    figures = report.features["petal_length"]
    assert figures["psi"] > 1 and figures["ks"] > figures["ks_critical"]
    assert str(report.summary).startswith("Inputs have drifted: petal ")
    assert f"petal length (PSI {figures['psi']:.2f})" in str(report.summary)


def test_a_small_shift_of_one_measurement_is_detected(version):
    rows = split("test").repeat(10, axis=0)
    rows[:, FEATURES.index("sepal_length")] += 0.5
    store(rows)

    report = drift_report_compute()

    assert report.state == DriftReport.State.DRIFTED
    assert report.drifted_features == ["sepal_length"]


def test_too_few_recent_inputs_give_no_verdict(version, settings):
    settings.ML_DRIFT_MIN_SAMPLES = 200
    store(shifted_petals(split("test")).repeat(6, axis=0))  # 180

    report = drift_report_compute()

    assert report.state == DriftReport.State.INSUFFICIENT
    assert report.features == {}
    assert str(report.summary) == "Not enough recent inputs (180/200)"


def test_inputs_older_than_the_window_are_not_compared(version, settings):
    settings.ML_DRIFT_WINDOW_HOURS = 24
    store(shifted_petals(split("test")).repeat(10, axis=0),
          when=timezone.now() - timedelta(hours=25))
    store(split("test").repeat(10, axis=0))

    report = drift_report_compute()

    assert report.sample_size == 300 and report.state == DriftReport.State.OK


def test_the_check_compares_at_most_a_bounded_sample_of_the_newest_inputs(version, monkeypatch):
    monkeypatch.setattr(drift_service, "SAMPLE_MAX", 300)
    store(shifted_petals(split("test")).repeat(10, axis=0),
          when=timezone.now() - timedelta(minutes=5))
    store(split("test").repeat(10, axis=0))

    report = drift_report_compute()

    assert report.sample_size == 300 and report.state == DriftReport.State.OK


def test_there_is_no_report_without_an_active_version(flowers):
    store(split("test").repeat(10, axis=0))
    assert drift_report_compute() is None
    assert not DriftReport.objects.exists()


def test_the_latest_report_is_the_active_versions(version):
    older = drift_report_compute(now=timezone.now() - timedelta(minutes=10))
    store(split("test").repeat(10, axis=0))
    latest = drift_report_compute()

    assert older.state == "insufficient"
    assert drift_latest() == latest
    assert drift_latest(version=version) == latest
    ModelVersion.objects.filter(id=version.id).update(is_active=False)
    assert drift_latest() is None


def test_pruning_keeps_the_table_bounded_by_age_and_count(version, monkeypatch):
    monkeypatch.setattr(drift_service, "KEEP_ROWS", 50)
    store(split("test"), when=timezone.now() - timedelta(days=8))
    store(split("train"))
    old_report = drift_report_compute(now=timezone.now() - timedelta(days=31))

    deleted = input_samples_prune()

    assert deleted == 30 + 70
    assert InputSample.objects.count() == 50
    kept = InputSample.objects.order_by("id").values_list("petal_length", flat=True)
    assert list(kept) == split("train")[-50:, PETAL_LENGTH].tolist()
    assert not DriftReport.objects.filter(id=old_report.id).exists()
    assert input_samples_prune() == 0


def test_the_task_prunes_and_reports(version):
    from ml.tasks import input_drift_check_task

    store(shifted_petals(split("test")).repeat(10, axis=0))
    input_drift_check_task()

    assert drift_latest().state == DriftReport.State.DRIFTED


def test_beat_runs_the_check_periodically(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["input-drift-check"]
    assert entry["task"] == "ml.tasks.input_drift_check_task"
    assert entry["schedule"] == settings.ML_DRIFT_CHECK_MINUTES * 60
