"""HTTP load from a separate process: wrk -t2 -c16, an endpoint at a time, with server CPU."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import Server

CONCURRENCY = 16


@dataclass(frozen=True)
class Scenario:
    label: str
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class Cell:  # one endpoint on one server: a row of the results table
    label: str
    server: Server
    scenario: Scenario


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    server_cpu: float = 0.0  # CPU seconds

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


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


def wrk_available() -> bool:
    """Whether wrk is installed; as root, installs Debian's package when it is not."""
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        for step in (["update", "-q"], ["install", "-y", "-q", "wrk"]):  # lists may be missing
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                subprocess.run(["apt-get", *step], capture_output=True, timeout=300, check=False,
                               env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") is not None


def load(server: Server, scenario: Scenario, token: str, seconds: float) -> Result:
    """Load one endpoint for `seconds` (whole seconds: wrk takes no less) with wrk -t2 -c16."""
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "request.lua"
        script.write_text(WRK_LUA.format(
            method=f"[==[{scenario.method}]==]", authorization=f"[==[Token {token}]==]",
            body=f"[==[{scenario.body.decode()}]==]" if scenario.body else "nil"))
        command = ["wrk", "-c", str(CONCURRENCY), "-t", "2", "-d", f"{max(1, round(seconds))}s",
                   "--latency", "--timeout", "10s", "-s", str(script), server.base + scenario.path]
        server_cpu = server.cpu_seconds()
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                              check=False)
        server_cpu = server.cpu_seconds() - server_cpu
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50_us, p99_us, non_2xx, errors = (int(v) for v in line.split()[1:])
    return Result(requests, duration_us / 1e6, p50_us / 1e3, p99_us / 1e3, non_2xx, errors,
                  server_cpu)


def interleaved(
    cells: list[Cell], token: str, rounds: int, seconds: float, warmup: float,
    before_each: Callable[[], None],
) -> dict[str, list[Result]]:
    """Warm every cell up, then load them in turn, A B C A B C..., `rounds` times."""
    for cell in cells if warmup else []:
        load(cell.server, cell.scenario, token, warmup)
    results: dict[str, list[Result]] = {cell.label: [] for cell in cells}
    for _ in range(rounds):
        for cell in cells:
            before_each()
            results[cell.label].append(load(cell.server, cell.scenario, token, seconds))
    return results
