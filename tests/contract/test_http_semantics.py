"""HTTP as a careful client expects it: no method changed by a redirect, 413 for large
bodies, 400 for unknown query parameters, RFC 9110 ETags, idempotent retries, absolute
Locations, gzip for JSON only, one timestamp style."""

import gzip
import re

import orjson
import pytest

from challenges.models import ChallengeSession

pytestmark = pytest.mark.django_db

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def answer(client, session_id, index, guess, **headers):
    return client.post(
        f"/api/v1/challenges/{session_id}/rounds/{index}/answer/", {"guess": guess}, **headers
    )


def test_a_post_without_the_trailing_slash_is_a_308_to_the_slashed_path(trainee_api):
    response = trainee_api.post("/api/v1/challenges?x=1", {"rounds": 3})
    assert response.status_code == 308
    assert response["Location"] == "http://testserver/api/v1/challenges/?x=1"
    assert response.json()["error"]["code"] == "moved"
    assert not ChallengeSession.objects.exists()


@pytest.mark.parametrize("method", ["get", "post", "delete", "patch", "put"])
def test_every_method_is_redirected_with_308_and_unknown_paths_stay_404(trainee_api, method):
    assert getattr(trainee_api, method)("/api/v1/scoreboard").status_code == 308
    assert getattr(trainee_api, method)("/api/v1/no-such-thing").status_code == 404


def test_an_over_large_body_is_a_413_in_the_envelope_on_every_api_route(
    trainee_api, anon, settings, caplog
):
    settings.REQUEST_BODY_MAX_BYTES = 2048
    body = orjson.dumps({"instances": [list(SETOSA.values())] * 200})
    assert len(body) > 2048
    for client, path in (
        (trainee_api, "/api/v1/predict/"), (trainee_api, "/api/v1/challenges/"),
        (trainee_api, "/api/v1/flowers/"), (anon, "/api/v1/auth/token/"),
    ):
        response = client.generic("POST", path, body, content_type="application/json")
        assert response.status_code == 413, path
        assert response.json()["error"]["code"] == "too_large"
    v2 = trainee_api.generic("POST", "/v2/models/iris/infer", body,
                             content_type="application/json")
    assert v2.status_code == 413 and list(v2.json()) == ["error"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_unknown_or_repeated_query_parameters_are_a_400_naming_them(manager_api, flowers):
    response = manager_api.get("/api/v1/flowers/?species=setosa&colour=blue&sort=-id")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"colour", "sort"}
    assert "colour" in response.json()["error"]["message"]
    twice = manager_api.get("/api/v1/flowers/?species=setosa&species=virginica")
    assert twice.status_code == 400 and "species" in twice.json()["error"]["fields"]
    assert manager_api.get("/api/v1/me/?verbose=1").status_code == 400


def test_flowers_filter_and_order_for_real(manager_api, flowers):
    body = manager_api.get("/api/v1/flowers/?species=setosa&split=test&ordering=-id").json()
    assert body["count"] == 10
    ids = [row["id"] for row in body["results"]]
    assert ids == sorted(ids, reverse=True)
    assert {row["species"] for row in body["results"]} == {"setosa"}
    assert "ordering=-id" in (body["next"] or "ordering=-id")
    bad = manager_api.get("/api/v1/flowers/?species=rose")
    assert bad.status_code == 400 and "species" in bad.json()["error"]["fields"]


def test_models_and_challenges_filter_by_status(manager_api, trainee_api, active_version):
    assert manager_api.get("/api/v1/models/?status=ready").json()["count"] == 1
    assert manager_api.get("/api/v1/models/?status=failed").json()["count"] == 0
    trainee_api.post("/api/v1/challenges/", {"rounds": 2})
    assert trainee_api.get("/api/v1/challenges/?status=active").json()["count"] == 1
    assert trainee_api.get("/api/v1/challenges/?status=finished").json()["count"] == 0
    assert trainee_api.get("/api/v1/challenges/?status=won").status_code == 400


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_number_is_a_400(manager_api, flowers, page):
    response = manager_api.get(f"/api/v1/flowers/?page={page}")
    assert response.status_code == 400
    assert "page" in response.json()["error"]["fields"]


def test_the_trainee_pages_scoreboard_poll_is_still_accepted(trainee_api, active_version):
    assert trainee_api.get("/api/v1/scoreboard/?period=7d").status_code == 200


def test_the_scoreboard_etag_compares_weakly_and_understands_a_star(trainee_api, active_version):
    first = trainee_api.get("/api/v1/scoreboard/")
    etag = first["ETag"]
    for header in (etag, f"W/{etag}", f'"other", W/{etag}', "*"):
        response = trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response["ETag"] == etag
    assert trainee_api.get("/api/v1/scoreboard/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_an_idempotency_key_reused_with_another_body_is_a_422(trainee_api, active_version):
    session = trainee_api.post("/api/v1/challenges/", {"rounds": 2}).json()
    first = answer(trainee_api, session["id"], 1, "setosa", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 200 and not first.has_header("Idempotent-Replayed")
    replay = answer(trainee_api, session["id"], 1, "setosa", HTTP_IDEMPOTENCY_KEY="k")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    other = answer(trainee_api, session["id"], 1, "virginica", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    too_long = answer(trainee_api, session["id"], 2, "setosa", HTTP_IDEMPOTENCY_KEY="k" * 129)
    assert too_long.status_code == 400


def test_created_and_accepted_answers_carry_an_absolute_location(
    trainee_api, manager_api, active_version, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    created = trainee_api.post("/api/v1/challenges/", {"rounds": 2})
    assert created["Location"] == f"http://testserver/api/v1/challenges/{created.json()['id']}/"
    assert trainee_api.get(created["Location"]).status_code == 200


def test_large_json_is_gzipped_and_small_json_and_html_are_not(
    trainee_api, client, trainee, active_version
):
    rows = [list(SETOSA.values())] * 500
    big = trainee_api.post("/api/v1/predict/", {"instances": rows}, HTTP_ACCEPT_ENCODING="gzip")
    assert big["Content-Encoding"] == "gzip"
    assert len(orjson.loads(gzip.decompress(big.content))["predictions"]) == 500
    small = trainee_api.get("/api/v1/auth/ping/", HTTP_ACCEPT_ENCODING="gzip")
    assert not small.has_header("Content-Encoding")
    client.force_login(trainee)
    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and b"csrf" in page.content.lower()
    assert not page.has_header("Content-Encoding")


def test_timestamps_are_utc_with_a_z(trainee_api, active_version):
    session = trainee_api.post("/api/v1/challenges/", {"rounds": 2}).json()
    answer(trainee_api, session["id"], 1, "setosa")
    text = trainee_api.get("/api/v1/me/progress/").content.decode() + trainee_api.get(
        f"/api/v1/challenges/{session['id']}/").content.decode()
    stamps = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', text)
    assert stamps and all(stamp.endswith("Z") for stamp in stamps), stamps
