"""The process cache of tokens: no query when warm, still exact, and another process's cache."""

import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.crypto import hash_token
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from flower_power.api import authentication
from tests.trainees.api_tokens.conftest import NEW_PASSWORD, PING_URL, TOKENS_URL, ping, warm
from trainees.models import ApiToken
from trainees.services import token_issue, token_revoke_all, user_auth_changed

pytestmark = pytest.mark.django_db


# --- The cache: no query when warm, still exact


def test_a_warm_request_makes_no_database_query(anon, trainee, django_assert_num_queries):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    with django_assert_num_queries(0):
        assert ping(anon, raw) == 200


def test_a_manager_stays_a_manager_from_the_cache(anon, manager):
    _, raw = token_issue(user=manager)
    warm(anon, raw)
    with CaptureQueriesContext(connection) as queries:
        response = anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.json()["is_manager"] is True
    # /me/ reads the trainee's stats, but not the groups or the token.
    tables = ("auth_group", "trainees_apitoken")
    assert [q["sql"] for q in queries if any(t in q["sql"] for t in tables)] == []


def test_leaving_the_managers_group_is_seen_at_once(anon, manager):
    _, raw = token_issue(user=manager)
    warm(anon, raw)
    manager.groups.clear()
    assert anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()["is_manager"] is False


def test_a_change_to_the_user_row_is_seen_on_the_next_request(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    type(trainee).objects.filter(id=trainee.id).update(display_name="Renamed")
    user_auth_changed([trainee.id])
    me = anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()
    assert me["display_name"] == "Renamed"


def test_each_request_gets_its_own_copy_of_the_cached_user(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    auth = authentication.CachedTokenAuthentication()
    seen = []
    for _ in range(2):
        request = Request(APIRequestFactory().get(PING_URL, HTTP_AUTHORIZATION=f"Token {raw}"))
        user, token = auth.authenticate(request)
        if not seen:
            user.display_name = "scribbled"
        seen.append((user, token))
    assert seen[0][0] is not seen[1][0]
    assert seen[1][0].display_name == "Alice"
    assert seen[1][1].user is seen[1][0]


def test_without_redis_every_request_reads_the_database(anon, trainee, monkeypatch):
    monkeypatch.setattr(authentication, "_store", lambda: None)
    _, raw = token_issue(user=trainee)
    for _ in range(3):
        assert ping(anon, raw) == 200
    assert authentication._entries == {}
    token_revoke_all(user=trainee)
    assert ping(anon, raw) == 401


def test_with_redis_down_requests_bypass_the_cache(anon, trainee, monkeypatch):
    import redis

    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setattr(authentication, "_store", lambda: down)
    assert ping(anon, raw) == 200
    assert authentication._entries == {}  # dropped: stamps may have been missed
    ApiToken.objects.filter(user=trainee).delete()
    assert ping(anon, raw) == 401


def test_the_user_throttle_is_counted_in_the_same_round_trip(anon, trainee, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "user": "5/min"}
    }
    _, raw = token_issue(user=trainee)
    statuses = [ping(anon, raw) for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_the_schema_offers_both_header_spellings(anon):
    schema = anon.get("/api/schema/?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["tokenAuth"]["in"] == "header"
    ping_operation = schema["paths"][PING_URL]["get"]
    assert {"tokenAuth": []} in ping_operation["security"]
    assert {"bearerAuth": []} in ping_operation["security"]
    assert schema["paths"][TOKENS_URL]["get"]["operationId"] == "tokens_list"


# --- Another process's cache (a real server process holds its own)

CHILD = """
import sys, django
django.setup()
from django.test import Client
from flower_power.api import authentication
client = Client(HTTP_AUTHORIZATION="Token " + sys.argv[1])
for line in sys.stdin:
    status = client.get("/api/v1/auth/ping/").status_code
    print(status, len(authentication._entries), flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_another_processs_warm_cache_sees_revocation_on_its_next_request(trainee):
    from tests.worker import ROOT, child_process_env

    _, raw = token_issue(user=trainee)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, raw], cwd=ROOT, env=child_process_env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        def ask() -> tuple[int, int]:
            child.stdin.write("\n")
            child.stdin.flush()
            status, entries = child.stdout.readline().split()
            return int(status), int(entries)

        assert [ask() for _ in range(3)] == [(200, 1)] * 3
        trainee.set_password(NEW_PASSWORD)
        trainee.save()  # commits: every token of alice is revoked
        assert ask()[0] == 401
    finally:
        child.stdin.close()
        child.wait(timeout=30)


# --- The challenge guard reads the cached user's open_challenge_id

FLOWER = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_a_started_challenge_stops_the_ai_on_the_next_request_with_a_warm_cache(
    anon, trainee, active_version
):
    _, raw = token_issue(user=trainee)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for _ in range(3):
        assert anon.post("/api/v1/predict/", FLOWER, **headers).status_code == 200
    assert hash_token(raw) in authentication._entries
    session = anon.post("/api/v1/challenges/", {"rounds": 3}, **headers)
    assert session.status_code == 201
    refused = anon.post("/api/v1/predict/", FLOWER, **headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "challenge_in_progress"
    give_up = anon.post(f"/api/v1/challenges/{session.json()['id']}/give-up/", **headers)
    assert give_up.status_code == 200
    assert anon.post("/api/v1/predict/", FLOWER, **headers).status_code == 200

