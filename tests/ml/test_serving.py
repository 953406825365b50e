"""Web processes serve with LiteRT only and follow the active version without a restart."""

import subprocess
import sys
import time

import pytest

from ml.serving import active_model
from tests.factories import ModelVersionFactory
from tests.worker import ROOT, child_process_env
from trainees.services import token_issue

SERVE_AND_REPORT = """
import sys, django
django.setup()
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Token " + sys.argv[1])
flower = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
statuses = [
    client.post("/api/v1/predict/", flower, content_type="application/json").status_code,
    client.get("/api/v1/predict/", flower).status_code,
    client.get("/api/v1/flowers/random/").status_code,
    client.get("/api/v1/models/active/").status_code,
    client.get("/api/v1/models/1/plots/loss/").status_code,
    client.get("/readyz").status_code,
]
from ml.serving import model_version_served
for level in ("apprentice", "florist", "botanist"):
    model_version_served(1, level).predict([[6.7, 3.3, 5.7, 2.5]])
print(statuses)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras")))
"""


@pytest.mark.django_db(transaction=True)
def test_serving_requests_and_every_level_never_imports_tensorflow(
    trainee, flowers, trained_artifacts, trained_levels
):
    ModelVersionFactory(
        number=1, is_active=True, trigger="bootstrap", artifacts=trained_artifacts,
        levels=trained_levels,
    )
    result = subprocess.run(
        [sys.executable, "-c", SERVE_AND_REPORT, token_issue(user=trainee)[1]],
        cwd=ROOT, env=child_process_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    statuses, modules = result.stdout.strip().splitlines()[-2:]
    assert statuses == "[200, 200, 200, 200, 200, 200]", result.stderr[-3000:]
    assert modules == "[]"


@pytest.mark.django_db
def test_a_process_notices_a_new_active_version_within_the_check_interval(
    active_version, settings
):
    settings.ML_ACTIVE_CHECK_SECONDS = 0.3
    assert active_model().number == 1
    other = ModelVersionFactory(number=2, artifacts=active_version)
    from ml.services import model_version_activate

    model_version_activate(number=other.number)
    time.sleep(0.35)
    assert active_model().number == 2


@pytest.mark.django_db
def test_the_served_model_predicts_the_shipped_flowers(active_version):
    import numpy as np

    from ml.dataset import shipped_split_arrays

    _, _, x_test, y_test = shipped_split_arrays()
    predicted = active_model().predict_proba(x_test).argmax(axis=1)
    assert np.mean(predicted == y_test) >= 0.95
