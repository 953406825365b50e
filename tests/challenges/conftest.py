import pytest


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
