import pytest

from trainees.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def test_anonymous_calls_get_401_with_www_authenticate(anon):
    response = anon.get(ME_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_trainee_obtains_a_token_and_uses_it(anon, trainee, password):
    response = anon.post(TOKEN_URL, {"username": "alice", "password": password}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = anon.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["is_manager"] is False


def test_a_wrong_password_gets_400_and_no_token(anon, trainee):
    response = anon.post(TOKEN_URL, {"username": "alice", "password": "nope-nope-nope"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named_in_the_error(anon):
    response = anon.post(TOKEN_URL, {"username": "alice"})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert "password" in body["fields"]


def test_malformed_json_is_a_400_json_error(anon):
    response = anon.generic("POST", TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_revoking_the_token_makes_it_stop_working(trainee_api):
    assert trainee_api.get(ME_URL).status_code == 200
    assert trainee_api.delete(TOKEN_URL).status_code == 204
    response = trainee_api.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_anonymous_cannot_revoke(anon):
    assert anon.delete(TOKEN_URL).status_code == 401


def test_a_session_login_also_reaches_the_api(client, trainee, password):
    login = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert login.status_code == 302
    assert client.get(ME_URL).json()["username"] == "alice"


def test_a_manager_is_reported_as_one(manager_api):
    assert manager_api.get(ME_URL).json()["is_manager"] is True


def test_an_unknown_api_path_is_a_json_404(trainee_api):
    response = trainee_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_api_renders_json_only(trainee_api):
    response = trainee_api.get(ME_URL, HTTP_ACCEPT="text/html")
    assert (response.status_code, response["Content-Type"]) == (406, "application/json")


def test_the_token_endpoint_is_throttled(anon, settings):
    statuses = [
        anon.post(TOKEN_URL, {"username": f"u{i}", "password": "x"}).status_code
        for i in range(25)
    ]
    assert 429 in statuses
    throttled = anon.post(TOKEN_URL, {"username": "u", "password": "x"})
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["error"]["code"] == "throttled"


def test_ping_checks_credentials(anon, trainee_api):
    assert anon.get("/api/v1/auth/ping/").status_code == 401
    assert trainee_api.get("/api/v1/auth/ping/").json() == {"ok": True, "username": "alice"}


def test_a_throttled_client_is_told_when_to_come_back(anon, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "auth": "3/hour"}
    }
    statuses = [
        anon.post(TOKEN_URL, {"username": "u", "password": "x"}).status_code for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    retry_after = int(anon.post(TOKEN_URL, {"username": "u", "password": "x"})["Retry-After"])
    assert 0 < retry_after <= 3600

