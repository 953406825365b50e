"""The lean path (flower_power/fastpath.py) answers exactly what Django answers, or lets Django
answer: the same status, headers and body, the same throttle counts, the same log line."""

import gzip
import io
import logging

import orjson
import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django_redis import get_redis_connection

from flower_power.api.authentication import auth_cache_clear
from flower_power.api.throttling import RowsRateThrottle, UserRateThrottle
from flower_power.fastpath import FastPathWSGIMiddleware
from ml.serving import model_cache
from trainees.models import User
from trainees.services import token_issue, token_revoke_all, users_set_active

pytestmark = pytest.mark.django_db(transaction=True)

FLOWER = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
ROW = [6.7, 3.3, 5.7, 2.5]


def v2(rows: int = 1, **extra) -> bytes:
    return orjson.dumps({"inputs": [{"name": "input", "shape": [rows, 4], "datatype": "FP32",
                                     "data": ROW * rows}], **extra})


def batch(rows: int) -> bytes:
    return orjson.dumps({"instances": [ROW] * rows})


class Django:
    """Django's WSGI application, counting the requests it answers."""

    def __init__(self) -> None:
        self.application = get_wsgi_application()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


def call(application, method: str, path: str, body: bytes = b"", token: str | None = None,
         **headers) -> tuple[int, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3", "HTTP_HOST": "localhost", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(),
        "HTTP_X_REQUEST_ID": "same-id",
    }
    if body:
        environ |= {"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json"}
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    environ |= headers
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = int(status[:3]), response_headers

    chunks = application(environ, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return answer["status"], {k.lower(): v for k, v in answer["headers"]}, content


@pytest.fixture
def django_app():
    return Django()


@pytest.fixture
def fast(django_app):
    return FastPathWSGIMiddleware(django_app)


@pytest.fixture
def token(trainee, active_version, django_app):
    """A token with a trusted cache entry and a loaded model: what a busy client has."""
    auth_cache_clear()
    model_cache.forget()
    key = token_issue(user=trainee)[1]
    for _ in range(2):  # the first request loads the entry, the second trusts it
        assert call(django_app, "GET", "/api/v1/auth/ping/", token=key)[0] == 200
    assert call(django_app, "POST", "/api/v1/predict/", orjson.dumps(FLOWER), key)[0] == 200
    cache.delete_pattern("*throttle*")
    return key


def same(fast, django_app, *args, **headers) -> tuple[int, dict, bytes]:
    """Ask both paths; the lean path must answer itself, and as Django does."""
    before = django_app.calls
    fast_answer = call(fast, *args, **headers)
    assert django_app.calls == before, "Django answered, not the lean path"
    slow_answer = call(django_app, *args, **headers)
    assert _comparable(fast_answer) == _comparable(slow_answer)
    return fast_answer


def _comparable(answer):
    status, headers, body = answer
    headers = dict(headers)
    if headers.pop("content-encoding", None) == "gzip":  # random bytes (BREACH): unzip
        body = gzip.decompress(body)
        headers["content-length"] = "gzip"
    if "expires" in headers:  # never_cache: now, to the second
        headers["expires"] = headers["expires"][:-6]
    return status, headers, body


@pytest.mark.parametrize(("path", "body"), [
    ("/v2/models/iris/infer", v2()),
    ("/v2/models/iris/infer", v2(300)),
    ("/v2/models/iris/infer", v2(2, id="abc", parameters={"binary_data_output": True})),
    ("/v2/models/iris/infer", v2(3, outputs=[{"name": "species"}])),
    ("/api/v1/predict/", orjson.dumps(FLOWER)),
    ("/api/v1/predict/", batch(300)),
])
@pytest.mark.parametrize("headers", [
    {}, {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}, {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"},
    {"HTTP_ACCEPT": "application/json"},
])
def test_a_prediction_is_answered_as_django_answers_it(fast, django_app, token, path, body,
                                                       headers):
    status, response_headers, _ = same(fast, django_app, "POST", path, body, token, **headers)
    assert status == 200
    assert response_headers["x-request-id"] == "same-id"


def test_healthz_and_an_https_request_are_answered_as_django_answers_them(
        fast, django_app, token, settings):
    assert same(fast, django_app, "GET", "/healthz")[2] == b'{"status": "ok"}'
    settings.SECURE_SSL_REDIRECT = True
    _, headers, _ = same(fast, django_app, "POST", "/api/v1/predict/", orjson.dumps(FLOWER),
                         token, **{"wsgi.url_scheme": "https"})
    assert headers["strict-transport-security"].startswith("max-age=")


def test_the_lean_path_counts_what_django_counts(fast, token, trainee):
    for rows in (1, 7, 300):
        assert call(fast, "POST", "/v2/models/iris/infer", v2(rows), token)[0] == 200
    assert call(fast, "POST", "/api/v1/predict/", batch(5), token)[0] == 200
    redis = get_redis_connection("default")
    user, rows = UserRateThrottle(), RowsRateThrottle()
    assert int(redis.get(cache.make_key(user.window_key(trainee.pk)))) == 4
    rows_key = f"throttle_rows_{trainee.pk}:{rows.window()}"
    assert int(redis.get(cache.make_key(rows_key))) == 313


@pytest.mark.parametrize(("method", "path", "body", "extra", "status"), [
    ("POST", "/api/v1/predict/", b"{", {}, 400),
    ("POST", "/api/v1/predict/", orjson.dumps({**FLOWER, "petal_width": 99}), {}, 400),
    ("POST", "/v2/models/iris/infer", b'{"inputs": []}', {}, 400),
    ("POST", "/v2/models/iris/infer", v2(), {"HTTP_AUTHORIZATION": "Token nope"}, 401),
    ("POST", "/v2/models/iris/infer", v2(), {"HTTP_AUTHORIZATION": ""}, 401),
    ("POST", "/api/v1/predict/", orjson.dumps(FLOWER), {"QUERY_STRING": "x=1"}, 400),
    ("POST", "/api/v1/predict/", orjson.dumps(FLOWER), {"HTTP_COOKIE": "django_language=zh-hans"},
     200),
    ("POST", "/api/v1/predict/", orjson.dumps(FLOWER), {"CONTENT_TYPE": "text/plain"}, 415),
    ("POST", "/api/v1/predict/", orjson.dumps(FLOWER), {"HTTP_ACCEPT": "text/html"}, 406),
    ("POST", "/v2/models/iris/infer", gzip.compress(v2()), {"HTTP_CONTENT_ENCODING": "gzip"},
     200),
    ("POST", "/api/v1/predict/", orjson.dumps(FLOWER), {"HTTP_X_FORWARDED_FOR": "1.2.3.4"}, 200),
    ("HEAD", "/healthz", b"", {}, 405),
])
def test_anything_else_is_django_s_to_answer(fast, django_app, token, method, path, body, extra,
                                              status):
    before = django_app.calls
    answer = call(fast, method, path, body, token, **extra)
    assert django_app.calls == before + 1
    assert answer[0] == status


def test_a_revoked_token_or_a_deactivated_user_is_refused_on_the_next_request(
        fast, django_app, token, trainee):
    assert call(fast, "POST", "/api/v1/predict/", orjson.dumps(FLOWER), token)[0] == 200
    token_revoke_all(user=trainee)
    assert call(fast, "POST", "/api/v1/predict/", orjson.dumps(FLOWER), token)[0] == 401
    other = token_issue(user=trainee)[1]
    for _ in range(2):
        call(fast, "POST", "/api/v1/predict/", orjson.dumps(FLOWER), other)
    users_set_active(users=User.objects.filter(pk=trainee.pk), active=False)
    before = django_app.calls
    assert call(fast, "POST", "/api/v1/predict/", orjson.dumps(FLOWER), other)[0] == 401
    assert django_app.calls == before + 1


def test_throttles_refuse_through_django_with_nothing_counted_twice(
        fast, django_app, token, trainee, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "rows": "10/min", "user": "3/min"}}
    assert call(fast, "POST", "/api/v1/predict/", batch(6), token)[0] == 200
    before = django_app.calls
    refused = call(fast, "POST", "/api/v1/predict/", batch(6), token)
    assert (refused[0], django_app.calls) == (429, before + 1)
    assert "rows" in orjson.loads(refused[2])["error"]["message"]
    assert call(fast, "POST", "/api/v1/predict/", batch(1), token)[0] == 429  # known over
    redis = get_redis_connection("default")
    user_count = redis.get(cache.make_key(UserRateThrottle().window_key(trainee.pk)))
    assert int(user_count) == 3  # one a request, wherever it was answered
    assert call(fast, "GET", "/api/v1/auth/ping/", token=token)[0] == 429


def test_the_lean_path_logs_the_line_django_logs(fast, django_app, token, trainee, caplog,
                                                  active_version):
    caplog.set_level(logging.INFO, logger="flower_power.requests")
    for application in (fast, django_app):
        call(application, "POST", "/v2/models/iris/infer", v2(), token)
    fields = ("method", "route", "status", "user_id", "client_ip", "model_version")
    lines = [{f: getattr(r, f, None) for f in fields} | {"message": r.getMessage()[:30]}
             for r in caplog.records if r.name == "flower_power.requests"]
    assert len(lines) == 2 and lines[0] == lines[1]
    assert lines[0]["route"] == "/v2/models/<str:model_name>/infer"
    assert (lines[0]["user_id"], lines[0]["model_version"]) == (trainee.pk, active_version.number)



def test_an_over_large_body_reaches_django_unread_and_is_read_there(fast, django_app, token,
                                                                    settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    body = batch(100)
    stream = io.BytesIO(body)
    status, _, content = call(fast, "POST", "/api/v1/predict/", body, token,
                              **{"wsgi.input": stream})
    assert (status, orjson.loads(content)["error"]["code"]) == (413, "too_large")
    # Read to the end, so the server can reuse the connection (nginx's keep-alive upstream).
    assert stream.tell() == len(body)


def test_after_redis_forgets_the_script_or_drops_the_connection_the_next_request_is_served(
        fast, django_app, token):
    request = ("POST", "/api/v1/predict/", orjson.dumps(FLOWER), token)
    assert call(fast, *request)[0] == 200
    redis = get_redis_connection("default")
    redis.script_flush()  # as after a Redis restart: EVALSHA answers NOSCRIPT
    before = django_app.calls
    assert call(fast, *request)[0] == 200
    assert django_app.calls == before  # the script was loaded again, here
    # The lean path's own connection dropped by the server: that request goes to Django,
    # the next one is the lean path's again, on a new connection.
    ours = [c["id"] for c in redis.client_list() if c["cmd"] in ("evalsha", "eval")]
    assert ours
    for client_id in ours:
        redis.client_kill_filter(_id=client_id)
    assert call(fast, *request)[0] == 200
    assert django_app.calls == before + 1
    assert call(fast, *request)[0] == 200
    assert django_app.calls == before + 1
