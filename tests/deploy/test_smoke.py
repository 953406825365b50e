"""The very commands the containers run — migrate, the web server, the Celery worker and beat —
with production settings against the local PostgreSQL and Redis, end to end."""

import time

import pytest

from tests.faults.services import call as request
from tests.production import DEMO_PASSWORDS, composed_stack

DB_NAME = "flower_power_smoke"

pytestmark = pytest.mark.slow


def call(base: str, method: str, path: str, body=None, token: str | None = None):
    reply = request(base, method, path, body, token=token, timeout=30)
    return reply.status, reply.body


@pytest.fixture
def production(tmp_path):
    with composed_stack(tmp_path, db_name=DB_NAME, redis_db=4,
                        services=("web", "worker", "beat")) as stack:
        yield stack.base, stack.logs


def test_the_composed_commands_serve_play_retrain_and_promote(production):
    base, logs = production
    status, body = call(base, "POST", "/api/v1/auth/token/",
                        {"username": "alice", "password": DEMO_PASSWORDS["trainee"]})
    assert status == 200, body
    alice = body["token"]
    manager = call(base, "POST", "/api/v1/auth/token/",
                   {"username": "manager", "password": DEMO_PASSWORDS["manager"]})[1]["token"]

    # The migrate service trained and activated the first model.
    assert call(base, "GET", "/api/v1/models/active/", token=alice)[1]["number"] == 1

    # A trainee plays a round.
    status, session = call(base, "POST", "/api/v1/challenges/", {"rounds": 3}, token=alice)
    assert status == 201, session
    status, result = call(
        base, "POST", f"/api/v1/challenges/{session['id']}/rounds/1/answer/",
        {"guess": "setosa"}, token=alice,
    )
    assert status == 200 and result["correct_species"] in ("setosa", "versicolor", "virginica")
    assert call(base, "GET", "/api/v1/scoreboard/", token=alice)[1]["trainees"][0]["rounds"] == 1
    # The AI does not answer her during the challenge; giving up ends it.
    status, refused = call(base, "POST", "/api/v1/predict/", {"instances": [[6.7, 3.3, 5.7, 2.5]]},
                           token=alice)
    assert status == 409 and refused["error"]["code"] == "challenge_in_progress", refused
    status, _ = call(base, "POST", f"/api/v1/challenges/{session['id']}/give-up/", token=alice)
    assert status == 200

    # A manager retrains; the worker trains it and the gate promotes it.
    status, queued = call(base, "POST", "/api/v1/models/", {}, token=manager)
    assert status == 202, queued
    number = queued["version"]["number"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        version = call(base, "GET", f"/api/v1/models/{number}/", token=manager)[1]
        if version["status"] not in ("queued", "training"):
            break
        time.sleep(0.5)
    assert version["status"] == "ready", (version, logs["worker"].read_text()[-3000:])
    assert version["is_active"] is True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        prediction = call(base, "POST", "/api/v1/predict/",
                          {"instances": [[6.7, 3.3, 5.7, 2.5]]}, token=alice)[1]
        if prediction["model_version"] == number:
            break
        time.sleep(0.5)
    assert prediction["model_version"] == number

    # Pages with static files (whitenoise, hashed names) and the JSON-only API.
    assert call(base, "GET", "/accounts/login/")[0] == 200
    assert call(base, "GET", "/admin/login/")[0] == 200
    assert call(base, "GET", "/static/css/site.css")[0] == 200
    status, missing = call(base, "GET", "/no-such-page/")
    assert status == 404 and "Traceback" not in missing
    assert "beat: Starting" in logs["beat"].read_text()
