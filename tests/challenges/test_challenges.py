import pytest

from challenges.models import ChallengeRound, ChallengeSession
from ml.models import FlowerSample, ModelVersion
from tests.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db

SPECIES = ("setosa", "versicolor", "virginica")


def contains_secret(value, secrets) -> bool:
    """Recursively: does any string in this JSON value name a species or an AI guess?"""
    if isinstance(value, dict):
        return any(contains_secret(k, secrets) or contains_secret(v, secrets)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(contains_secret(v, secrets) for v in value)
    return isinstance(value, str) and any(s in value.lower() for s in secrets)


def answer(client, session_id, index, guess, **headers):
    return client.post(
        f"/api/v1/challenges/{session_id}/rounds/{index}/answer/", {"guess": guess}, **headers
    )


def test_anonymous_cannot_start_or_list(anon, active_version):
    assert anon.post("/api/v1/challenges/", {"rounds": 3}).status_code == 401
    assert anon.get("/api/v1/challenges/").status_code == 401
    assert anon.get("/api/v1/scoreboard/").status_code == 401


def test_a_session_has_distinct_test_flowers_and_the_stored_ai_guesses(
    trainee_api, trainee, start
):
    body = start(trainee_api, rounds=10)
    assert [r["index"] for r in body["rounds"]] == list(range(1, 11))
    session = ChallengeSession.objects.get(id=body["id"])
    assert session.user == trainee
    assert session.model_version.number == 1
    rounds = list(session.rounds.all())
    assert len({r.sample_id for r in rounds}) == 10
    assert all(r.sample.split == "test" for r in rounds)
    assert all(r.ai_guess in SPECIES and 0 < r.ai_confidence <= 1 for r in rounds)


def test_nothing_readable_before_an_answer_names_a_species(trainee_api, start):
    body = start(trainee_api, rounds=5)
    assert not contains_secret(body, SPECIES)
    detail = trainee_api.get(f"/api/v1/challenges/{body['id']}/").json()
    assert not contains_secret(detail, SPECIES)
    listing = trainee_api.get("/api/v1/challenges/").json()
    assert not contains_secret(listing, SPECIES)
    errors = [
        answer(trainee_api, body["id"], 99, "setosa").json(),
        trainee_api.post(f"/api/v1/challenges/{body['id']}/rounds/1/answer/", {}).json(),
        answer(trainee_api, body["id"] + 1000, 1, "setosa").json(),
    ]
    for error in errors:
        assert not contains_secret({"e": error["error"]["message"]}, SPECIES), error
    # After answering round 1, only round 1 shows its result.
    answer(trainee_api, body["id"], 1, "setosa")
    detail = trainee_api.get(f"/api/v1/challenges/{body['id']}/").json()
    assert "result" in detail["rounds"][0]
    assert not contains_secret(detail["rounds"][1:], SPECIES)


def test_answering_reveals_and_scores_on_the_server(trainee_api, start):
    from tests.challenges.conftest import truth

    body = start(trainee_api, rounds=3)
    sid = body["id"]
    right = truth(sid, 1)
    result = answer(trainee_api, sid, 1, right.species).json()
    assert result["correct"] is True
    assert result["correct_species"] == right.species
    assert result["ai_guess"] == right.ai_guess
    assert result["ai_correct"] == (right.ai_guess == right.species)
    assert result["score"] == {"trainee": 1, "ai": int(result["ai_correct"])}
    assert result["finished"] is False
    assert result["time_taken_ms"] >= 0
    wrong_guess = next(s for s in SPECIES if s != truth(sid, 2).species)
    result = answer(trainee_api, sid, 2, wrong_guess).json()
    assert result["correct"] is False and result["score"]["trainee"] == 1
    result = answer(trainee_api, sid, 3, truth(sid, 3).species).json()
    assert result["finished"] is True
    session = ChallengeSession.objects.get(id=sid)
    assert session.status == "finished"
    ai = sum(r.ai_guess == r.species for r in session.rounds.all())
    assert (session.trainee_score, session.ai_score) == (2, ai)
    assert result["outcome"] == session.outcome


def test_a_second_answer_is_a_409_and_changes_nothing(trainee_api, start):
    from tests.challenges.conftest import truth

    sid = start(trainee_api, rounds=3)["id"]
    species = truth(sid, 1).species
    assert answer(trainee_api, sid, 1, species).status_code == 200
    before = ChallengeRound.objects.values().get(session_id=sid, index=1)
    other = next(s for s in SPECIES if s != species)
    response = answer(trainee_api, sid, 1, other)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_answered"
    assert ChallengeRound.objects.values().get(session_id=sid, index=1) == before
    assert ChallengeSession.objects.get(id=sid).trainee_score == 1


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response(trainee_api, start):
    sid = start(trainee_api, rounds=3)["id"]
    first = answer(trainee_api, sid, 1, "setosa", HTTP_IDEMPOTENCY_KEY="k-1")
    answer(trainee_api, sid, 2, "setosa")
    retry = answer(trainee_api, sid, 1, "setosa", HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert answer(trainee_api, sid, 1, "setosa", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 409
    assert ChallengeSession.objects.get(id=sid).answered_count == 2


def test_another_trainees_session_is_a_404_for_reading_and_answering(
    trainee_api, other_api, start
):
    sid = start(trainee_api, rounds=3)["id"]
    before = list(ChallengeRound.objects.filter(session_id=sid).values())
    assert other_api.get(f"/api/v1/challenges/{sid}/").status_code == 404
    response = answer(other_api, sid, 1, "setosa")
    assert response.status_code == 404
    assert list(ChallengeRound.objects.filter(session_id=sid).values()) == before
    assert other_api.get("/api/v1/challenges/").json()["count"] == 0


def test_fields_a_client_may_not_set_are_ignored(trainee_api, trainee, other_trainee, start):
    body = trainee_api.post("/api/v1/challenges/", {
        "rounds": 3, "user": other_trainee.id, "trainee_score": 99, "ai_score": 0,
        "model_version": 42, "status": "finished",
    }).json()
    session = ChallengeSession.objects.get(id=body["id"])
    assert (session.user, session.trainee_score, session.status) == (trainee, 0, "active")
    assert session.model_version.number == 1
    from tests.challenges.conftest import truth

    wrong = next(s for s in SPECIES if s != truth(session.id, 1).species)
    result = trainee_api.post(
        f"/api/v1/challenges/{session.id}/rounds/1/answer/",
        {"guess": wrong, "correct": True, "score": {"trainee": 10}, "ai_guess": wrong,
         "ai_correct": False, "user": other_trainee.id},
    ).json()
    assert result["correct"] is False
    round_ = truth(session.id, 1)
    assert round_.correct is False and round_.ai_guess != "" and round_.guess == wrong
    assert ChallengeSession.objects.get(id=session.id).trainee_score == 0


@pytest.mark.parametrize("rounds", [0, 51, -1, "ten", None, 2.5, True])
def test_bad_round_counts_are_refused(trainee_api, active_version, rounds):
    response = trainee_api.post("/api/v1/challenges/", {"rounds": rounds})
    assert response.status_code == 400
    assert "rounds" in response.json()["error"]["fields"]
    assert not ChallengeSession.objects.exists()


def test_more_rounds_than_test_flowers_is_a_conflict(trainee_api, active_version):
    response = trainee_api.post("/api/v1/challenges/", {"rounds": 31})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_enough_flowers"
    assert not ChallengeSession.objects.exists()


@pytest.mark.parametrize("guess", ["rose", "", None, 1, ["setosa"], "SETOSA"])
def test_bad_guesses_are_refused_and_change_nothing(trainee_api, start, guess):
    sid = start(trainee_api, rounds=2)["id"]
    response = trainee_api.post(f"/api/v1/challenges/{sid}/rounds/1/answer/", {"guess": guess})
    assert response.status_code == 400
    assert not ChallengeRound.objects.filter(session_id=sid, answered_at__isnull=False).exists()


def test_default_is_ten_rounds(trainee_api, active_version):
    body = trainee_api.post("/api/v1/challenges/", {}).json()
    assert body["rounds_count"] == 10


def test_without_an_active_model_a_challenge_cannot_start(trainee_api, flowers):
    response = trainee_api.post("/api/v1/challenges/", {"rounds": 3})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_model"


def test_a_session_keeps_the_version_active_at_its_start(trainee_api, start):
    from ml.services import model_version_activate
    from tests.challenges.conftest import truth

    sid = start(trainee_api, rounds=2)["id"]
    v1 = ModelVersion.objects.get(number=1)
    ModelVersionFactory(number=2, artifacts=v1)
    model_version_activate(number=2)
    result = answer(trainee_api, sid, 1, truth(sid, 1).species).json()
    assert result["ai_guess"] == truth(sid, 1).ai_guess
    assert ChallengeSession.objects.get(id=sid).model_version.number == 1


def test_answers_to_a_finished_or_abandoned_session_are_409(trainee_api, start):
    sid = start(trainee_api, rounds=2)["id"]
    ChallengeSession.objects.filter(id=sid).update(status="abandoned")
    response = answer(trainee_api, sid, 1, "setosa")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_closed"


def test_the_abandon_task_marks_only_stale_sessions(trainee_api, other_api, start, settings):
    from datetime import timedelta

    from django.utils import timezone

    from challenges.tasks import challenge_sessions_abandon_task

    stale = start(trainee_api, rounds=2)["id"]
    fresh = start(other_api, rounds=2)["id"]
    idle = timedelta(minutes=settings.CHALLENGE_ABANDON_AFTER_MINUTES + 1)
    ChallengeSession.objects.filter(id=stale).update(last_activity_at=timezone.now() - idle)
    challenge_sessions_abandon_task()
    assert ChallengeSession.objects.get(id=stale).status == "abandoned"
    assert ChallengeSession.objects.get(id=fresh).status == "active"


def test_a_deleted_sample_does_not_break_history(trainee_api, start):
    sid = start(trainee_api, rounds=2)["id"]
    FlowerSample.objects.filter(id=ChallengeRound.objects.get(session_id=sid, index=1).sample_id
                                ).delete()
    assert answer(trainee_api, sid, 1, "setosa").status_code == 200
    assert trainee_api.get(f"/api/v1/challenges/{sid}/").status_code == 200
