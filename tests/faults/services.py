"""Private Redis and PostgreSQL servers (pytest-redis's and pytest-postgresql's executors), and
a client of the web server in front of them, for the fault tests.

The machine's shared servers are never stopped: every fault is done to a server of our own,
on a free port of 127.0.0.1, in a temporary directory that is removed afterwards.

The plugins' executors, not their process fixtures: those are session-wide (a test that fails
with its server stopped would leave it stopped for the next), pytest-redis's cannot turn off
Redis's idle-client timeout (production's is off), and pytest-postgresql's puts the cluster in
pytest's temporary directory, which the postgres user cannot reach when we are root.
"""

import contextlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_redis.executor import RedisExecutor

from tests.production import DEMO_PASSWORDS, free_port
from tests.production import production_env as base_production_env

ROOT = Path(__file__).resolve().parents[2]


def require(path: str | None, what: str) -> str:
    """The program's path; a missing one skips the test (a failure under CI, tests/conftest.py)."""
    if path and os.access(path, os.X_OK):
        return path
    pytest.skip(f"{what} is not installed; `make test` installs it (bin/ensure-services)")


def private_redis(datadir: Path) -> RedisExecutor:
    """A redis-server of our own: `stop()` and `start()` again keep its port."""
    return RedisExecutor(
        require(shutil.which("redis-server"), "redis-server"), databases=16, redis_timeout=0,
        loglevel="notice", host="127.0.0.1", port=free_port(), datadir=datadir,
    )


class PrivatePostgres(PostgreSQLExecutor):
    """A throwaway cluster of our own (initdb): `stop()` and `start()` again keep its port."""

    def start(self) -> "PrivatePostgres":
        super().start()
        # The executor is done as soon as the port is open, when connecting may still fail
        # with "the database system is starting up"; pg_ctl start -w, once it accepts them.
        assert self.process.wait(timeout=60) == 0, Path(self.logfile).read_text()[-3000:]
        return self

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}",
                               autocommit=True, connect_timeout=10)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started PrivatePostgres, removed afterwards."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                       key=lambda path: [int(n) for n in path.parts[-3].split(".")])
    pg_ctl = require(str(installed[-1]) if installed else shutil.which("pg_ctl"),
                     "PostgreSQL's pg_ctl")
    # Not under pytest's tmp_path: the postgres user must be able to reach the directory.
    top = Path(tempfile.mkdtemp(prefix="fp-faults-pg-"))
    cluster = top / "cluster"
    cluster.mkdir()
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root, and the executor runs pg_ctl as we are: as root
        # (CI), it runs a shim of ours that runs pg_ctl as the postgres user.
        account = pwd.getpwnam("postgres")
        os.chown(cluster, account.pw_uid, account.pw_gid)
        top.chmod(0o755)
        shim = top / "pg_ctl"
        shim.write_text(f'#!/bin/sh\nexec runuser -u postgres -- "{pg_ctl}" "$@"\n')
        shim.chmod(0o755)
        pg_ctl = str(shim)
    server = PrivatePostgres(
        executable=pg_ctl, host="127.0.0.1", port=free_port(), dbname="postgres",
        datadir=str(cluster / "data"), unixsocketdir=str(cluster),
        logfile=str(cluster / "postgres.log"), startparams="-w",
        postgres_options="-c listen_addresses=127.0.0.1 -c full_page_writes=off",
    )
    try:
        server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):  # already stopped by the test, or never started
            server.stop()
        shutil.rmtree(top, ignore_errors=True)


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


@dataclass
class Web:
    """Where the composed web command answers (tests.production.web_server runs it), its log."""

    base: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()[-6000:]

    def token(self, username: str) -> str:
        reply = call(self.base, "POST", "/api/v1/auth/token/",
                     {"username": username,
                      "password": DEMO_PASSWORDS.get(username, DEMO_PASSWORDS["trainee"])})
        assert reply.status == 200, reply
        return reply.body["token"]
