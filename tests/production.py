"""The environment the containers run with (docker-compose.yml, .env.example), pointed at
servers on this machine, and the helpers every test that starts them needs: a free port and
SQL as the PostgreSQL superuser."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

DEMO_PASSWORDS = {"manager": "manager passphrase 1", "trainee": "trainee passphrase 1"}


def production_env(
    *, database_url: str, redis_url: str | None, port: int, var_dir: Path, **extra: str
) -> dict:
    # Not this process's metrics directory either (flower_power.metrics exports it): a server
    # started with it would wipe the test suite's counters; it uses var_dir's own.
    own = ("DJANGO_", "PYTEST", "PROMETHEUS_MULTIPROC_DIR", "FLOWER_POWER_METRICS_ROLE")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(own)},
        "DJANGO_SETTINGS_MODULE": "flower_power.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: TLS would end at a proxy in front of the web server.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "DEMO_MANAGER_PASSWORD": DEMO_PASSWORDS["manager"],
        "DEMO_TRAINEE_PASSWORD": DEMO_PASSWORDS["trainee"],
        "VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        **extra,
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(sql: str) -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(sql)


@dataclass
class Stack:
    """Services of docker-compose.yml running here: where to reach the web server, their logs."""

    base: str
    logs: dict[str, Path] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def stop(self) -> None:
        """Stop every service (their logs are then complete)."""
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.contextmanager
def composed_stack(
    tmp_path: Path, *, db_name: str, redis_db: int, services: tuple[str, ...], **extra: str
) -> Iterator[Stack]:
    """The containers' own commands against a fresh database and Redis database: the image's
    collectstatic, the one-shot migrate service and the demo accounts, then `services` as
    composed, once the web server is ready. Stops them and drops the database after."""
    port = free_port()
    env = production_env(
        database_url=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        redis_url=f"redis://127.0.0.1:6379/{redis_db}", port=port, var_dir=tmp_path / "var",
        **extra,
    )
    env.pop("LOG_FORMAT", None)  # production's default, whatever this shell says
    admin_sql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {db_name}")
    subprocess.run(["redis-cli", "-n", str(redis_db), "flushdb"], check=True,
                   capture_output=True)
    stack = Stack(base=f"http://127.0.0.1:{port}")

    def run_once(argv: list[str]) -> None:
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, f"{argv}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"

    try:
        run_once([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"])
        run_once(SERVICES["migrate"]["command"])
        run_once([sys.executable, "manage.py", "seed_demo"])
        for name in services:
            stack.logs[name] = tmp_path / f"{name}.log"
            stack.processes[name] = subprocess.Popen(
                SERVICES[name]["command"], cwd=ROOT, env=env,
                stdout=stack.logs[name].open("w"), stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not _ready(stack.base):
            assert time.monotonic() < deadline, (
                "the web server never became ready:\n" + stack.logs["web"].read_text()
            )
            time.sleep(0.3)
        yield stack
    finally:
        stack.stop()
        admin_sql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            return response.status == 200
    except OSError:  # refused while starting, or a 502/503 (HTTPError is an OSError)
        return False
