"""Our production server against Seldon MLServer 1.7.1 serving the same LiteRT model.

Self-contained: creates the database flower_power_bench_serving (Redis database 13), trains
the model, writes its LiteRT flatbuffer into a model folder for MLServer (the runtime and
settings in bench/peers/mlserver/, installed by `make .venv-mlserver/.installed`), starts
MLServer and our server with the `web` command of docker-compose.yml, gets a token over
HTTP, then loads the two side by side with wrk phases interleaved round by round, times a
10,000-row batch on each, and reads the RSS of our web processes. Prints markdown tables
and ratios; exits 1 if any response was not 2xx. Asserts nothing about speed.

Run from the repository root: `.venv/bin/python bench/bench_serving.py [--quick]`.
Stops both servers and drops the database even on failure or Ctrl-C.
"""

import argparse
import contextlib
import json
import os
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import common
import yaml
from http_client import JsonClient
from http_load import CONCURRENCY, Cell, Result, Scenario, Server, interleaved, wrk_available
from http_load import _free_port as free_port

sys.path.insert(0, str(common.ROOT))
from tests.production import production_env  # the env the containers run with

DB_NAME = "flower_power_bench_serving"
REDIS_URL = "redis://127.0.0.1:6379/13"
PEER = common.ROOT / "bench" / "peers" / "mlserver"
MLSERVER = common.ROOT / ".venv-mlserver" / "bin" / "mlserver"
FLOWER = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
TF_PATH = "/site-packages/tensorflow/"  # ai_edge_litert's own libraries live elsewhere

SETUP_SCRIPT = """
import os
from ml.models import ModelVersion
from trainees.services import user_create
user_create(username="bench", password=os.environ["BENCH_PASSWORD"], display_name="Bench")
with open(os.environ["BENCH_TFLITE"], "wb") as out:
    out.write(ModelVersion.objects.get(is_active=True).tflite)
"""


def v2_body(rows: list[list[float]]) -> dict:
    data = [value for row in rows for value in row]
    return {"inputs": [{"name": "input", "shape": [len(rows), 4], "datatype": "FP32",
                        "data": data}]}


def batch_rows(count: int) -> list[list[float]]:
    return [[4.3 + (i % 37) / 10, 2.0 + (i % 25) / 10, 1.0 + (i % 60) / 10, 0.1 + (i % 25) / 10]
            for i in range(count)]


