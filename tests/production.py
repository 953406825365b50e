"""The one harness for everything that starts the production processes here, tests and
benches alike: the environment the containers run with (docker-compose.yml, .env.example)
pointed at servers on this machine, a fresh database, the web command in its own process
group with its CPU time, a free port and SQL as the PostgreSQL superuser."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

DEMO_PASSWORDS = {"manager": "manager passphrase 1", "trainee": "trainee passphrase 1"}


def production_env(
    *, database_url: str, redis_url: str | None, port: int, var_dir: Path, **extra: str
) -> dict:
    # Not this process's metrics directory either (flower_power.metrics exports it): a server
    # started with it would wipe the test suite's counters; it uses var_dir's own. Nor this
    # shell's server and throttle settings: only `extra` sets those.
    own = ("DJANGO_", "PYTEST", "PROMETHEUS_MULTIPROC_DIR", "FLOWER_POWER_METRICS_ROLE",
           "WEB_", "THROTTLE_", "GUNICORN_")
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
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                         connect_timeout=5) as c:
        c.execute(sql)


def flush_redis(redis_url: str) -> None:
    redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()


@contextlib.contextmanager
def fresh_database(db_name: str, redis_url: str) -> Iterator[None]:
    """An empty database and Redis database; both are emptied again at the end (the database
    dropped), even on failure: nothing left behind, such as throttle counters keyed by user
    ids that the next database reuses."""
    admin_sql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {db_name}")
    flush_redis(redis_url)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            flush_redis(redis_url)
        admin_sql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (granian's workers are grandchildren of serve)."""
    found, queue = [], [pid]
    while queue:
        found.append(current := queue.pop())
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(p) for p in (task / "children").read_text().split()]
    return found


def granian_environs(serve_pid: int) -> dict[int, dict[str, str]]:
    """The environment of each granian process (master and workers) under the web command."""
    environs = {}
    for pid in process_tree(serve_pid):
        if b"granian" in Path(f"/proc/{pid}/cmdline").read_bytes():
            text = Path(f"/proc/{pid}/environ").read_text()
            environs[pid] = dict(item.split("=", 1) for item in text.split("\0") if "=" in item)
    return environs


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time of the process and its descendants, with the children each has reaped."""
        total = 0
        for pid in process_tree(self.pid):
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        return total / os.sysconf("SC_CLK_TCK")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:  # refused while starting, or a 502/503 (HTTPError is an OSError)
        return False


@contextlib.contextmanager
def server_process(name: str, argv: list[str], env: dict, *, base: str, ready: str,
                   cwd: Path = ROOT, log: Path | None = None) -> Iterator[Server]:
    """Start a server in its own process group, wait until `ready` answers 200, and stop
    the whole group on the way out (SIGTERM first: the server's own graceful stop). Its
    output goes to `log`, or to a scratch file whose end is printed on failure."""
    with log.open("wb") if log else tempfile.TemporaryFile() as out:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not _answers(base + ready):
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {process.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} was not ready on {ready} within 60 s")
                time.sleep(0.3)
            yield Server(base, process.pid)
        except BaseException:
            out.flush()
            text = log.read_bytes() if log else (out.seek(0), out.read())[1]
            sys.stderr.write(f"--- {name} log (last 3000 chars) ---\n")
            sys.stderr.write(text.decode(errors="replace")[-3000:])
            raise
        finally:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=25)
            with contextlib.suppress(ProcessLookupError):  # whatever of the group is left
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def web_server(env: dict, log: Path | None = None) -> contextlib.AbstractContextManager[Server]:
    """The `web` service's command of docker-compose.yml on env's WEB_BIND."""
    return server_process("web", SERVICES["web"]["command"], env,
                          base=f"http://{env['WEB_BIND']}", ready="/readyz", log=log)


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
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    env = production_env(
        database_url=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        redis_url=redis_url, port=port, var_dir=tmp_path / "var", **extra,
    )
    env.pop("LOG_FORMAT", None)  # production's default, whatever this shell says
    stack = Stack(base=f"http://127.0.0.1:{port}")

    def run_once(argv: list[str]) -> None:
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, f"{argv}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"

    with fresh_database(db_name, redis_url):
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
            while not _answers(stack.base + "/readyz"):
                assert time.monotonic() < deadline, (
                    "the web server never became ready:\n" + stack.logs["web"].read_text()
                )
                time.sleep(0.3)
            yield stack
        finally:
            stack.stop()
