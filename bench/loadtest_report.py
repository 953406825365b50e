"""The load test's report: CPU shares during the run, and latencies per endpoint as the
clients saw them and as gunicorn's access log timed them (from the parsed request to the
response: the difference is the wait for a free worker thread)."""

import re
import resource
import threading
from collections import Counter, defaultdict
from pathlib import Path

import common
from http_load import Server
from loadtest_clients import ANSWER

# Access log lines as "METHOD PATH PROTOCOL|STATUS|MICROSECONDS|<PID>" (gunicorn's %(r)s,
# %(s)s, %(D)s and %(p)s).
ACCESS_LOG_FORMAT = "%(r)s|%(s)s|%(D)s|%(p)s"


class BackendsCpu:
    """CPU time of the database's backends, sampled every half second, so that backends
    closed during the run (CONN_MAX_AGE is 60 s) keep what they used until the last sample."""

    def __init__(self, db_name: str) -> None:
        self.db_name = db_name
        self.seen: dict[int, float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.stopped.wait(0.5):
            self.seen.update(common.postgres_backends_cpu(self.db_name))

    def __call__(self) -> float:
        self.seen.update(common.postgres_backends_cpu(self.db_name))
        return sum(self.seen.values())


def cpu_meters(server: Server, worker: Server, db_name: str) -> dict:
    def clients() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    return {
        "gunicorn": server.cpu_seconds,
        "PostgreSQL": BackendsCpu(db_name),
        "Celery worker": worker.cpu_seconds,
        "load clients": clients,
        "machine": lambda: common.machine_cpu_seconds()[0],
        "capacity": lambda: common.machine_cpu_seconds()[1],
    }


def print_cpu(cpu: dict[str, float], seconds: float) -> None:
    """Where the machine's CPU went during the run: saturation explains the latencies."""
    capacity = cpu.pop("capacity")
    machine = cpu.pop("machine")
    ours = sum(cpu.values())
    print(
        f"CPU during the run ({capacity / seconds:.1f} cores): "
        + ", ".join(f"{name} {value / capacity:.0%}" for name, value in cpu.items())
        + f", everything else {(machine - ours) / capacity:.0%}, idle {1 - machine / capacity:.0%}"
    )


def _label(record: dict) -> str:
    if record["ep"] == ANSWER:
        return f"POST .../rounds/{{i}}/answer/ {record['kind']}"
    return record["ep"]


def _row(label: str, count: int, seconds: float, times: list[float], statuses: str) -> str:
    return (
        f"{label:50} {count:7,d} {count / seconds:7.1f}"
        + "".join(f" {common.percentile(times, p):4.0f} ms" for p in (0.5, 0.95, 0.99))
        + f"  {statuses}"
    )


def print_table(records: list[dict], seconds: float) -> None:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        groups[_label(record)].append(record)
    print(
        f"\n{'endpoint (as the clients saw it)':50} {'count':>7} {'req/s':>7} {'p50':>7}"
        f" {'p95':>7} {'p99':>7}  statuses"
    )
    for label, group in [*sorted(groups.items()), ("all", records)]:
        times = sorted(r["ms"] for r in group if r["ms"] is not None)
        statuses = Counter(r["status"] or "no response" for r in group)
        print(_row(label, len(group), seconds, times,
                   " ".join(f"{s}:{n}" for s, n in sorted(statuses.items(), key=str))))


def print_server_table(access_log: Path, seconds: float) -> None:
    """The same requests timed inside gunicorn, by route."""
    groups: dict[str, list[float]] = defaultdict(list)
    workers: Counter[str] = Counter()
    for line in access_log.read_text().splitlines():
        request, _, micros, pid = line.rsplit("|", 3)
        method, path = request.split()[:2]
        if path.startswith("/api/"):
            route = re.sub(r"/\d+", "/{n}", path.split("?")[0])
            groups[f"{method} {route}"].append(int(micros) / 1e3)
            workers[pid] += 1
    print(f"\n{'route (inside gunicorn: request parsed to response)':50} {'count':>7}"
          f" {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}")
    for label, times in [*sorted(groups.items()),
                         ("all", [t for ts in groups.values() for t in ts])]:
        print(_row(label, len(times), seconds, sorted(times), "").rstrip())
    # Keep-alive connections stay with the worker that accepted them: an uneven split
    # queues requests behind one worker's threads while another worker idles.
    total = sum(workers.values())
    print("requests per gunicorn worker: "
          + ", ".join(f"{n / total:.0%}" for _, n in workers.most_common()))
