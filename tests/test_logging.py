"""Request ids and JSON log lines (flower_power/request_id.py, flower_power/logs.py)."""

import io
import json
import logging
import re

import pytest
from django.test import Client, override_settings

from flower_power.celery import app as celery_app
from flower_power.logs import ContextFilter, JsonFormatter
from flower_power.request_id import (
    current_request_id,
    request_id_accept,
    request_id_bind,
    request_id_unbind,
)

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """Every line logged while the test runs, as the production handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    # django.request does not propagate (settings.LOGGING gives it its own handler).
    loggers = [logging.getLogger(), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "flower_power.requests"]


# --- the middleware: one id per request, in the response header


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["abc-123", "A.b_c-9", "x" * 64, "4bf92f3577b34da6a3ce9"])
def test_a_sane_incoming_request_id_is_kept_and_returned(sent):
    response = Client().get("/healthz", headers={"X-Request-ID": sent})
    assert response["X-Request-ID"] == sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent", ["", "x" * 65, "has space", "new\nline", "quote\"d", "ünï", "a/b", "{json}"]
)
def test_an_insane_incoming_request_id_is_replaced_by_a_fresh_one(sent):
    response = Client().get("/healthz", headers={"X-Request-ID": sent})
    assert HEX_ID.fullmatch(response["X-Request-ID"])
    assert response["X-Request-ID"] != sent


@pytest.mark.django_db
def test_each_request_without_an_id_gets_its_own():
    client = Client()
    first, second = client.get("/healthz"), client.get("/healthz")
    assert HEX_ID.fullmatch(first["X-Request-ID"]) and HEX_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_error_responses_carry_the_request_id_too(anon):
    unauthenticated = anon.get("/api/v1/models/")
    missing = anon.get("/no-such-page/")
    assert unauthenticated.status_code == 401 and missing.status_code == 404
    assert HEX_ID.fullmatch(unauthenticated["X-Request-ID"])
    assert HEX_ID.fullmatch(missing["X-Request-ID"])


def test_the_request_id_is_unbound_after_the_request(db):
    Client().get("/healthz")
    assert current_request_id() is None


def test_request_id_accept_keeps_sane_ids_only():
    assert request_id_accept("req-1") == "req-1"
    assert HEX_ID.fullmatch(request_id_accept(None))
    assert HEX_ID.fullmatch(request_id_accept("Token abc"))


# --- the request's log line


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_fields(log_lines):
    response = Client().get("/healthz", headers={"X-Request-ID": "probe-1"})
    [line] = request_lines(log_lines())
    assert line["request_id"] == "probe-1" == response["X-Request-ID"]
    assert line["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] is None
    assert line["client_ip"] == "127.0.0.1"
    assert line["model_version"] is None


def test_the_line_names_the_route_pattern_never_the_path_or_query(manager_api, log_lines):
    response = manager_api.get("/api/v1/models/424242/")
    assert response.status_code == 404
    [line] = request_lines(log_lines())
    assert line["route"] == "/api/v1/models/<int:number>/"
    assert "424242" not in json.dumps(line)


def test_a_query_string_never_reaches_any_log_line(trainee_api, active_version, log_lines):
    response = trainee_api.get(
        "/api/v1/predict/",
        {"sepal_length": 6.71, "sepal_width": 3.31, "petal_length": 5.71, "petal_width": 2.51},
    )
    assert response.status_code == 200
    lines = log_lines()
    assert request_lines(lines)[0]["route"] == "/api/v1/predict/"
    assert "6.71" not in json.dumps(lines)


def test_the_line_names_a_token_user_and_the_model_version(trainee, trainee_api, active_version,
                                                           log_lines):
    response = trainee_api.post("/api/v1/predict/", {"instances": [[6.7, 3.3, 5.7, 2.5]]})
    assert response.status_code == 200
    [line] = request_lines(log_lines())
    assert line["user_id"] == trainee.pk
    assert line["model_version"] == active_version.number == 1
    assert line["status"] == 200


def test_the_v2_inference_line_names_the_model_version(trainee_api, active_version, log_lines):
    response = trainee_api.post(
        "/v2/models/iris/infer",
        {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32",
                     "data": [6.7, 3.3, 5.7, 2.5]}]},
    )
    assert response.status_code == 200, response.content
    [line] = request_lines(log_lines())
    assert line["model_version"] == 1


def test_the_line_names_a_session_user_of_a_page(client, trainee, log_lines):
    client.force_login(trainee)
    assert client.get("/").status_code == 200
    [line] = request_lines(log_lines())
    assert line["user_id"] == trainee.pk and line["route"] == "/"


def test_an_anonymous_refusal_has_no_user_and_its_warning_shares_the_id(anon, log_lines):
    response = anon.get("/api/v1/models/", headers={"X-Request-ID": "refused-1"})
    assert response.status_code == 401
    lines = log_lines()
    [line] = request_lines(lines)
    assert line["user_id"] is None and line["status"] == 401
    # django.request's own warning about the 401, written after the middleware returned, is
    # joined to it by the id.
    [warning] = [other for other in lines if other["logger"] == "django.request"]
    assert warning["message"] == "Unauthorized: /api/v1/models/"
    assert warning["request_id"] == "refused-1" and warning["status_code"] == 401
    assert all(other["request_id"] == "refused-1" for other in lines)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.deploy.crashing_urls")
def test_a_server_error_is_an_error_line_and_its_traceback_shares_the_id(log_lines):
    response = Client(raise_request_exception=False).get(
        "/api/v1/crash/", headers={"X-Request-ID": "crash-1"}
    )
    assert response.status_code == 500 and response["X-Request-ID"] == "crash-1"
    lines = log_lines()
    [line] = request_lines(lines)
    assert (line["level"], line["status"], line["route"]) == ("ERROR", 500, "/api/v1/crash/")
    [error] = [other for other in lines if other["logger"] == "django.request"]
    assert error["request_id"] == "crash-1" and "RuntimeError" in error["exception"]


def test_a_failed_login_logs_neither_the_password_nor_the_token(anon, trainee, password,
                                                                 log_lines):
    anon.post("/api/v1/auth/token/", {"username": "alice", "password": "Wrong-pass-77"})
    response = anon.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    assert response.status_code == 200
    text = json.dumps(log_lines())
    assert "Wrong-pass-77" not in text and password not in text
    assert response.json()["token"] not in text
    assert [line["status"] for line in request_lines(log_lines())] == [400, 200]


# --- the formatter and filter


def format_record(logger_name="tests.fmt", level=logging.WARNING, msg="hello %s", args=("you",),
                  exc_info=None, **extra) -> dict:
    record = logging.getLogger(logger_name).makeRecord(
        logger_name, level, __file__, 1, msg, args, exc_info, extra=extra
    )
    ContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_the_formatter_writes_one_json_object_with_the_standard_fields():
    line = format_record()
    assert line["level"] == "WARNING" and line["logger"] == "tests.fmt"
    assert line["message"] == "hello you"
    assert line["time"].endswith("Z")
    assert line["request_id"] is None
    assert "task_id" not in line


def test_the_formatter_carries_the_bound_request_id():
    token = request_id_bind("bound-7")
    try:
        assert format_record()["request_id"] == "bound-7"
    finally:
        request_id_unbind(token)


def test_the_formatter_keeps_plain_extras_and_drops_objects():
    class Request:
        def __repr__(self):
            return "<WSGIRequest: GET '/x?token=SECRET'>"

    line = format_record(status_code=404, ratio=0.5, flag=True, note="n", request=Request(),
                         data={"args": ["SECRET"]})
    assert (line["status_code"], line["ratio"], line["flag"], line["note"]) == (404, 0.5, True, "n")
    assert "request" not in line and "data" not in line
    assert "SECRET" not in json.dumps(line)


def test_the_formatter_keeps_a_message_on_one_line_and_adds_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        line = format_record(msg="two\nlines", args=(), exc_info=sys.exc_info())
    assert line["message"] == "two\nlines"
    assert "ValueError: boom" in line["exception"]
    formatted = JsonFormatter().format(
        logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, "a\nb", (), None)
    )
    assert "\n" not in formatted


def test_the_formatter_survives_what_orjson_refuses():
    line = format_record(huge=2**70, msg="lone \ud800 surrogate", args=())
    assert line["huge"] == 2**70


# --- Celery: a task runs under the id of the request that started it


@celery_app.task(name="tests.test_logging.log_probe")
def log_probe() -> str | None:
    logging.getLogger("tests.probe").info("inside the task")
    return current_request_id()


def test_a_task_runs_under_the_request_id_sent_in_its_headers(log_lines):
    result = log_probe.apply(headers={"request_id": "from-request-1"})
    assert result.get() == "from-request-1"
    [line] = [line for line in log_lines() if line["logger"] == "tests.probe"]
    assert line["request_id"] == "from-request-1"
    assert line["task_name"] == "tests.test_logging.log_probe"
    assert line["task_id"] == result.id
    assert current_request_id() is None


def test_an_insane_request_id_header_is_replaced_in_the_task():
    assert HEX_ID.fullmatch(log_probe.apply(headers={"request_id": "bad id\n"}).get())


def test_a_task_run_inside_a_request_gives_the_request_its_id_back():
    token = request_id_bind("outer-1")
    try:
        assert log_probe.apply().get() == "outer-1"
        assert current_request_id() == "outer-1"
    finally:
        request_id_unbind(token)


def test_publishing_a_task_adds_the_current_request_id_to_its_headers():
    from flower_power.celery import carry_the_request_id

    headers = {}
    carry_the_request_id(headers=headers)
    assert headers == {}
    token = request_id_bind("publish-1")
    try:
        carry_the_request_id(headers=headers)
    finally:
        request_id_unbind(token)
    assert headers == {"request_id": "publish-1"}


# --- settings: the format follows LOG_FORMAT, strictly


def test_production_processes_log_json_and_text_is_there_for_people():
    from tests.test_settings import PRODUCTION_ENV, run_manage

    probe = "import logging; logging.getLogger('probe').warning('hi %s', 'there')"
    result = run_manage("shell", "-c", probe, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines() if '"probe"' in text]
    assert (line["logger"], line["message"], line["request_id"]) == ("probe", "hi there", None)

    result = run_manage("shell", "-c", probe, env={**PRODUCTION_ENV, "LOG_FORMAT": "text"})
    assert result.returncode == 0, result.stderr
    assert re.search(r"WARNING probe \[None\] hi there", result.stderr)


def test_an_unknown_log_format_stops_the_process():
    from tests.test_settings import PRODUCTION_ENV, run_manage

    result = run_manage("check", env={**PRODUCTION_ENV, "LOG_FORMAT": "xml"})
    assert result.returncode != 0 and "LOG_FORMAT='xml'" in result.stderr
