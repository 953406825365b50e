"""Clients that send slowly cannot stall the real server (the composed web command).

32 sockets trickle a request a byte a second: an authenticated request must not take more
than 100 ms longer than just before the attack (medians of 20; the issue's one timed
assertion), and the server must close the sockets within its configured timeouts.
"""

import http.client
import json
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests.production import DEMO_PASSWORDS, admin_sql, free_port, production_env

ROOT = Path(__file__).resolve().parents[2]
WEB = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
DB_NAME = "flower_power_server_slow"
HEADER_TIMEOUT = 3  # seconds, WEB_HEADER_TIMEOUT for this test
BODY_TIMEOUT = 3  # seconds, WEB_BODY_TIMEOUT for this test
SOCKETS = 32

pytestmark = pytest.mark.slow


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("slow")
    port = free_port()
    env = production_env(
        database_url=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        redis_url="redis://127.0.0.1:6379/12", port=port, var_dir=tmp_path / "var",
        WEB_HEADER_TIMEOUT=str(HEADER_TIMEOUT), WEB_BODY_TIMEOUT=str(BODY_TIMEOUT),
        THROTTLE_USER="100000/min",
    )
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(["redis-cli", "-n", "12", "flushdb"], check=True, capture_output=True)
    for argv in (["manage.py", "migrate", "--noinput", "-v", "0"], ["manage.py", "seed_demo"]):
        done = subprocess.run(["python", *argv], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    log = tmp_path / "web.log"
    process = subprocess.Popen(WEB, cwd=ROOT, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if request(port, "GET", "/healthz")[0] == 200:  # no model needed here
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        credentials = {"username": "alice", "password": DEMO_PASSWORDS["trainee"]}
        status, body = request(port, "POST", "/api/v1/auth/token/",
                               json.dumps(credentials).encode(),
                               {"Content-Type": "application/json"})
        assert status == 200, body
        token = json.loads(body)["token"]
        yield port, token, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


class SlowSockets:
    """`count` sockets each sending `prefix` at once, then `trickle` a byte a second."""

    def __init__(self, port: int, prefix: bytes, trickle: bytes, count: int = SOCKETS,
                 stop_after: int | None = None) -> None:
        self.port, self.prefix, self.trickle, self.count = port, prefix, trickle, count
        self.stop_after = stop_after  # bytes of the trickle sent before going silent
        self.closed_after: list[float] = []  # seconds from connect to the server's close
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]

    def _run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            started = time.monotonic()
            if self.prefix:
                sock.sendall(self.prefix)
            sock.settimeout(1.0)
            sent = 0
            while not self.stop.is_set():
                try:
                    if sent < len(self.trickle) and (
                            self.stop_after is None or sent < self.stop_after):
                        sock.sendall(self.trickle[sent:sent + 1])
                        sent += 1
                    # Waits up to a second (the trickle's pace); b"" is the server's close.
                    while sock.recv(4096):
                        pass
                except TimeoutError:
                    continue
                except OSError:
                    pass
                with self.lock:
                    self.closed_after.append(time.monotonic() - started)
                return

    def __enter__(self) -> "SlowSockets":
        for thread in self.threads:
            thread.start()
        time.sleep(1.5)  # every socket connected and trickling
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def wait_closed(self, seconds: float) -> list[float]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.closed_after) < self.count:
            time.sleep(0.1)
        return sorted(self.closed_after)


def ping_median(port: int, token: str, times: int = 20) -> float:
    """The median seconds of `times` authenticated requests, each on a new connection."""
    seconds = []
    for _ in range(times):
        started = time.monotonic()
        status, body = request(port, "GET", "/api/v1/auth/ping/",
                               headers={"Authorization": f"Token {token}"})
        seconds.append(time.monotonic() - started)
        assert status == 200, body
    return statistics.median(seconds)


def slow_head() -> tuple[bytes, bytes]:
    # A request head that never ends: a long header trickled a byte at a time.
    return b"", b"GET /api/v1/auth/ping/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000


def slow_body(token: str) -> tuple[bytes, bytes]:
    head = ("POST /api/v1/predict/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 10000\r\n"
            f"Authorization: Token {token}\r\n\r\n").encode()
    return head, b" " * 10_000


def test_slow_request_heads_delay_no_one_and_are_cut_off(server):
    port, token, _ = server
    before = ping_median(port, token)
    with SlowSockets(port, *slow_head()) as attack:
        during = ping_median(port, token)
        closed = attack.wait_closed(HEADER_TIMEOUT + 5)
    assert during - before < 0.100, (before, during)
    # The whole head within WEB_HEADER_TIMEOUT, not a timer reset by every byte.
    assert len(closed) == SOCKETS, closed
    assert max(closed) < HEADER_TIMEOUT + 1.5, closed


def test_slow_request_bodies_delay_no_one(server):
    port, token, _ = server
    before = ping_median(port, token)
    with SlowSockets(port, *slow_body(token)):
        during = ping_median(port, token)
    assert during - before < 0.100, (before, during)


def test_a_request_body_that_stalls_is_cut_off(server):
    port, token, _ = server
    before = ping_median(port, token)
    with SlowSockets(port, *slow_body(token), stop_after=2) as attack:
        during = ping_median(port, token)
        closed = attack.wait_closed(BODY_TIMEOUT + 8)
    assert during - before < 0.100, (before, during)
    # Two bytes (about two seconds), then silence: closed WEB_BODY_TIMEOUT later.
    assert len(closed) == SOCKETS, closed
    assert max(closed) < 2 + BODY_TIMEOUT + 2, closed
