"""The logs of the production commands (web server and Celery worker, as composed) under real
traffic: one JSON line per request, the request id carried into the task a request starts,
not one token, password or cookie in any line, and nothing but JSON lines from the web
command, nginx's and granian's own included."""

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.production import DEMO_PASSWORDS, composed_stack, granian_environs

DB_NAME = "test_fp_logs_deploy"
REDIS_DB = 14
NEW_PASSWORD = "a fresh passphrase for alice 42"
WRONG_PASSWORD = "not alices passphrase 17"
REQUEST_FIELDS = {
    "time", "level", "logger", "message", "request_id", "method", "route", "status",
    "duration_ms", "user_id", "client_ip", "model_version",
}

pytestmark = pytest.mark.slow


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """HTTP with cookies and no redirects; remembers every X-Request-ID it was given."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self.seen: dict[str, int] = {}  # request id -> status
        self.without_id: list[tuple[str, int]] = []  # answered by the proxy, not the app

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)

    def call(self, method: str, path: str, *, json_body=None, form=None, token=None,
             request_id: str | None = None):
        request = urllib.request.Request(self.base + path, method=method)
        if json_body is not None:
            request.data = json.dumps(json_body).encode()
            request.add_header("Content-Type", "application/json")
        if form is not None:
            request.data = urllib.parse.urlencode(form).encode()
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if token:
            request.add_header("Authorization", f"Token {token}")
        if request_id:
            request.add_header("X-Request-ID", request_id)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            raw = response.read()
            status, headers = response.status, response.headers
        if headers["X-Request-ID"] is None:
            self.without_id.append((path, status))
        else:
            self.seen[headers["X-Request-ID"]] = status
        body = json.loads(raw) if "json" in headers.get("Content-Type", "") else raw.decode()
        return status, body, headers["X-Request-ID"]


@pytest.fixture
def production(tmp_path):
    with composed_stack(
        tmp_path, db_name=DB_NAME, redis_db=REDIS_DB, services=("web", "worker"),
        # Plain HTTP on loopback: the page login's cookies must come back without TLS.
        SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false",
    ) as stack:
        deadline = time.monotonic() + 60
        while " ready." not in stack.logs["worker"].read_text():
            assert time.monotonic() < deadline, stack.logs["worker"].read_text()
            time.sleep(0.3)
        yield Client(stack.base), stack


def json_lines(path: Path, *, only_json: bool = False) -> list[dict]:
    """Every line the app wrote (they start with "{"), or with `only_json` every line but blank
    ones (the web command's: nginx's and granian's too); a line that does not parse fails."""
    lines = []
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if text.startswith("{") or (only_json and text.strip()):
            try:
                lines.append(json.loads(text))
                assert isinstance(lines[-1], dict)
            except (ValueError, AssertionError):
                raise AssertionError(f"{path.name}:{number} is not JSON: {text!r}") from None
    return lines


def test_requests_log_json_lines_that_reach_the_worker_and_hold_no_secret(production):
    client, stack = production
    logs = stack.logs
    secrets = {"trainee password": DEMO_PASSWORDS["trainee"],
               "manager password": DEMO_PASSWORDS["manager"],
               "new password": NEW_PASSWORD, "wrong password": WRONG_PASSWORD}

    # API tokens, obtained over HTTP; one wrong password first.
    status, _, _ = client.call("POST", "/api/v1/auth/token/",
                               json_body={"username": "alice", "password": WRONG_PASSWORD})
    assert status == 400
    status, body, _ = client.call(
        "POST", "/api/v1/auth/token/",
        json_body={"username": "alice", "password": DEMO_PASSWORDS["trainee"]},
        request_id="logs-token-1",
    )
    assert status == 200, body
    secrets["alice's token"] = alice = body["token"]
    status, body, _ = client.call(
        "POST", "/api/v1/auth/token/",
        json_body={"username": "manager", "password": DEMO_PASSWORDS["manager"]},
    )
    assert status == 200, body
    secrets["manager's token"] = manager = body["token"]

    # The tokens in use: a prediction (JSON and query string) names its model version.
    status, body, predicted = client.call(
        "POST", "/api/v1/predict/", json_body={"instances": [[6.7, 3.3, 5.7, 2.5]]}, token=alice,
    )
    assert status == 200 and body["model_version"] == 1, body
    status, _, queried = client.call(
        "GET", "/api/v1/predict/?sepal_length=6.7&sepal_width=3.3&petal_length=5.7"
        "&petal_width=2.5", token=alice,
    )
    assert status == 200
    assert client.call("GET", "/api/v1/auth/ping/", token=alice)[0] == 200
    secrets["a made-up token"] = "not-a-real-token-value-Zq81"
    assert client.call("GET", "/api/v1/auth/ping/", token=secrets["a made-up token"])[0] == 401

    # A page login and a password change: session and CSRF cookies, passwords in forms.
    assert client.call("GET", "/accounts/login/")[0] == 200
    status, _, _ = client.call("POST", "/accounts/login/", form={
        "username": "alice", "password": DEMO_PASSWORDS["trainee"],
        "csrfmiddlewaretoken": client.cookie("csrftoken"),
    })
    assert status == 302
    secrets["session cookie"] = client.cookie("sessionid")
    assert client.call("GET", "/accounts/password_change/")[0] == 200
    secrets["csrf cookie"] = client.cookie("csrftoken")
    status, body, _ = client.call("POST", "/accounts/password_change/", form={
        "old_password": DEMO_PASSWORDS["trainee"], "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD, "csrfmiddlewaretoken": client.cookie("csrftoken"),
    })
    assert status == 302, body
    secrets["new session cookie"] = client.cookie("sessionid")

    # A manager's retrain: a Celery task started by a request.
    status, body, retrain_id = client.call(
        "POST", "/api/v1/models/", json_body={}, token=manager, request_id="logs-retrain-1",
    )
    assert status == 202 and retrain_id == "logs-retrain-1", body
    number = body["version"]["number"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        version = client.call("GET", f"/api/v1/models/{number}/", token=manager)[1]
        if version["status"] not in ("queued", "training"):
            break
        time.sleep(0.5)
    assert version["status"] == "ready", (version, logs["worker"].read_text()[-3000:])
    assert client.call("GET", "/no-such-page/?token=in-the-query")[0] == 404

    stack.stop()  # flush and close every log before reading them

    # Every request is exactly one JSON line with every field, under the id it answered with.
    web = json_lines(logs["web"], only_json=True)
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in web)
    requests = [line for line in web if line["logger"] == "flower_power.requests"]
    by_id = {}
    for line in requests:
        assert set(line) >= REQUEST_FIELDS, line
        assert line["request_id"] not in by_id, ("two lines for one request", line)
        by_id[line["request_id"]] = line
    assert client.without_id == []
    assert set(client.seen) <= set(by_id)
    for request_id, status in client.seen.items():
        assert by_id[request_id]["status"] == status, by_id[request_id]
    assert by_id["logs-token-1"]["route"] == "/api/v1/auth/token/"
    assert by_id["logs-token-1"]["user_id"] is None
    assert by_id[predicted]["model_version"] == 1 and by_id[predicted]["user_id"] is not None
    assert by_id[queried]["route"] == "/api/v1/predict/"
    # Django's own warnings about 4xx responses name the request too.
    warnings = [line for line in web if line["logger"] == "django.request"]
    assert warnings and all(line["request_id"] in by_id for line in warnings), warnings
    retrain = by_id["logs-retrain-1"]
    assert (retrain["method"], retrain["route"], retrain["status"]) == (
        "POST", "/api/v1/models/", 202)

    # The retrain's id reaches the worker's lines of that task, with the task's name and id.
    worker = json_lines(logs["worker"])
    task_lines = [line for line in worker if line.get("request_id") == "logs-retrain-1"]
    assert task_lines, logs["worker"].read_text()[-3000:]
    assert {line["task_name"] for line in task_lines} == {"ml.tasks.model_version_train_task"}
    assert len({line["task_id"] for line in task_lines}) == 1
    assert any(f"model version {number}: ready" in line["message"] for line in task_lines)

    # No token, password or cookie anywhere, in any line of any log, JSON or not.
    for name, path in logs.items():
        text = path.read_text()
        assert text.strip(), f"{name} logged nothing"
        leaked = [what for what, secret in secrets.items() if secret in text]
        assert not leaked, f"{name}'s log holds: {leaked}"
    assert "in-the-query" not in logs["web"].read_text()


def test_the_web_commands_nginx_and_granian_lines_are_json_too(tmp_path):
    """nginx refuses a body past twice REQUEST_BODY_MAX_BYTES itself: its error line and its
    access line (WEB_ACCESS_LOG) come as JSON with their fields, never the query string."""
    with composed_stack(tmp_path, db_name=DB_NAME, redis_db=REDIS_DB, services=("web",),
                        WEB_ACCESS_LOG="true", REQUEST_BODY_MAX_BYTES="2048") as stack:
        client = Client(stack.base)
        status, body, _ = client.call("POST", "/api/v1/predict/?token=in-the-query",
                                      json_body={"instances": [[1.0] * 2000]})
        assert (status, body["error"]["code"]) == (413, "too_large")
        status, _, ready = client.call("GET", "/readyz")
        assert status == 200
        assert _app_lines_skip_the_relay(stack.processes["web"].pid)
        stack.stop()

    text = stack.logs["web"].read_text()
    lines = json_lines(stack.logs["web"], only_json=True)
    assert "in-the-query" not in text
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line), line
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]), line
    [refused] = [line for line in lines if line["logger"] == "nginx"]
    assert refused["level"] == "ERROR", refused
    assert refused["message"].startswith("client intended to send too large body: "), refused
    assert isinstance(refused["pid"], int) and isinstance(refused["connection"], int)
    assert (refused["client"], refused["request"], refused["host"]) == (
        "127.0.0.1", "POST /api/v1/predict/ HTTP/1.1", stack.base.removeprefix("http://"))
    access = [line for line in lines if line["logger"] == "nginx.access"]
    [too_large] = [line for line in access if line["status"] == 413]
    assert too_large["request"] == "POST /api/v1/predict/ HTTP/1.1", too_large
    assert too_large["remote_addr"] == "127.0.0.1" and too_large["bytes"] > 0
    # The app's request line and nginx's for the same request share its id.
    assert [line["status"] for line in access if line["request_id"] == ready] == [200]
    assert sorted(line["logger"] for line in lines if line["request_id"] == ready) == [
        "flower_power.requests", "nginx.access"]
    assert any(line["message"].startswith("Starting granian") for line in lines
               if line["logger"] == "_granian"), text[-3000:]


def _app_lines_skip_the_relay(serve_pid: int) -> bool:
    """Each granian process writes the app's lines to LOG_FD, the web command's own stderr
    (the same open file), not to the pipe its relay reads."""
    stderr = Path(f"/proc/{serve_pid}/fd/2").resolve()
    environs = granian_environs(serve_pid)
    assert environs
    for pid, environ in environs.items():
        assert Path(f"/proc/{pid}/fd/{environ['LOG_FD']}").resolve() == stderr, pid
        assert Path(f"/proc/{pid}/fd/2").resolve() != stderr, pid  # the relay's pipe
    return True
