"""/metrics: who may scrape it, and that real traffic moves the counters by what it did."""

import io
import time

import pytest
from django.core.management import call_command
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from ml.models import ModelVersion
from tests.worker import Worker

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = [6.7, 3.3, 5.7, 2.5]
VERSICOLOR = [5.9, 3.0, 4.2, 1.5]


def metrics_token() -> str:
    out = io.StringIO()
    call_command("metrics_token", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.fixture
def prometheus(db) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {metrics_token()}")
    return client


class Scrape(dict):
    """{(sample name, sorted labels): value} of one scrape."""

    def __call__(self, name: str, **labels) -> float:
        return self.get((name, tuple(sorted(labels.items()))), 0.0)

    def names(self) -> set[str]:
        return {name for name, _labels in self}


def scrape(client: APIClient) -> Scrape:
    response = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text;version=1.0.0,"
                          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    result = Scrape()
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            result[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return result


def delta(before: Scrape, after: Scrape, name: str, **labels) -> float:
    return after(name, **labels) - before(name, **labels)


# --- who may scrape


def test_anonymous_scraping_is_refused_with_401(anon, db):
    response = anon.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] == "not_authenticated"
    assert b"flower_power_" not in response.content


def test_a_trainee_and_a_manager_are_refused_with_403(trainee_api, manager_api):
    for client in (trainee_api, manager_api):
        response = client.get("/metrics")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_a_wrong_token_is_refused(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Bearer fp_not-a-token")
    assert anon.get("/metrics").status_code == 401


def test_the_metrics_token_account_has_only_that_permission_and_a_token_that_never_expires(db):
    from django.contrib.auth import get_user_model

    first, second = metrics_token(), metrics_token()
    user = get_user_model().objects.get(username="prometheus")
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert user.get_all_permissions() == {"metrics.view_metrics"}
    from trainees.models import ApiToken

    tokens = ApiToken.objects.filter(user=user)
    assert [(t.name, t.expiry) for t in tokens] == [("prometheus", None)]  # the first revoked
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert client.get("/metrics").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/metrics").status_code == 200
    # A metrics-scoped token: it authenticates nowhere else (tests/test_metrics_scope.py).
    assert client.post("/api/v1/models/", {}).status_code == 401


# --- counters after real traffic


def test_requests_and_predictions_are_counted_by_route_status_version_and_species(
    prometheus, trainee_api, active_version
):
    before = scrape(prometheus)
    assert trainee_api.post("/api/v1/predict/", SETOSA).status_code == 200
    batch = {"instances": [SETOSA, VIRGINICA, VIRGINICA, VERSICOLOR]}
    assert trainee_api.post("/api/v1/predict/", batch).status_code == 200
    assert trainee_api.get("/predict_flower", {"guess_string": "[6.7,3.3,5.7,2.5]"}).status_code \
        == 200
    infer = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4],
                         "data": [5.1, 3.5, 1.4, 0.2, 5.0, 3.4, 1.5, 0.2]}]}
    assert trainee_api.post("/v2/models/iris/infer", infer).status_code == 200
    assert trainee_api.post("/api/v1/predict/", {"sepal_length": "x"}).status_code == 400
    assert trainee_api.get("/api/v1/models/7/").status_code == 404
    assert trainee_api.get("/no/such/page").status_code == 404
    after = scrape(prometheus)

    def predicted(species):
        return delta(before, after, "flower_power_predictions_total", model_version="1",
                     species=species)

    assert (predicted("setosa"), predicted("versicolor"), predicted("virginica")) == (4, 1, 3)
    rows = "flower_power_prediction_rows"
    assert delta(before, after, f"{rows}_count", model_version="1") == 4
    assert delta(before, after, f"{rows}_sum", model_version="1") == 1 + 4 + 1 + 2
    assert delta(before, after, f"{rows}_bucket", model_version="1", le="1.0") == 2
    assert delta(before, after, f"{rows}_bucket", model_version="1", le="2.0") == 3
    assert delta(before, after, f"{rows}_bucket", model_version="1", le="5.0") == 4

    http = "flower_power_http_request_duration_seconds_count"
    assert delta(before, after, http, route="/api/v1/predict/", method="POST", status="200") \
        == 2
    assert delta(before, after, http, route="/api/v1/predict/", method="POST", status="400") \
        == 1
    assert delta(before, after, http, route="/predict_flower", method="GET", status="200") == 1
    assert delta(before, after, http, route="/v2/models/<str:model_name>/infer", method="POST",
                 status="200") == 1
    # The route template, never the path; a path no route matches is "unmatched".
    assert delta(before, after, http, route="/api/v1/models/<int:number>/", method="GET",
                 status="404") == 1
    assert delta(before, after, http, route="unmatched", method="GET", status="404") == 1
    assert not any("/7/" in dict(labels).get("route", "") for _name, labels in after)
    # The scrape before counts as one request (it is answered after it was measured).
    assert delta(before, after, http, route="/metrics", method="GET", status="200") == 1
    buckets = [value for (name, labels), value in after.items()
               if name == "flower_power_http_request_duration_seconds_bucket"
               and dict(labels)["route"] == "/api/v1/predict/"
               and dict(labels)["method"] == "POST" and dict(labels)["status"] == "200"]
    assert len(buckets) == 14  # 13 bounds and +Inf


