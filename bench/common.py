"""What the benches and the load test share: a throwaway database and Redis database, the
production environment for gunicorn and Celery, manage.py, Django in this process,
percentiles, and clean-up on Ctrl-C or SIGTERM.

Not a bench itself. Each caller names its own database and Redis database, so benches, the
load test and the test suite (Redis database 1) never share state.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
COMMAND_TIMEOUT = 300


def bench_env(*, db_name: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) against a bench database; `extra` adds or overrides."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "WEB_CONCURRENCY", "THROTTLE_",
                               "PROMETHEUS_MULTIPROC_DIR"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "flower_power.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "REDIS_URL": redis_url,
        # Throttling stays on (its cost is part of the path) but must not cap the bench.
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_ROWS": "1000000000/min",  # 100-row batches at ~1,000/s: 6M rows a minute
        "LOG_LEVEL": "WARNING",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    })
    env.update(extra)
    return env


# --- Database and Redis


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()


@contextlib.contextmanager
def bench_database(db_name: str, redis_url: str) -> Iterator[None]:
    """A fresh, empty database and Redis database; both dropped at the end, even on failure."""
    admin_sql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {db_name}")
    flush_redis(redis_url)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            flush_redis(redis_url)
        admin_sql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        print(f"\ndropped database {db_name}")


# --- manage.py in a child process (TensorFlow stays out of the bench's own process)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=COMMAND_TIMEOUT, check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"manage.py {args[0]} failed with exit code {done.returncode}")
    return done.stdout


def prepare_model(env: dict[str, str], train_args: Sequence[str] = ()) -> None:
    """Migrate, load the flowers and train the first model (active when it passes the gate)."""
    for args in (
        ("migrate", "--noinput", "-v", "0"), ("load_flowers",), ("train_model", *train_args)
    ):
        started = time.perf_counter()
        output = manage(env, *args)
        last = output.strip().splitlines()[-1].strip() if output.strip() else "ok"
        print(f"  manage.py {args[0]:13} {time.perf_counter() - started:5.1f} s  {last}")


def django_setup(env: dict[str, str]) -> None:
    """Set Django up in this process against the bench database (after prepare_model)."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Figures


def postgres_backends_cpu(db_name: str) -> dict[int, float]:
    """CPU seconds of each live PostgreSQL backend connected to `db_name` (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    backends = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # A backend's title: "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE".
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").split()
            if not title or title[0] != b"postgres:":
                continue
            words = [w for w in title[1:] if not w.endswith(b":")]
            if len(words) < 2 or words[1] != db_name.encode():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            backends[int(proc.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return backends


def postgres_cpu_seconds(db_name: str) -> float:
    """CPU time of the live PostgreSQL backends connected to `db_name`.

    Web processes keep their connections (CONN_MAX_AGE), so over a short run this is the
    database's share of the work; backends that exit take their CPU time with them.
    """
    return sum(postgres_backends_cpu(db_name).values())


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    total = sum(fields[:8])  # guest time is already counted in user
    ticks = os.sysconf("SC_CLK_TCK")
    return (total - idle) / ticks, total / ticks


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * fraction))]


# --- Clean-up


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt, so `finally` blocks clean up.

    Even when started in the background, where SIGINT is ignored, and on bench/run.py's
    SIGTERM at its timeout.
    """
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
