"""Our production server against Seldon MLServer 1.7.1 serving the same LiteRT model.

Trains a model in its own database, gives MLServer its flatbuffer (bench/peers/mlserver/,
installed by `make .venv-mlserver/.installed`), starts both (ours: the compose `web`
command), runs the same wrk phases interleaved, times 10,000-row batches and reads our
workers' RSS. Prints markdown tables and ratios; exits 1 if any response was not 2xx.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common
from clients import JsonClient
from common import Server, free_port, process_tree
from http_load import CONCURRENCY, Cell, Result, Scenario, interleaved, wrk_available

DB_NAME = "flower_power_bench_serving"
REDIS_URL = "redis://127.0.0.1:6379/13"
PEER = common.ROOT / "bench" / "peers" / "mlserver"
MLSERVER = common.ROOT / ".venv-mlserver" / "bin" / "mlserver"
FLOWER = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
TF_PATH = "/site-packages/tensorflow/"  # ai_edge_litert's own libraries live elsewhere

# The bench user's token (printed), and the model's flatbuffer for MLServer.
SETUP_SCRIPT = """
import os
from ml.models import ModelVersion
from trainees.services import token_issue, user_create
print(token_issue(user=user_create(username="bench", display_name="Bench"))[1])
with open(os.environ["BENCH_TFLITE"], "wb") as out:
    out.write(ModelVersion.objects.active().get().tflite)
"""


def v2_body(rows: list[list[float]]) -> dict:
    return {"inputs": [{"name": "input", "shape": [len(rows), 4], "datatype": "FP32",
                        "data": [value for row in rows for value in row]}]}


def batch_rows(count: int) -> list[list[float]]:
    return [[4.3 + (i % 37) / 10, 2.0 + (i % 25) / 10, 1.0 + (i % 60) / 10, 0.1 + (i % 25) / 10]
            for i in range(count)]


def memory(servers: dict[str, Server]) -> dict[str, tuple[float, bool]]:
    """RSS in MB of each process of each server, and whether TensorFlow's libraries are mapped."""
    found = {}
    for label, server in servers.items():
        for pid in process_tree(server.pid):
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                rss = int(status.split("VmRSS:")[1].split()[0]) / 1024
                name = status.split("Name:")[1].split()[0]
                tensorflow = TF_PATH in Path(f"/proc/{pid}/maps").read_text()
                found[f"{label} {name} {pid}"] = (rss, tensorflow)
    return found


def time_batches(pairs: list[tuple[str, str, str, object]], token: str, count: int
                 ) -> dict[str, list[float]]:
    """`count` sequential requests per row, alternating between rows; seconds each."""
    clients = {label: JsonClient(base, token, timeout=60) for label, base, _, _ in pairs}
    times: dict[str, list[float]] = {label: [] for label, *_ in pairs}
    for i in range(count + 1):  # the first of each is a warm-up (new tensor sizes)
        for label, _, path, payload in pairs:
            reply = clients[label].request("POST", path, payload)
            if not 200 <= reply.status < 300:
                raise RuntimeError(f"{label}: HTTP {reply.status} {reply.body[:300]!r}")
            times[label] += [reply.seconds] if i else []
    return times


