"""Integer-only fields take JSON integers only; the scoreboard caches only known stores."""

import json

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection

from tests.challenges.test_scoreboard import league  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rounds", ["5", 2.0, True, "2.0", None, [3]],
                         ids=["string", "float", "boolean", "float-string", "null", "list"])
def test_rounds_must_be_a_json_integer(trainee_api, active_version, rounds):
    response = trainee_api.generic(
        "POST", "/api/v1/challenges/", json.dumps({"rounds": rounds}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "rounds" in response.json()["error"]["fields"]
    assert not trainee_api.get("/api/v1/challenges/").json()["results"]


def test_rounds_as_a_json_integer_starts_a_challenge(trainee_api, active_version):
    response = trainee_api.post("/api/v1/challenges/", {"rounds": 5})
    assert response.status_code == 201
    assert len(response.json()["rounds"]) == 5


@pytest.mark.parametrize("epochs", ["5", 5.0, True])
def test_a_retrains_integer_hyperparameters_must_be_json_integers(manager_api, epochs):
    response = manager_api.post("/api/v1/models/", {"epochs": epochs})
    assert response.status_code == 400, response.content
    assert "epochs" in response.json()["error"]["fields"]


def cache_keys() -> set[bytes]:
    """This suite's cached scoreboard views (other suites may share the Redis database)."""
    pattern = cache.make_key("scoreboard:latest:*")
    return set(get_redis_connection("default").keys(pattern))


def test_an_unknown_store_gets_an_empty_board_and_adds_no_cache_key(
    trainee_api, league  # noqa: F811
):
    assert trainee_api.get("/api/v1/scoreboard/").status_code == 200
    before = cache_keys()
    for n in range(20):
        response = trainee_api.get("/api/v1/scoreboard/", {"store": f"random-{n}"})
        assert response.status_code == 200
        assert response.json()["trainees"] == []
        assert response["ETag"]
    assert cache_keys() == before


def test_a_known_store_is_served_and_cached_once(trainee_api, league):  # noqa: F811
    before = cache_keys()
    for _ in range(3):
        response = trainee_api.get("/api/v1/scoreboard/", {"store": "Harbour"})
        assert response.status_code == 200
        assert {r["username"] for r in response.json()["trainees"]} <= {"bob", "carol"}
    assert len(cache_keys() - before) == 1
