"""Chunked request bodies (no Content-Length), as `requests` sends a generator, read in full
by the production server (the composed web command: nginx de-chunks, granian runs
flower_power.wsgi), under the same size limit as any body."""

import subprocess
import time
from pathlib import Path

import orjson
import pytest
import requests
import yaml
from django.db import connection

from tests.production import free_port, production_env
from trainees.services import token_issue

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 64 * 1024
SETOSA = [5.1, 3.5, 1.4, 0.2]


@pytest.fixture
def server(tmp_path, active_version):
    """The web server as the container runs it, on this test's database."""
    port = free_port()
    database = connection.settings_dict
    env = production_env(
        database_url=f"postgres://postgres@127.0.0.1:5432/{database['NAME']}",
        redis_url="redis://127.0.0.1:6379/6", port=port, var_dir=tmp_path / "var",
        REQUEST_BODY_MAX_BYTES=str(LIMIT), WEB_CONCURRENCY="1",
    )
    log = tmp_path / "web.log"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        else:
            pytest.fail(log.read_text()[-3000:])
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def chunks(payload: bytes, size: int = 7):
    for start in range(0, len(payload), size):
        yield payload[start:start + size]


def test_chunked_bodies_are_read_on_every_kind_of_route(server, trainee):
    base, log = server
    headers = {"Authorization": f"Token {token_issue(user=trainee)[1]}",
               "Content-Type": "application/json"}
    flower = dict(zip(("sepal_length", "sepal_width", "petal_length", "petal_width"), SETOSA,
                      strict=True))

    predicted = requests.post(f"{base}/api/v1/predict/", headers=headers,
                              data=chunks(orjson.dumps(flower)), timeout=30)
    assert predicted.request.headers.get("Transfer-Encoding") == "chunked"
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["predictions"][0]["species"] == "setosa"

    inferred = requests.post(
        f"{base}/v2/models/iris/infer", headers=headers, timeout=30,
        data=chunks(orjson.dumps({"inputs": [
            {"name": "input", "shape": [1, 4], "datatype": "FP32", "data": SETOSA}]})),
    )
    assert inferred.status_code == 200, inferred.text
    assert inferred.json()["outputs"][1]["data"] == ["setosa"]

    started = requests.post(f"{base}/api/v1/challenges/", headers=headers, timeout=30,
                            data=chunks(orjson.dumps({"rounds": 2})))
    assert started.status_code == 201, started.text
    assert started.json()["rounds_count"] == 2
    assert "Traceback" not in log.read_text()


def test_an_over_large_body_is_a_413_chunked_or_not_with_no_traceback(server, trainee):
    base, log = server
    headers = {"Authorization": f"Token {token_issue(user=trainee)[1]}",
               "Content-Type": "application/json"}
    big = orjson.dumps({"instances": [SETOSA] * 5000})
    assert len(big) > LIMIT
    for path in ("/api/v1/predict/", "/api/v1/flowers/", "/api/v1/auth/token/"):
        sized = requests.post(base + path, headers=headers, data=big, timeout=30)
        assert sized.status_code == 413, (path, sized.text)
        assert sized.json()["error"]["code"] == "too_large"
        chunked = requests.post(base + path, headers=headers, data=chunks(big, 4096), timeout=30)
        assert chunked.status_code == 413, (path, chunked.text)
        assert chunked.json()["error"]["code"] == "too_large"
    v2 = requests.post(f"{base}/v2/models/iris/infer", headers=headers, data=chunks(big, 4096),
                       timeout=30)
    assert v2.status_code == 413 and list(v2.json()) == ["error"]
    text = log.read_text()
    assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
