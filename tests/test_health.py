import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readyz_in_a_process_with(**overrides) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "flower_power.settings_test", **overrides}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )


def test_healthz_answers_without_auth_or_database(anon):
    # No django_db mark: any query here would raise.
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_cache_and_model_answer(anon, active_version):
    response = anon.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["database"] == {"ok": True}
    assert response.json()["checks"]["cache"] == {"ok": True}
    assert response.json()["checks"]["model"] == {"ok": True}


@pytest.mark.django_db
def test_readyz_names_the_model_when_none_is_active(anon):
    response = anon.get("/readyz")
    assert response.status_code == 503
    assert "model unavailable" in response.json()["error"]["message"]
    assert response.json()["checks"]["database"] == {"ok": True}


def test_readyz_names_the_database_when_it_is_unreachable():
    result = readyz_in_a_process_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/secret_db_name"
    )
    status, body = result.stdout.split("\n", 1)
    assert status == "503", result.stderr
    body = json.loads(body)
    assert body["checks"]["database"] == {"ok": False}
    assert body["error"]["message"].startswith("Not ready: database")


def test_readyz_tells_an_anonymous_caller_no_database_internals_but_logs_them():
    result = readyz_in_a_process_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/secret_db_name"
    )
    status, body = result.stdout.split("\n", 1)
    assert status == "503", result.stderr
    for internal in ("127.0.0.1", "5432", "secret_db_name", "connection", "Error", "FATAL"):
        assert internal not in body
    # The operator still gets the reason, in the log.
    assert "readiness check database failed" in result.stderr
    assert "OperationalError" in result.stderr


def test_readyz_names_the_cache_when_redis_is_unreachable():
    result = readyz_in_a_process_with(REDIS_URL="redis://127.0.0.1:1/0")
    status, body = result.stdout.split("\n", 1)
    assert status == "503", result.stderr
    body = json.loads(body)
    assert body["checks"]["cache"]["ok"] is False
    assert "cache" in body["error"]["message"]