def test_the_active_model_version_is_a_gauge(prometheus, active_version):
    assert scrape(prometheus)("flower_power_model_active_version") == 1
    ModelVersion.objects.filter(id=active_version.id).update(is_active=False)
    assert scrape(prometheus)("flower_power_model_active_version") == 0


def test_challenge_starts_answers_and_outcomes_are_counted_by_level(
    prometheus, trainee_api, active_version
):
    before = scrape(prometheus)
    start = trainee_api.post("/api/v1/challenges/", {"rounds": 2, "level": "florist"})
    assert start.status_code == 201
    session = start.json()
    corrects, outcome = [], None
    for index in (1, 2):
        answer = trainee_api.post(
            f"/api/v1/challenges/{session['id']}/rounds/{index}/answer/", {"guess": "setosa"}
        ).json()
        corrects.append(answer["correct"])
        outcome = answer["outcome"]
    # A second answer to a round is a 409 and counts nothing.
    assert trainee_api.post(
        f"/api/v1/challenges/{session['id']}/rounds/1/answer/", {"guess": "setosa"}
    ).status_code == 409
    second = trainee_api.post("/api/v1/challenges/", {"rounds": 1, "level": "botanist"}).json()
    gave_up = trainee_api.post(f"/api/v1/challenges/{second['id']}/give-up/")
    assert gave_up.status_code == 200
    after = scrape(prometheus)

    assert delta(before, after, "flower_power_challenge_starts_total", level="florist") == 1
    assert delta(before, after, "flower_power_challenge_starts_total", level="botanist") == 1
    for correct in (True, False):
        assert delta(
            before, after, "flower_power_challenge_answers_total", level="florist",
            correct=str(correct).lower(),
        ) == corrects.count(correct)
    outcomes = "flower_power_challenge_outcomes_total"
    assert outcome in {"win", "draw", "loss"}
    assert delta(before, after, outcomes, level="florist", outcome=outcome) == 1
    assert delta(before, after, outcomes, level="botanist", outcome="loss") == 1
    # The AI's own guesses (drawn when a challenge starts) are not predictions served.
    assert not any(
        delta(before, after, "flower_power_predictions_total", model_version="1", species=s)
        for s in ("setosa", "versicolor", "virginica")
    )


def test_metrics_disabled_records_nothing(prometheus, trainee_api, active_version, monkeypatch):
    from flower_power import metrics

    monkeypatch.setattr(metrics, "ENABLED", False)
    before = scrape(prometheus)
    assert trainee_api.post("/api/v1/predict/", SETOSA).status_code == 200
    after = scrape(prometheus)
    assert delta(before, after, "flower_power_predictions_total", model_version="1",
                 species="setosa") == 0


# --- the worker: trainings and task outcomes, from another process's files


@pytest.fixture
def worker(tmp_path, django_db_setup, django_db_blocker):
    started = Worker(tmp_path / "worker.log").start()
    yield started
    started.stop()


def wait_for_scrape(client: APIClient, name: str, worker: Worker, timeout: float = 180,
                    **labels) -> Scrape:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = scrape(client)
        if result(name, **labels):
            return result
        time.sleep(0.3)
    raise AssertionError(f"{name}{labels} never appeared; worker log:\n{worker.output()[-4000:]}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_training_and_task_outcomes_in_a_real_worker_show_on_metrics(
    flowers, manager_api, worker, settings
):
    from ml.tasks import model_version_train_task, model_versions_reap_task

    prometheus = APIClient()
    prometheus.credentials(HTTP_AUTHORIZATION=f"Bearer {metrics_token()}")
    before = scrape(prometheus)
    # The worker starts its counters from zero: nothing of an earlier worker is left over.
    assert not any(name.startswith("flower_power_celery_tasks") for name in before.names())

    assert manager_api.post("/api/v1/models/", {}).status_code == 202
    tasks = "flower_power_celery_tasks_total"
    train = "ml.tasks.model_version_train_task"
    after = wait_for_scrape(prometheus, tasks, worker, task=train, outcome="success")
    assert ModelVersion.objects.get().status == "ready"
    assert delta(before, after, "flower_power_training_runs_total", outcome="ready") == 1
    seconds = "flower_power_training_duration_seconds"
    assert delta(before, after, f"{seconds}_count", outcome="ready") == 1
    assert delta(before, after, f"{seconds}_sum", outcome="ready") == pytest.approx(
        ModelVersion.objects.get().duration_seconds, abs=0.001)
    assert after("flower_power_model_active_version") == 1

    model_versions_reap_task.delay()
    model_version_train_task.delay("not a version id")  # fails: an error in the task
    after = wait_for_scrape(prometheus, tasks, worker, task=train, outcome="failure")
    after = wait_for_scrape(prometheus, tasks, worker, task="ml.tasks.model_versions_reap_task",
                            outcome="success")
    assert after(tasks, task=train, outcome="success") == 1
    assert after(tasks, task=train, outcome="failure") == 1
    assert after("flower_power_celery_queue_length", queue=settings.CELERY_TASK_DEFAULT_QUEUE) \
        == 0
    assert after("flower_power_celery_queue_up") == 1