@contextlib.contextmanager
def serving(name: str, argv: list[str], env: dict, cwd: Path, base: str, ready: str
            ) -> Iterator[Server]:
    """Start a server in its own process group; stop the whole group on the way out."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {process.returncode}")
                with (contextlib.suppress(OSError),
                      urllib.request.urlopen(base + ready, timeout=2) as response):
                    if response.status == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} was not ready on {ready} within 60 s")
                time.sleep(0.3)
            yield ProcessTree(base, process.pid)
        except BaseException:
            log.seek(0)
            sys.stderr.write(f"--- {name} log (last 3000 chars) ---\n")
            sys.stderr.write(log.read().decode(errors="replace")[-3000:])
            raise
        finally:
            process.send_signal(signal.SIGTERM)  # the server's own graceful stop
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=25)
            with contextlib.suppress(ProcessLookupError):  # whatever of the group is left
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class ProcessTree(Server):
    def cpu_seconds(self) -> float:
        """CPU time of the server and all its descendants (granian's workers are grandchildren),
        with the children each has reaped."""
        total = 0
        for pid in processes(self.pid):
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        return total / os.sysconf("SC_CLK_TCK")


def web_command() -> list[str]:
    command = yaml.safe_load((common.ROOT / "docker-compose.yml").read_text())
    command = command["services"]["web"]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def processes(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, queue = [], [pid]
    while queue:
        found.append(current := queue.pop())
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(p) for p in (task / "children").read_text().split()]
    return found


def memory(servers: dict[str, Server]) -> dict[str, tuple[float, bool]]:
    """Per process of each server: RSS in MB, and whether TensorFlow's libraries are mapped."""
    found = {}
    for label, server in servers.items():
        for pid in processes(server.pid):
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                rss = next(int(line.split()[1]) for line in status.splitlines()
                           if line.startswith("VmRSS:"))
                name = Path(f"/proc/{pid}/comm").read_text().strip()
                parent = next(line.split()[1] for line in status.splitlines()
                              if line.startswith("PPid:"))
                role = "main" if pid == server.pid else f"child of {parent}"
                found[f"{label} {name} {pid} ({role})"] = (
                    rss / 1024, TF_PATH in Path(f"/proc/{pid}/maps").read_text())
    return found


def time_batches(pairs: list[tuple[str, str, str, object]], token: str, count: int
                 ) -> dict[str, list[float]]:
    """`count` sequential requests per row, alternating between rows; seconds each."""
    clients = {label: JsonClient(base, token, timeout=60) for label, base, _, _ in pairs}
    times: dict[str, list[float]] = {label: [] for label, *_ in pairs}
    for i in range(count + 1):
        for label, _, path, payload in pairs:
            reply = clients[label].request("POST", path, payload)
            if not 200 <= reply.status < 300:
                raise RuntimeError(f"{label}: HTTP {reply.status} {reply.body[:300]!r}")
            if i:  # the first of each is a warm-up (a new batch size reallocates tensors)
                times[label].append(reply.seconds)
    return times


def main() -> int:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="per phase per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batches", type=int, default=20, help="10,000-row requests per row")
    parser.add_argument("--quick", action="store_true", help="1 round x 2 s, 3 batches (CI)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.batches = 2, 1, 3
    if not MLSERVER.exists():
        print(f"{MLSERVER} is missing: run `make .venv-mlserver/.installed`")
        return 1
    if not wrk_available():
        print("wrk is missing (apt-get install wrk)")
        return 1
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f};"
          f" wrk -t2 -c{CONCURRENCY}, {args.rounds} interleaved rounds x {args.seconds:g} s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch, common.bench_database(DB_NAME, REDIS_URL):
        folder, port = Path(scratch), free_port()
        env = production_env(
            database_url=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", redis_url=REDIS_URL,
            port=port, var_dir=folder / "var", WEB_CONCURRENCY="2", LOG_LEVEL="WARNING",
            THROTTLE_USER="1000000/min", THROTTLE_ROWS="1000000000/min",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        common.prepare_model(env)
        # MLServer's model folder: its settings (on free ports), the runtime, our flatbuffer.
        settings = json.loads((PEER / "settings.json").read_text())
        settings.update(http_port=free_port(), grpc_port=free_port())
        (folder / "settings.json").write_text(json.dumps(settings))
        (folder / "iris").mkdir()
        for name in ("model-settings.json", "runtime.py"):
            (folder / "iris" / name).write_bytes((PEER / name).read_bytes())
        password = secrets.token_urlsafe(16)
        common.manage({**env, "BENCH_PASSWORD": password,
                       "BENCH_TFLITE": str(folder / "iris" / "iris.tflite")},
                      "shell", "-c", SETUP_SCRIPT)
        command = web_command()
        print(f"our server: {shlex.join(command)} (WEB_CONCURRENCY={env['WEB_CONCURRENCY']})")
        with (
            serving("our server", command, env, common.ROOT, f"http://127.0.0.1:{port}",
                    "/readyz") as ours,
            serving("MLServer", [str(MLSERVER), "start", str(folder)],
                    {**os.environ, "PYTHONUNBUFFERED": "1"}, folder,
                    f"http://127.0.0.1:{settings['http_port']}", "/v2/models/iris/ready") as peer,
        ):
            login = JsonClient(ours.base).request(
                "POST", "/api/v1/auth/token/", {"username": "bench", "password": password})
            if login.status != 200:
                raise RuntimeError(f"token: HTTP {login.status} {login.body[:300]!r}")
            code = measure(args, ours, peer, login.json()["token"])
    print(f"bench_serving: {time.perf_counter() - started:.0f} s")
    return code


def same_answers(ours: Server, peer: Server, token: str, body: dict) -> None:
    """Both servers must give the same probabilities for the same rows: the same model."""
    answers = []
    for server in (ours, peer):
        reply = JsonClient(server.base, token).request("POST", "/v2/models/iris/infer", body)
        outputs = {output["name"]: output["data"] for output in reply.json()["outputs"]}
        answers.append(outputs["probabilities"])
    if max(abs(a - b) for a, b in zip(*answers, strict=True)) > 1e-4:
        raise RuntimeError(f"the servers disagree: {answers[0][:6]} != {answers[1][:6]}")


def measure(args: argparse.Namespace, ours: Server, peer: Server, token: str) -> int:
    same_answers(ours, peer, token, v2_body(batch_rows(100)))
    one = json.dumps(v2_body([list(FLOWER.values())])).encode()
    infer = Scenario("POST /v2/models/iris/infer", "POST", "/v2/models/iris/infer", one)
    cells = [
        Cell(f"ours {infer.label}", ours, infer),
        Cell("ours POST /api/v1/predict/", ours,
             Scenario("", "POST", "/api/v1/predict/", json.dumps(FLOWER).encode())),
        Cell(f"MLServer {infer.label}", peer, infer),
        Cell("ours GET /healthz", ours, Scenario("", "GET", "/healthz")),
        Cell("MLServer GET /v2/health/live", peer, Scenario("", "GET", "/v2/health/live")),
    ]
    flush = lambda: common.flush_redis(REDIS_URL)  # noqa: E731 - throttle history per phase
    results = interleaved(cells, token, args.rounds, args.seconds, 1, True, before_each=flush)
    against = [2, 2, 2, 4, 4]  # each row's MLServer counterpart in `cells`
    bad = sum(r.non_2xx + r.socket_errors for rounds in results.values() for r in rounds)

    def median(label: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in results[label])

    def cpu(rounds: list[Result]) -> float:
        return sum(r.server_cpu for r in rounds) / sum(r.requests for r in rounds) * 1e6

    print("\nwrk phases, medians of rounds; ratios: ours / MLServer's matching phase\n")
    print("| phase | req/s | p50 | p99 | server CPU/req | req/s ratio | p50 ratio | p99 ratio |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for i, cell in enumerate(cells):
        ref = cells[against[i]].label
        print(
            f"| {cell.label} | {median(cell.label, 'rate'):,.0f}"
            f" | {median(cell.label, 'p50_ms'):.1f} ms | {median(cell.label, 'p99_ms'):.1f} ms"
            f" | {cpu(results[cell.label]):,.0f} us"
            + "".join(f" | {median(cell.label, f) / median(ref, f):.2f}"
                      for f in ("rate", "p50_ms", "p99_ms")) + " |"
        )
    servers = {"ours": ours, "MLServer": peer}
    after_wrk = memory(servers)
    rows = batch_rows(10_000)
    batch = [
        ("ours POST /v2/models/iris/infer", ours.base, "/v2/models/iris/infer", v2_body(rows)),
        ("ours POST /api/v1/predict/", ours.base, "/api/v1/predict/", {"instances": rows}),
        ("MLServer POST /v2/models/iris/infer", peer.base, "/v2/models/iris/infer",
         v2_body(rows)),
    ]
    flush()
    times = time_batches(batch, token, args.batches)
    reference = statistics.median(times[batch[2][0]])
    print(f"\n10,000-row batch, {args.batches} sequential requests each (alternating),"
          " request sent to response read:\n")
    print("| endpoint | median | min | max | rows/s | median ratio |")
    print("|---|--:|--:|--:|--:|--:|")
    for label, seconds in times.items():
        mid = statistics.median(seconds)
        print(f"| {label} | {mid * 1e3:.1f} ms | {min(seconds) * 1e3:.1f} ms"
              f" | {max(seconds) * 1e3:.1f} ms | {10_000 / mid:,.0f} | {mid / reference:.2f} |")
    print("\nRSS (goal: each of our web workers under 150 MB, no TensorFlow):\n")
    print("| process | after the wrk phases | after the batches | TensorFlow mapped |")
    print("|---|--:|--:|---|")
    for process, (rss, tf) in memory(servers).items():
        before = f"{after_wrk[process][0]:.0f} MB" if process in after_wrk else "-"
        print(f"| {process} | {before} | {rss:.0f} MB | {'yes' if tf else 'no'} |")
    if bad:
        print(f"\n!! {bad} responses were not 2xx (or failed): the figures above are void")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
