import pytest

from challenges.models import PracticeAttempt
from challenges.selectors import practice_species_weights

pytestmark = pytest.mark.django_db

SPECIES = ("setosa", "versicolor", "virginica")


def test_anonymous_cannot_practise(anon, active_version):
    assert anon.post("/api/v1/practice/").status_code == 401


def test_a_practice_flower_is_unlabelled_and_from_the_training_split(trainee_api, active_version):
    body = trainee_api.post("/api/v1/practice/").json()
    assert set(body) == {"id", "data"}
    assert not any(s in str(body) for s in SPECIES)
    attempt = PracticeAttempt.objects.get(id=body["id"])
    assert attempt.sample.split == "train"


def test_answering_practice_gives_instant_feedback_and_records_it(trainee_api, active_version):
    body = trainee_api.post("/api/v1/practice/").json()
    attempt = PracticeAttempt.objects.get(id=body["id"])
    result = trainee_api.post(
        f"/api/v1/practice/{body['id']}/answer/", {"guess": attempt.species}
    ).json()
    assert result["correct"] is True and result["correct_species"] == attempt.species
    assert result["ai_guess"] in SPECIES and 0 < result["ai_confidence"] <= 1
    assert result["streak"] == 1
    # No manager uploaded a photo: nothing to show, and never an outside address.
    assert (result["photo_url"], result["photo_attribution"]) == (None, None)
    attempt.refresh_from_db()
    assert attempt.guess == attempt.species and attempt.answered_at
    second = trainee_api.post(f"/api/v1/practice/{body['id']}/answer/", {"guess": "setosa"})
    assert second.status_code == 409


def test_another_trainees_practice_flower_is_a_404(trainee_api, other_api, active_version):
    body = trainee_api.post("/api/v1/practice/").json()
    assert other_api.post(
        f"/api/v1/practice/{body['id']}/answer/", {"guess": "setosa"}
    ).status_code == 404
    assert PracticeAttempt.objects.get(id=body["id"]).answered_at is None


def test_practice_works_without_a_model_but_shows_no_ai_guess(trainee_api, flowers):
    body = trainee_api.post("/api/v1/practice/").json()
    result = trainee_api.post(f"/api/v1/practice/{body['id']}/answer/", {"guess": "setosa"})
    assert result.status_code == 200
    assert result.json()["ai_guess"] is None


def test_recent_mistakes_make_a_species_come_up_more_often(
    trainee, trainee_api, active_version, settings
):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "starts": "1000/min", "answers": "1000/min"},
    }
    assert practice_species_weights(user=trainee) == dict.fromkeys(SPECIES, 1)
    for _ in range(30):
        body = trainee_api.post("/api/v1/practice/").json()
        attempt = PracticeAttempt.objects.get(id=body["id"])
        # Always confuse versicolor; get the others right.
        guess = "virginica" if attempt.species == "versicolor" else attempt.species
        trainee_api.post(f"/api/v1/practice/{body['id']}/answer/", {"guess": guess})
    weights = practice_species_weights(user=trainee)
    assert weights["versicolor"] > weights["setosa"] == weights["virginica"] == 1
    drawn = [
        PracticeAttempt.objects.get(id=trainee_api.post("/api/v1/practice/").json()["id"]).species
        for _ in range(60)
    ]
    assert drawn.count("versicolor") > 30
