"""Each round is answered exactly once, even when 16 submissions race on PostgreSQL."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from challenges.models import ChallengeRound, ChallengeSession
from tests.factories import ModelVersionFactory
from tests.threads import in_threads
from trainees.services import token_issue

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16
REPEATS = 15


@pytest.fixture
def model(flowers, trained_artifacts):
    ModelVersionFactory(
        number=1, is_active=True, trigger="bootstrap", artifacts=trained_artifacts
    )


def race(key: str, url: str, payload: dict, headers: dict | None = None) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(THREADS)

    def submit():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **(headers or {}))
        barrier.wait()
        try:
            statuses.append(client.post(url, payload).status_code)
        finally:
            connection.close()

    in_threads(submit, times=THREADS)
    return statuses


def test_sixteen_concurrent_answers_to_one_round_store_exactly_one(
    trainee, model, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "answers": "100000/min"
        },
    }
    key = token_issue(user=trainee)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(REPEATS):
        # This version has no weaker levels: play its Botanist.
        session = client.post("/api/v1/challenges/", {"rounds": 2, "level": "botanist"}).json()
        species = ChallengeRound.objects.get(session_id=session["id"], index=1).species
        statuses = race(
            key, f"/api/v1/challenges/{session['id']}/rounds/1/answer/", {"guess": species}
        )
        assert sorted(statuses) == [200] + [409] * (THREADS - 1), statuses
        stored = ChallengeSession.objects.get(id=session["id"])
        assert (stored.answered_count, stored.trainee_score) == (1, 1)
        assert ChallengeRound.objects.filter(
            session_id=session["id"], answered_at__isnull=False
        ).count() == 1
        # One open challenge at a time: close this one before the next repetition.
        assert client.post(f"/api/v1/challenges/{session['id']}/give-up/").status_code == 200


def test_concurrent_retries_with_one_idempotency_key_all_get_the_first_answer(trainee, model):
    key = token_issue(user=trainee)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    session = client.post("/api/v1/challenges/", {"rounds": 2, "level": "botanist"}).json()
    statuses = race(
        key, f"/api/v1/challenges/{session['id']}/rounds/1/answer/", {"guess": "setosa"},
        headers={"HTTP_IDEMPOTENCY_KEY": "same-key"},
    )
    assert statuses == [200] * THREADS
    assert ChallengeSession.objects.get(id=session["id"]).answered_count == 1
