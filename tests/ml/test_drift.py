"""Input drift monitoring: recording inputs, the drift check, the admin and the worker."""

import math
import time
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from ml import monitoring
from ml.dataset import FEATURES
from ml.drift import feature_drift, ks_critical, ks_statistic, psi
from ml.models import DriftReport, FlowerSample, InputSample, ModelVersion
from ml.selectors import drift_latest
from ml.services import drift as drift_service
from ml.services import drift_report_compute, input_samples_prune
from tests.worker import Worker

VERSIONS = reverse("admin:ml_modelversion_changelist")
PETAL_LENGTH = FEATURES.index("petal_length")
PETAL_WIDTH = FEATURES.index("petal_width")


@pytest.fixture
def version(flowers):
    """An active version: the drift check needs its row, not its model."""
    return ModelVersion.objects.create(
        number=1, status=ModelVersion.Status.READY, is_active=True, progress=1.0,
        trigger=ModelVersion.Trigger.BOOTSTRAP, train_count=120, test_count=30,
    )


def split(name: str) -> np.ndarray:
    rows = FlowerSample.objects.filter(split=name).order_by("id").values_list(*FEATURES)
    return np.asarray(list(rows), dtype=np.float64)


def store(rows, *, source="predict", when=None) -> None:
    when = when or timezone.now()
    InputSample.objects.bulk_create(
        InputSample(created_at=when, source=source, **dict(zip(FEATURES, row, strict=True)))
        for row in np.asarray(rows).tolist()
    )


def shifted_petals(rows: np.ndarray, cm: float = 2.0) -> np.ndarray:
    rows = rows.copy()
    rows[:, PETAL_LENGTH] += cm
    rows[:, PETAL_WIDTH] += cm
    return rows


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


# Recording inputs


def test_recorded_inputs_are_written_in_one_insert_when_flushed(db, django_assert_num_queries):
    monitoring.inputs_record(np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32))
    monitoring.inputs_record([[6.7, 3.3, 5.7, 2.5]], source="challenge")
    assert not InputSample.objects.exists()

    with django_assert_num_queries(1):
        assert monitoring.inputs_flush() == 2

    rows = InputSample.objects.order_by("id").values_list(*FEATURES, "source")
    assert [(round(r[2], 4), r[4]) for r in rows] == [(1.4, "predict"), (5.7, "challenge")]
    assert monitoring.inputs_flush() == 0


def test_a_request_contributes_at_most_a_few_random_rows(db):
    batch = np.tile(np.array([5.1, 3.5, 1.4, 0.2], dtype=np.float32), (10_000, 1))
    batch[:, 0] = np.linspace(4, 8, 10_000)

    monitoring.inputs_record(batch)

    assert monitoring.inputs_flush() == monitoring.ROWS_PER_REQUEST
    sepals = list(InputSample.objects.values_list("sepal_length", flat=True))
    # Drawn from the whole batch, not its first rows.
    assert len(set(sepals)) > 1 and max(sepals) > batch[monitoring.ROWS_PER_REQUEST, 0]


def test_the_buffer_is_bounded_and_samples_the_whole_interval(db):
    for i in range(5000):
        monitoring.inputs_record(np.array([[4 + i / 1250, 3.0, 1.5, 0.2]], dtype=np.float32))

    assert len(monitoring._buffer) == monitoring.BUFFER_ROWS
    assert monitoring.inputs_flush() == monitoring.BUFFER_ROWS
    sepals = np.array(InputSample.objects.values_list("sepal_length", flat=True))
    # A uniform sample of all 5,000 (reservoir), not the first 200: sepal lengths 4..8.
    assert sepals.max() > 7 and 5 < np.median(sepals) < 7


