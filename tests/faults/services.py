"""Private Redis and PostgreSQL servers, and the web server in front of them, for the fault tests.

The machine's shared servers are never stopped: every fault is done to a server of our own,
on a free port of 127.0.0.1, in a temporary directory that is removed afterwards.
"""

import contextlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.production import DEMO_PASSWORDS, free_port
from tests.production import production_env as base_production_env

ROOT = Path(__file__).resolve().parents[2]
# The composed web command (nginx + granian, flower_power/serve.py), as the container runs it.
WEB = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
PASSWORDS = {
    "manager": DEMO_PASSWORDS["manager"],
    "alice": DEMO_PASSWORDS["trainee"],
    "bob": DEMO_PASSWORDS["trainee"],
}


def require(path: str | None, what: str) -> str:
    """The program's path; a missing one fails the test (skips it outside CI, loudly)."""
    if path and os.access(path, os.X_OK):
        return path
    message = f"{what} is not installed; `make test` installs it (bin/ensure-services)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def postgres_bin(name: str) -> str:
    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path))

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: version(
        str(p)))
    found = str(candidates[-1]) if candidates else shutil.which(name)
    return require(found, f"PostgreSQL's {name}")


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            result = predicate()
            if result:
                return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class PrivateRedis:
    """A throwaway redis-server that can be stopped and started again on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.binary = require(shutil.which("redis-server"), "redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def start(self) -> None:
        log = (self.workdir / f"redis-{self.port}.log").open("a")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for(self.ping, timeout=20, what="the private redis-server")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb), owned by the postgres OS user when we are root."""

    def __init__(self) -> None:
        self.initdb = postgres_bin("initdb")
        self.pg_ctl = postgres_bin("pg_ctl")
        self.port = free_port()
        # Not under pytest's tmp_path: the postgres user must be able to reach the directory.
        self.dir = Path(tempfile.mkdtemp(prefix="fp-faults-pg-"))
        self.data = self.dir / "data"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str, timeout: float = 120) -> None:
        result = subprocess.run([*self.as_postgres, *argv], capture_output=True, text=True,
                                timeout=timeout)
        assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}\n{self.log()}"

    def log(self) -> str:
        path = self.dir / "postgres.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def init(self) -> None:
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")

    def pg_ctl_args(self) -> list[str]:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        return ["-D", str(self.data), "-l", str(self.dir / "postgres.log"), "-o", options, "-w"]

    def start(self) -> None:
        self._run(self.pg_ctl, *self.pg_ctl_args(), "start")

    def restart(self) -> None:
        self._run(self.pg_ctl, *self.pg_ctl_args(), "-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop",
                      timeout=60)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        return psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}",
                               autocommit=True, connect_timeout=10)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def production_env(*, database_url: str, redis_url: str | None, port: int, var_dir: Path) -> dict:
    """The containers' environment, with throttles out of the way: faults are the subject."""
    return base_production_env(
        database_url=database_url, redis_url=redis_url, port=port, var_dir=var_dir,
        THROTTLE_USER="100000/min", THROTTLE_ANSWERS="100000/min",
        THROTTLE_STARTS="100000/min", THROTTLE_AUTH="1000/min",
    )


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@dataclass
class Reply:
    status: int
    body: object
    seconds: float
    content_type: str


def call(base: str, method: str, path: str, body=None, token: str | None = None,
         headers: dict | None = None, timeout: float = 20) -> Reply:
    """One HTTP request; a timeout or a dropped connection raises (a hung request is a bug)."""
    request = urllib.request.Request(base + path, method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, kind = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, kind = error.code, error.read(), error.headers
    content_type = kind.get("Content-Type", "")
    try:
        parsed = json.loads(raw) if "json" in content_type else raw.decode(errors="replace")
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Reply(status, parsed, time.monotonic() - started, content_type)


class WebServer:
    """The composed web command, started and stopped by the test."""

    def __init__(self, env: dict, port: int, log_path: Path) -> None:
        self.env, self.port, self.log_path = env, port, log_path
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "WebServer":
        self.process = subprocess.Popen(WEB, cwd=ROOT, env=self.env,
                                        stdout=self.log_path.open("w"), stderr=subprocess.STDOUT)

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError("the web server exited:\n" + self.log())
            return call(self.base, "GET", "/readyz", timeout=5).status == 200

        wait_for(ready, timeout=90, what="the web server's /readyz")
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=30)

    def log(self) -> str:
        return self.log_path.read_text()[-6000:]

    def token(self, username: str) -> str:
        reply = call(self.base, "POST", "/api/v1/auth/token/",
                     {"username": username, "password": PASSWORDS[username]})
        assert reply.status == 200, reply
        return reply.body["token"]