def main() -> int:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="per phase per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batches", type=int, default=20, help="10,000-row requests per row")
    parser.add_argument("--quick", action="store_true", help="1 round x 2 s, 3 batches (CI)")
    args = parser.parse_args()
    if args.quick:  # CI: that everything runs, not figures
        args.seconds, args.rounds, args.batches = 2, 1, 3
    if not MLSERVER.exists() or not wrk_available():
        print(f"needs {MLSERVER} (`make .venv-mlserver/.installed`) and wrk")
        return 1
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; wrk -t2 -c{CONCURRENCY},"
          f" {args.rounds} rounds x {args.seconds:g} s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch, common.fresh_database(DB_NAME, REDIS_URL):
        folder, port = Path(scratch), free_port()
        env = common.production_env(
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
        token = common.manage({**env, "BENCH_TFLITE": str(folder / "iris" / "iris.tflite")},
                              "shell", "-c", SETUP_SCRIPT).split()[-1]
        with (
            common.web_server(env) as ours,
            common.server_process("MLServer", [str(MLSERVER), "start", str(folder)],
                                  {**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=folder,
                                  base=f"http://127.0.0.1:{settings['http_port']}",
                                  ready="/v2/models/iris/ready") as peer,
        ):
            code = measure(args, ours, peer, token)
    print(f"bench_serving: {time.perf_counter() - started:.0f} s")
    return code


def same_answers(ours: Server, peer: Server, token: str, body: dict) -> None:
    """Both servers must give the same probabilities for the same rows: the same model."""
    answers = [
        {o["name"]: o["data"] for o in JsonClient(server.base, token).request(
            "POST", "/v2/models/iris/infer", body).json()["outputs"]}["probabilities"]
        for server in (ours, peer)]
    if max(abs(a - b) for a, b in zip(*answers, strict=True)) > 1e-4:
        raise RuntimeError(f"the servers disagree: {answers[0][:6]} != {answers[1][:6]}")


def table(title: str, header: str, rows: list[list[str]]) -> None:
    """A markdown table: numbers right-aligned."""
    print(f"\n{title}:\n\n| {header} |\n|---|" + "--:|" * header.count("|"))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def measure(args: argparse.Namespace, ours: Server, peer: Server, token: str) -> int:
    same_answers(ours, peer, token, v2_body(batch_rows(100)))
    one = json.dumps(v2_body([list(FLOWER.values())])).encode()
    hundred = json.dumps(v2_body(batch_rows(100))).encode()
    infer, flower = "/v2/models/iris/infer", json.dumps(FLOWER).encode()
    phases = [  # (label, server, method, path, body, the row of its MLServer counterpart)
        (f"ours POST {infer}", ours, "POST", infer, one, 2),
        ("ours POST /api/v1/predict/", ours, "POST", "/api/v1/predict/", flower, 2),
        (f"MLServer POST {infer}", peer, "POST", infer, one, 2),
        ("ours GET /healthz", ours, "GET", "/healthz", None, 4),
        ("MLServer GET /v2/health/live", peer, "GET", "/v2/health/live", None, 4),
        ("ours GET /api/v1/auth/ping/ (Django)", ours, "GET", "/api/v1/auth/ping/", None, 2),
        (f"ours POST {infer}, 100 rows", ours, "POST", infer, hundred, 7),
        (f"MLServer POST {infer}, 100 rows", peer, "POST", infer, hundred, 7),
    ]
    cells = [Cell(label, server, Scenario(label, method, path, body))
             for label, server, method, path, body, _ in phases]
    against = [phase[-1] for phase in phases]
    flush = lambda: common.flush_redis(REDIS_URL)  # noqa: E731 - throttle history per phase
    results = interleaved(cells, token, args.rounds, args.seconds, 1, before_each=flush)
    bad = sum(r.non_2xx + r.socket_errors for rounds in results.values() for r in rounds)

    def median(label: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in results[label])

    def cpu(rounds: list[Result]) -> float:
        return sum(r.server_cpu for r in rounds) / sum(r.requests for r in rounds) * 1e6

    table("wrk phases, medians of rounds; ratios: ours / MLServer's matching phase",
          "phase | req/s | p50 | p99 | server CPU/req | req/s ratio | p50 ratio | p99 ratio",
          [[cell.label, f"{median(cell.label, 'rate'):,.0f}",
            f"{median(cell.label, 'p50_ms'):.1f} ms", f"{median(cell.label, 'p99_ms'):.1f} ms",
            f"{cpu(results[cell.label]):,.0f} us",
            *(f"{median(cell.label, f) / median(cells[against[i]].label, f):.2f}"
              for f in ("rate", "p50_ms", "p99_ms"))] for i, cell in enumerate(cells)])
    servers = {"ours": ours, "MLServer": peer}
    after_wrk = memory(servers)
    rows = batch_rows(10_000)
    batch = [(f"ours POST {infer}", ours.base, infer, v2_body(rows)),
             ("ours POST /api/v1/predict/", ours.base, "/api/v1/predict/", {"instances": rows}),
             (f"MLServer POST {infer}", peer.base, infer, v2_body(rows))]
    flush()
    times = time_batches(batch, token, args.batches)
    reference = statistics.median(times[batch[2][0]])
    table(f"10,000-row batch, {args.batches} sequential requests each (alternating), request "
          "sent to response read", "endpoint | median | min | max | rows/s | median ratio",
          [[label, *(f"{v * 1e3:.1f} ms" for v in (statistics.median(t), min(t), max(t))),
            f"{10_000 / statistics.median(t):,.0f}", f"{statistics.median(t) / reference:.2f}"]
           for label, t in times.items()])
    table("RSS (goal: each of our web workers under 150 MB, no TensorFlow)",
          "process | after the wrk phases | after the batches | TensorFlow mapped",
          [[process, f"{after_wrk[process][0]:.0f} MB" if process in after_wrk else "-",
            f"{rss:.0f} MB", "yes" if tf else "no"]
           for process, (rss, tf) in memory(servers).items()])
    if bad:
        print(f"\n!! {bad} responses were not 2xx (or failed): the figures above are void")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