@pytest.mark.parametrize("rows", [
    None, "5.1,3.5,1.4,0.2", 42, [], [[5.1, 3.5, 1.4]], [[float("nan"), 3.5, 1.4, 0.2]],
    [[float("inf"), 3.5, 1.4, 0.2]], [[True, 3.5, 1.4, 0.2]], [["5.1", 3.5, 1.4, 0.2]],
    [[-1.0, 3.5, 1.4, 0.2]], [[99.0, 3.5, 1.4, 0.2]], [None], np.zeros((3, 5)),
    np.zeros(4), np.array([[np.nan, 1, 1, 1]]), {"sepal_length": 5.1},
], ids=repr)
def test_bad_rows_are_skipped_without_an_error(db, rows):
    monitoring.inputs_record(rows)
    monitoring.inputs_record([[5.0, 3.0, 1.5, 0.2]])

    assert monitoring.inputs_flush() == 1


def test_good_rows_of_a_partly_bad_batch_are_kept(db):
    monitoring.inputs_record([[5.0, 3.0, 1.5, 0.2], [float("nan"), 1, 1, 1], "x", [6, 3, 5, 2]])
    assert monitoring.inputs_flush() == 2


def test_a_failed_write_drops_the_sample_and_raises_nothing(db, monkeypatch, caplog):
    monitoring.inputs_record([[5.0, 3.0, 1.5, 0.2]])

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(InputSample.objects, "bulk_create", broken)
    assert monitoring.inputs_flush() == 0
    assert "writing 1 input samples failed" in caplog.text
    assert len(monitoring._buffer) == 0


@pytest.mark.django_db(transaction=True)
def test_a_request_flushes_the_buffer_once_the_interval_has_passed(settings):
    settings.ML_DRIFT_FLUSH_SECONDS = 3600
    monitoring.inputs_record([[5.0, 3.0, 1.5, 0.2]])
    assert not InputSample.objects.exists()

    settings.ML_DRIFT_FLUSH_SECONDS = 0.01
    time.sleep(0.02)
    monitoring.inputs_record([[5.1, 3.0, 1.5, 0.2]])

    assert InputSample.objects.count() == 2


def test_no_flush_happens_inside_a_transaction(db, settings):
    # A rollback would take the sample with it: the next request outside one writes it.
    settings.ML_DRIFT_FLUSH_SECONDS = 0
    monitoring.inputs_record([[5.0, 3.0, 1.5, 0.2]])
    assert len(monitoring._buffer) == 1


# The prediction routes record what they are sent


FLOWER = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}


def recorded(source="predict") -> list[list[float]]:
    monitoring.inputs_flush()
    rows = InputSample.objects.filter(source=source).order_by("id").values_list(*FEATURES)
    return [[round(value, 4) for value in row] for row in rows]


def test_the_predict_endpoints_record_their_inputs(trainee_api, active_version):
    assert trainee_api.post("/api/v1/predict/", FLOWER, format="json").status_code == 200
    assert trainee_api.get("/api/v1/predict/", {**FLOWER, "petal_length": 5.0}).status_code == 200
    assert trainee_api.get(
        "/predict_flower", {"guess_string": "[5.1,3.5,1.4,0.2]"}).status_code == 200
    batch = {"instances": [[5.0, 3.0, 1.6, 0.2], [6.0, 2.9, 4.5, 1.5]]}
    assert trainee_api.post("/api/v1/predict/", batch, format="json").status_code == 200

    assert recorded() == [
        [6.7, 3.3, 5.7, 2.5], [6.7, 3.3, 5.0, 2.5], [5.1, 3.5, 1.4, 0.2],
        [5.0, 3.0, 1.6, 0.2], [6.0, 2.9, 4.5, 1.5],
    ]


def test_the_v2_infer_route_records_its_inputs(trainee_api, active_version):
    body = {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32",
                        "data": [5.9, 3.0, 5.1, 1.8]}]}
    response = trainee_api.post("/v2/models/iris/infer", body, format="json")

    assert response.status_code == 200
    assert recorded() == [[5.9, 3.0, 5.1, 1.8]]


