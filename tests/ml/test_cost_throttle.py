"""THROTTLE_ROWS: predictions are throttled by the rows they ask for, per user, on every
prediction route, each answering its 429 in its own error shape with Retry-After."""

import pytest

pytestmark = pytest.mark.django_db

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
ROW = [5.1, 3.5, 1.4, 0.2]


@pytest.fixture
def rows_limit(settings):
    """A budget of 10 rows a minute per user (the request rate stays high)."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "rows": "10/min", "user": "100000/min"},
    }
    return 10


@pytest.fixture(autouse=True)
def _no_exhausted_users():
    from flower_power.api import throttling

    throttling._rows_exhausted.clear()
    yield
    throttling._rows_exhausted.clear()


def batch(n: int) -> dict:
    return {"instances": [ROW] * n}


def v2_request(n: int) -> dict:
    return {"inputs": [{"name": "input", "shape": [n, 4], "datatype": "FP32", "data": ROW * n}]}


def assert_project_429(response):
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert "rows" in error["message"]
    assert int(response["Retry-After"]) > 0


def assert_v2_429(response):
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str)
    assert "rows" in body["error"]
    assert int(response["Retry-After"]) > 0


def test_a_batch_costs_its_rows_not_one_request(trainee_api, active_version, rows_limit):
    assert trainee_api.post("/api/v1/predict/", batch(8)).status_code == 200
    assert trainee_api.post("/api/v1/predict/", batch(2)).status_code == 200
    # 10 rows used in two requests: the next single flower is over the budget.
    assert_project_429(trainee_api.post("/api/v1/predict/", SETOSA))


def test_a_batch_larger_than_the_budget_is_refused(trainee_api, active_version, rows_limit):
    assert_project_429(trainee_api.post("/api/v1/predict/", batch(11)))


def test_one_users_rows_do_not_spend_another_users_budget(
    trainee_api, other_api, active_version, rows_limit
):
    assert trainee_api.post("/api/v1/predict/", batch(10)).status_code == 200
    assert_project_429(trainee_api.post("/api/v1/predict/", SETOSA))
    assert other_api.post("/api/v1/predict/", batch(10)).status_code == 200


def test_every_prediction_route_counts_rows_and_answers_in_its_own_shape(
    trainee_api, active_version, rows_limit
):
    assert trainee_api.post("/api/v1/predict/", batch(7)).status_code == 200
    assert trainee_api.get("/api/v1/predict/", SETOSA).status_code == 200
    assert trainee_api.get("/predict_flower?guess_string=[6.7,3.3,5.7,2.5]").status_code == 200
    assert trainee_api.post("/v2/models/iris/infer", v2_request(1)).status_code == 200
    # 10 rows, from four routes: each route is now refused.
    assert_project_429(trainee_api.post("/api/v1/predict/", SETOSA))
    assert_project_429(trainee_api.get("/api/v1/predict/", SETOSA))
    assert_project_429(trainee_api.get("/predict_flower?guess_string=[6.7,3.3,5.7,2.5]"))
    assert_v2_429(trainee_api.post("/v2/models/iris/infer", v2_request(1)))
    assert_v2_429(trainee_api.post("/v2/models/iris/versions/1/infer", v2_request(1)))


def test_the_v2_routes_count_the_rows_of_the_tensor(trainee_api, active_version, rows_limit):
    assert trainee_api.post("/v2/models/iris/versions/1/infer", v2_request(6)).status_code == 200
    assert trainee_api.post("/v2/models/iris/infer", v2_request(4)).status_code == 200
    assert_v2_429(trainee_api.post("/v2/models/iris/infer", v2_request(1)))


def test_invalid_requests_spend_no_rows(trainee_api, active_version, rows_limit):
    for _ in range(3):
        bad = trainee_api.post("/api/v1/predict/", {"instances": [[5.1, 3.5, 1.4, True]] * 10})
        assert bad.status_code == 400
    assert trainee_api.post("/api/v1/predict/", batch(10)).status_code == 200


def test_the_anonymous_are_refused_before_any_rows_are_counted(anon, active_version, rows_limit):
    assert anon.post("/api/v1/predict/", batch(11)).status_code == 401
    assert anon.post("/v2/models/iris/infer", v2_request(11)).status_code == 401


def test_the_default_budget_allows_full_batches(settings):
    from flower_power.api.throttling import RowsRateThrottle, UserRateThrottle

    rows = RowsRateThrottle()
    assert rows.duration == 60
    # Many maximal batches a minute, and more rows than the request rate lets single
    # flowers through: the rows budget only ever bites on batches.
    assert rows.num_requests >= 10 * settings.ML_PREDICT_MAX_ROWS
    assert rows.num_requests >= UserRateThrottle().num_requests


def test_a_windows_rows_counter_expires_with_its_window(
    trainee, trainee_api, active_version, rows_limit
):
    from django.core.cache import cache
    from django_redis import get_redis_connection

    from flower_power.api.throttling import RowsRateThrottle

    trainee_api.post("/api/v1/predict/", batch(3))
    trainee_api.post("/api/v1/predict/", batch(2))
    redis = get_redis_connection("default")
    # One counter per window (two if a minute ended between the requests).
    counters = list(redis.scan_iter(cache.make_key(f"throttle_rows_{trainee.pk}:*")))
    assert sum(int(redis.get(counter)) for counter in counters) == 5
    for counter in counters:
        assert 0 < redis.ttl(counter) <= RowsRateThrottle().duration + 1


def test_once_over_the_budget_a_batch_is_refused_before_its_body_is_read(
    trainee_api, other_api, active_version, rows_limit
):
    assert_project_429(trainee_api.post("/api/v1/predict/", batch(11)))
    # Malformed bodies: a 429, not a 400, so nothing was parsed.
    malformed = trainee_api.generic(
        "POST", "/api/v1/predict/", b'{"instances": [', content_type="application/json"
    )
    assert_project_429(malformed)
    assert_v2_429(trainee_api.generic(
        "POST", "/v2/models/iris/infer", b"{", content_type="application/json"
    ))
    # Another user's bad body is still a 400.
    assert other_api.generic(
        "POST", "/api/v1/predict/", b'{"instances": [', content_type="application/json"
    ).status_code == 400
