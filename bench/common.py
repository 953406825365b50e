"""What the benches and the load test share besides tests/production.py: a bench database made
ready (a copy of BENCH_TEMPLATE under `run.py --quick`), manage.py, Django in this process,
clean-up on Ctrl-C or SIGTERM."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.production import (  # noqa: E402 - the repository root is on sys.path first
    Server,
    admin_sql,
    flush_redis,
    free_port,
    fresh_database,
    process_tree,
    production_env,
    server_process,
    web_server,
)

__all__ = ["Server", "flush_redis", "process_tree", "server_process", "web_server"]


def bench_env(*, db_name: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The containers' environment on a free port, with throttles that run but never refuse."""
    return production_env(
        database_url=f"postgres://postgres@127.0.0.1:5432/{db_name}", redis_url=redis_url,
        port=free_port(), var_dir=Path(tempfile.mkdtemp(prefix="fp-bench-")) / "var",
        **{"LOG_LEVEL": "WARNING", "TF_CPP_MIN_LOG_LEVEL": "2", "THROTTLE_USER": "1000000/min",
           "THROTTLE_ROWS": "1000000000/min", **extra})


@contextlib.contextmanager
def bench_database(env: dict[str, str], train_args: Sequence[str] = ()) -> Iterator[None]:
    """env's database ready with a first model; it and its Redis database emptied at the end."""
    db_name = env["DATABASE_URL"].rsplit("/", 1)[1]
    with fresh_database(db_name, env["REDIS_URL"]):
        if template := os.environ.get("BENCH_TEMPLATE"):
            admin_sql(f"DROP DATABASE {db_name}")
            admin_sql(f"CREATE DATABASE {db_name} TEMPLATE {template}")
        else:
            prepare_model(env, train_args)
        yield


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"manage.py {args[0]} failed with exit code {done.returncode}")
    return done.stdout


def prepare_model(env: dict[str, str], train_args: Sequence[str] = ()) -> None:
    """Migrate, load the flowers, train the first model (TensorFlow stays in the children)."""
    for args in (("migrate", "--noinput", "-v", "0"), ("load_flowers",),
                 ("train_model", *train_args)):
        output = manage(env, *args).strip().splitlines() or ["ok"]
        print(f"  manage.py {args[0]:13} {output[-1].strip()}")


@contextlib.contextmanager
def bench_django(env: dict[str, str], train_args: Sequence[str] = ()) -> Iterator[None]:
    """bench_database with Django set up here (drift samples dropped before the database)."""
    with bench_database(env, train_args):
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connections

        from ml.monitoring import inputs_discard

        try:
            yield
        finally:
            inputs_discard()
            connections.close_all()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """SIGINT and SIGTERM (run.py's timeout) raise KeyboardInterrupt: `finally` cleans up."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
