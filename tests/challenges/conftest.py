from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import ChallengeRound, ChallengeSession


@pytest.fixture
def start(active_version):
    """Start a challenge through the API and return its JSON."""

    def start_challenge(client, rounds=10):
        response = client.post("/api/v1/challenges/", {"rounds": rounds})
        assert response.status_code == 201, response.content
        return response.json()

    return start_challenge


def truth(session_id: int, index: int):
    from challenges.models import ChallengeRound

    return ChallengeRound.objects.get(session_id=session_id, index=index)


def play(user, version, results, *, status="finished", days_ago=0):
    """A session whose rounds are (trainee correct?, AI correct?) pairs, answered in order.

    Every flower is a setosa; a wrong trainee says virginica, a wrong AI versicolor. The AI is
    always 87.5% sure and round n takes 1.5 n seconds.
    """
    start = timezone.now() - timedelta(days=days_ago, minutes=len(results) + 1)
    session = ChallengeSession.objects.create(
        user=user, model_version=version, rounds_count=len(results), status=status,
        answered_count=len(results), trainee_score=sum(t for t, _ in results),
        ai_score=sum(a for _, a in results),
    )
    ChallengeSession.objects.filter(id=session.id).update(created_at=start)
    ChallengeRound.objects.bulk_create(
        ChallengeRound(
            session=session, index=index, sepal_length=5.1, sepal_width=3.5, petal_length=1.4,
            petal_width=0.2, species="setosa", guess="setosa" if trainee_ok else "virginica",
            correct=bool(trainee_ok), ai_guess="setosa" if ai_ok else "versicolor",
            ai_confidence=0.875, answered_at=start + timedelta(minutes=index),
            time_taken_ms=1500 * index,
        )
        for index, (trainee_ok, ai_ok) in enumerate(results, start=1)
    )
    return session
