"""Serve with gunicorn and load from a separate process: the HTTP half of bench_http.py.

Run as a script, this file is the fallback load generator (when wrk is missing).
"""

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from common import PYTHON, ROOT

CONCURRENCY = 16


@dataclass(frozen=True)
class Scenario:
    label: str
    method: str
    path: str
    body: bytes | None = None


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    server_cpu: float = 0.0  # CPU seconds used by gunicorn (master and workers)
    client_cpu: float = 0.0  # CPU seconds used by the load generator

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


# --- gunicorn


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time of the master, its live workers and the workers it has reaped."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        pids = [self.pid]
        with contextlib.suppress(OSError):
            pids += [int(p) for p in Path(f"/proc/{self.pid}/task/{self.pid}/children")
                     .read_text().split()]
        for pid in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                # utime, stime, cutime, cstime: fields 14-17 of proc(5), after "pid (comm)".
                total += sum(int(v) for v in fields[11:15])
        return total / ticks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], workers: int | None = None, threads: int | None = None,
    app: str = "flower_power.wsgi",
) -> Iterator[Server]:
    """Run gunicorn with the production config on a free port."""
    port = _free_port()
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers:
        server_env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        server_env["GUNICORN_THREADS"] = str(threads)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            # No control socket: its default path is shared by every gunicorn on the machine.
            [str(Path(PYTHON).with_name("gunicorn")), "-c", "flower_power/gunicorn.conf.py",
             "--no-control-socket", "--pythonpath", "bench", app],
            cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield Server(_wait_healthy(process, f"http://127.0.0.1:{port}"), process.pid)
        except BaseException:
            log.seek(0)
            sys.stderr.write("--- gunicorn log (last 3000 chars) ---\n")
            sys.stderr.write(log.read().decode(errors="replace")[-3000:])
            raise
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def _wait_healthy(process: subprocess.Popen, base: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return base
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 30 s") from None
            time.sleep(0.2)


@dataclass(frozen=True)
class Cell:
    """One endpoint on one server: a row of the results table."""

    label: str
    server: Server
    scenario: Scenario


# --- Load generation: wrk, else a Python process with keep-alive connections

WRK_LUA = """
wrk.method = {method}
wrk.body = {body}
wrk.headers["Authorization"] = {authorization}
wrk.headers["Content-Type"] = "application/json"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), bad_total,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def _parse_bench_line(output: str) -> Result:
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50_us, p99_us, non_2xx, errors = (int(v) for v in line.split()[1:])
    return Result(requests, duration_us / 1e6, p50_us / 1e3, p99_us / 1e3, non_2xx, errors)


def wrk_available() -> bool:
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  wrk is missing: apt-get install -y wrk")
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(
                ["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, timeout=180,
                check=False, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
    return shutil.which("wrk") is not None


def load(
    server: Server, scenario: Scenario, token: str, seconds: float, use_wrk: bool
) -> Result:
    """Load one endpoint for `seconds` from a separate process at concurrency 16."""
    base = server.base
    with tempfile.TemporaryDirectory() as scratch:
        if use_wrk:
            script = Path(scratch) / "request.lua"
            script.write_text(WRK_LUA.format(
                method=_lua_string(scenario.method),
                body=_lua_string(scenario.body.decode()) if scenario.body else "nil",
                authorization=_lua_string(f"Token {token}"),
            ))
            command = [
                # wrk takes whole seconds only.
                "wrk", "-c", str(CONCURRENCY), "-t", "2", "-d", f"{max(1, round(seconds))}s",
                "--latency", "--timeout", "10s", "-s", str(script), base + scenario.path,
            ]
        else:
            spec = Path(scratch) / "spec.json"
            spec.write_text(json.dumps({
                "url": base + scenario.path, "method": scenario.method, "token": token,
                "body": scenario.body.decode() if scenario.body else None, "seconds": seconds,
            }))
            command = [PYTHON, __file__, str(spec)]
        server_cpu = server.cpu_seconds()
        client_cpu = _children_cpu_seconds()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        client_cpu = _children_cpu_seconds() - client_cpu
        server_cpu = server.cpu_seconds() - server_cpu
    if done.returncode:
        raise RuntimeError(f"load generator failed: {done.stdout}{done.stderr}")
    result = _parse_bench_line(done.stdout)
    result.server_cpu, result.client_cpu = server_cpu, client_cpu
    return result


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def python_load_worker(spec_path: str) -> None:
    """The fallback load generator: 16 threads, each with its own keep-alive connection."""
    import http.client
    from urllib.parse import urlsplit

    spec = json.loads(Path(spec_path).read_text())
    url = urlsplit(spec["url"])
    body = spec["body"].encode() if spec["body"] else None
    headers = {"Authorization": f"Token {spec['token']}", "Content-Type": "application/json"}
    latencies: list[float] = []
    counts = {"non_2xx": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + spec["seconds"]

    def work() -> None:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        mine, non_2xx, errors = [], 0, 0
        while (started := time.perf_counter()) < deadline:
            try:
                connection.request(spec["method"], url.path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                non_2xx += not 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            counts["non_2xx"] += non_2xx
            counts["errors"] += errors

    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(CONCURRENCY)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    duration = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1e6)

    print(
        f"BENCH {len(latencies)} {int(duration * 1e6)} {percentile(0.5)} {percentile(0.99)}"
        f" {counts['non_2xx']} {counts['errors']}"
    )


def interleaved(
    cells: list[Cell], token: str, rounds: int, seconds: float, warmup: float, use_wrk: bool,
    before_each: Callable[[], None],
) -> dict[str, list[Result]]:
    """Warm every cell up, then load them in turn, A B C A B C..., `rounds` times."""
    for cell in cells:
        load(cell.server, cell.scenario, token, warmup, use_wrk)
    results: dict[str, list[Result]] = {cell.label: [] for cell in cells}
    for _ in range(rounds):
        for cell in cells:
            before_each()
            results[cell.label].append(
                load(cell.server, cell.scenario, token, seconds, use_wrk)
            )
    return results


if __name__ == "__main__":
    python_load_worker(sys.argv[1])
