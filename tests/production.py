"""The environment the containers run with (docker-compose.yml, .env.example), pointed at
servers on this machine, and the helpers every test that starts them needs: a free port and
SQL as the PostgreSQL superuser."""

import os
import secrets
import socket
import sys
from pathlib import Path

import psycopg

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