def test_refused_and_invalid_predictions_record_nothing(trainee_api, anon, active_version):
    assert trainee_api.post("/api/v1/predict/", {**FLOWER, "petal_length": "x"},
                            format="json").status_code == 400
    assert anon.post("/api/v1/predict/", FLOWER, format="json").status_code == 401
    assert recorded() == []


def test_an_answered_challenge_round_records_its_flower(trainee_api, active_version):
    from challenges.models import ChallengeRound

    session = trainee_api.post("/api/v1/challenges/", {"rounds": 1}, format="json").json()
    response = trainee_api.post(
        f"/api/v1/challenges/{session['id']}/rounds/1/answer/", {"guess": "setosa"},
        format="json",
    )

    assert response.status_code == 200
    round_ = ChallengeRound.objects.get(session_id=session["id"])
    assert recorded("challenge") == [[round(v, 4) for v in round_.measurements]]
    assert recorded("predict") == []


# The admin


@pytest.fixture
def drifted(version):
    store(shifted_petals(split("test")).repeat(10, axis=0))
    return drift_report_compute()


def test_a_manager_sees_the_active_versions_drift_state_in_the_list(client, manager, drifted):
    client.force_login(manager)

    page = client.get(VERSIONS).content.decode()

    assert "input-drift-drifted" in page
    assert "Inputs have drifted: petal " in page
    assert f"petal length (PSI {drifted.features['petal_length']['psi']:.2f})" in page


def test_the_version_page_shows_the_figures_per_measurement(client, manager, drifted):
    client.force_login(manager)

    page = client.get(reverse("admin:ml_modelversion_change", args=[drifted.version_id]))
    text = page.content.decode()

    assert page.status_code == 200
    assert "Input monitoring" in text and "drift-table" in text
    assert f"{drifted.features['sepal_width']['psi']:.3f}" in text
    assert f"{drifted.features['petal_length']['ks_critical']:.3f}" in text
    assert "300 inputs of the last 24 hours (300 prediction requests)" in text


def test_the_list_says_when_the_active_version_was_not_checked_yet(client, manager, version):
    client.force_login(manager)
    assert "Not checked yet" in client.get(VERSIONS).content.decode()


def test_the_list_shows_an_ok_state(client, manager, version):
    store(split("test").repeat(10, axis=0))
    drift_report_compute()
    client.force_login(manager)

    page = client.get(VERSIONS).content.decode()

    assert "input-drift-ok" in page and "Inputs look like training data" in page


def test_the_list_reads_the_drift_state_in_one_query(
    client, manager, version, django_assert_max_num_queries
):
    for number in range(2, 12):
        ModelVersion.objects.create(number=number, status="ready", trigger="manager")
    drift_report_compute()
    client.force_login(manager)
    client.get(VERSIONS)  # warm caches (content types, permissions)

    with django_assert_max_num_queries(12) as context:
        client.get(VERSIONS)
    drift_queries = [q for q in context.captured_queries if "ml_driftreport" in q["sql"]]
    assert len(drift_queries) == 1


def test_a_trainee_cannot_see_the_drift_state(client, trainee, drifted):
    client.force_login(trainee)

    for url in (VERSIONS, reverse("admin:ml_modelversion_change", args=[drifted.version_id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# In the real worker


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_detects_shifted_inputs(tmp_path, version, django_db_setup):
    from ml.tasks import input_drift_check_task

    store(shifted_petals(split("test")).repeat(10, axis=0))
    worker = Worker(tmp_path / "worker.log").start()
    try:
        input_drift_check_task.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not DriftReport.objects.exists():
            time.sleep(0.2)
        report = DriftReport.objects.first()
        assert report is not None, worker.output()[-4000:]
    finally:
        worker.stop()
    assert report.version_id == version.id
    assert report.state == DriftReport.State.DRIFTED
    assert set(report.drifted_features) == {"petal_length", "petal_width"}
    assert "input drift of v1: drifted (300 inputs)" in worker.output()
