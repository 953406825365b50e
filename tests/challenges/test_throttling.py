"""Answer and start throttles count across processes, through the shared Redis cache."""

import subprocess
import sys

import pytest

from tests.worker import ROOT, child_process_env
from trainees.services import token_issue

ANSWER_IN_ANOTHER_PROCESS = """
import sys, django
django.setup()
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Token " + sys.argv[1])
for _ in range(int(sys.argv[2])):
    print(client.post("/api/v1/practice/", content_type="application/json").status_code)
"""


@pytest.mark.django_db(transaction=True)
def test_starts_are_throttled_across_processes_with_retry_after(
    trainee, trainee_api, flowers, settings
):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["starts"]
    allowed = int(rate.split("/")[0])
    result = subprocess.run(
        [sys.executable, "-c", ANSWER_IN_ANOTHER_PROCESS, token_issue(user=trainee)[1],
         str(allowed)],
        cwd=ROOT, env=child_process_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(result.stdout.split()) == {"201"}
    response = trainee_api.post("/api/v1/practice/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_answers_are_throttled(trainee_api, active_version, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "answers": "3/min"}
    }
    sid = trainee_api.post("/api/v1/challenges/", {"rounds": 5}).json()["id"]
    statuses = [
        trainee_api.post(f"/api/v1/challenges/{sid}/rounds/{i}/answer/", {"guess": "setosa"})
        .status_code
        for i in range(1, 6)
    ]
    assert statuses == [200, 200, 200, 429, 429]
