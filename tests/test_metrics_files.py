"""The dashboard and the alert rules in deploy/ only name metrics that /metrics serves."""

import json
import re
import time
from pathlib import Path

import pytest
import yaml
from django.db import transaction

from tests.test_metrics import SETOSA, metrics_token, scrape
from tests.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "deploy" / "grafana" / "flower-power.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
SCRAPE_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"

# PromQL words that are not metric names.
PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "bool", "offset", "rate", "irate", "increase", "delta", "idelta",
    "histogram_quantile", "abs", "absent", "clamp_min", "clamp_max", "time", "vector",
    "scalar", "label_replace", "sort", "sort_desc", "avg_over_time", "max_over_time",
    "min_over_time", "sum_over_time", "le", "inf", "nan",
}
SUFFIXES = ("_bucket", "_sum", "_count", "_total", "")


def metric_names(expression: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers left once strings, label matchers,
    `by (...)` lists, ranges and numbers are taken out, less PromQL's own words."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expression)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    words = set(re.findall(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", text))
    return {w for w in words if w.lower() not in PROMQL_WORDS}


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_expressions() -> list[str]:
    rules = yaml.safe_load(ALERTS.read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def test_the_files_parse_and_cover_what_the_alerts_must_watch():
    assert metric_names('sum by (le) (rate(a_b_bucket{route=~"/x"}[5m])) / c > 0.1') == {
        "a_b_bucket", "c"}
    alerts = alert_expressions()
    watched = set().union(*(metric_names(expr) for expr in alerts))
    for needed in (
        "flower_power_http_request_duration_seconds_bucket",  # latency p99
        "flower_power_http_request_duration_seconds_count",  # error rate
        "flower_power_celery_queue_length",  # queue backlog
        "flower_power_training_runs_total",  # failed trainings
        "flower_power_input_drifted",  # drift
    ):
        assert needed in watched
    assert all(metric_names(expr) for expr in alerts + dashboard_expressions())
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    job = config["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"]["type"] == "Bearer"
    assert config["rule_files"] == ["alerts.yml"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_metric_the_dashboard_and_alerts_use_is_on_metrics_after_real_traffic(
    tmp_path, flowers, trainee_api, settings
):
    from rest_framework.test import APIClient

    from ml.models import ModelVersion
    from ml.monitoring import inputs_flush
    from ml.services import input_drift_check, model_version_request, model_version_train
    from ml.tasks import model_versions_reap_task

    settings.ML_ACTIVE_CHECK_SECONDS = 0
    settings.ML_DRIFT_MIN_SAMPLES = 1
    # A real training, in this process (its task is purged when the worker below starts).
    with transaction.atomic():
        version = model_version_request(trigger=ModelVersion.Trigger.MANAGER, enqueue=False)
    assert model_version_train(version_id=version.id).status == "ready"
    for _ in range(3):
        assert trainee_api.post("/api/v1/predict/", SETOSA).status_code == 200
    session = trainee_api.post("/api/v1/challenges/", {"rounds": 1}).json()
    assert trainee_api.post(f"/api/v1/challenges/{session['id']}/rounds/1/answer/",
                            {"guess": "setosa"}).status_code == 200
    inputs_flush()
    assert input_drift_check() is not None
    worker = Worker(tmp_path / "worker.log").start()
    try:
        model_versions_reap_task.delay()
        prometheus = APIClient()
        prometheus.credentials(HTTP_AUTHORIZATION=f"Bearer {metrics_token()}")
        deadline = time.monotonic() + 60
        served = scrape(prometheus).names()
        while "flower_power_celery_tasks_total" not in served:
            assert time.monotonic() < deadline, worker.output()[-3000:]
            time.sleep(0.3)
            served = scrape(prometheus).names()
    finally:
        worker.stop()

    used = {
        name for expr in alert_expressions() + dashboard_expressions()
        for name in metric_names(expr)
    }
    missing = sorted(name for name in used if name not in served)
    assert not missing, f"used in deploy/ but not on /metrics: {missing}"
    # The other way round too: every family /metrics serves is on the dashboard.
    families = {re.sub(r"_(bucket|sum|count|total)$", "", name) for name in served
                if name.startswith("flower_power_")}
    shown = {re.sub(r"_(bucket|sum|count|total)$", "", name) for name in used}
    assert families - shown == set()
