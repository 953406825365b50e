"""Recording the inputs the prediction routes and challenges are sent."""

import time

import numpy as np
import pytest

from ml import monitoring
from ml.dataset import FEATURES
from ml.models import InputSample

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
