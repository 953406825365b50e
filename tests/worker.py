"""A real Celery worker process on the Redis broker, against the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def child_process_env(**extra) -> dict:
    """Environment for a child process that must see the test database pytest created."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "flower_power.settings_test",
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class Worker:
    def __init__(self, log_path: Path, **env) -> None:
        self.log_path = log_path
        self.env = child_process_env(**env)
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        celery = [sys.executable, "-m", "celery", "-A", "flower_power"]
        # A queue left over from an earlier run must not be consumed by this worker.
        subprocess.run([*celery, "purge", "-f"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, timeout=60)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [*celery, "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "test@%h"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("the Celery worker did not start:\n" + self.log_path.read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()
