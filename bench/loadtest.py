"""Load test (`make loadtest`, bench/README.md): simulated trainees and prediction clients
against the production server while a real Celery worker retrains the model; exits 1 if a
check (loadtest_checks.py) fails. Database flower_power_load, Redis database 6."""

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import clients
import common
import loadtest_checks as checks

DB_NAME = "flower_power_load"
# v1 trains with seed 42 (test accuracy 0.933), the retrain with seed 14 (1.0), so the gate
# (at least 0.9, no worse than the active version by more than 0.02) promotes it.
FIRST_SEED, RETRAIN_SEED = 42, 14


def create_accounts(trainees: int, predictors: int) -> tuple[list, list, str]:
    """Trainees, API clients and a manager with tokens (no logins: axes and the auth throttle
    would see 50 logins from one IP)."""
    from django.contrib.auth import get_user_model

    from trainees.services import token_issue, user_create

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"load-trainee-{n:02d}", password="!") for n in range(trainees)]
        + [User(username=f"load-api-{n}", password="!") for n in range(predictors)])
    keys = [token_issue(user=user, name="loadtest")[1] for user in users]
    manager = user_create(username="load-manager", manager=True)
    return keys[:trainees], keys[trainees:], token_issue(user=manager)[1]


def manager(base: str, token: str, args, rec: clients.Recorder, state: dict) -> None:
    """Read the active version, retrain at `promote_at`, poll until the gate decides."""
    client, start_at = clients.JsonClient(base, token), rec.start_at
    time.sleep(max(0.0, start_at - time.time()))
    status, body, _ = rec.call(client, "GET /api/v1/models/active/")
    state["first"] = body["number"] if status == 200 else None
    if args.quick:
        return
    time.sleep(max(0.0, start_at + args.promote_at - time.time()))
    status, body, _ = rec.call(client, "POST /api/v1/models/", {"seed": RETRAIN_SEED})
    if status != 202:
        state["retrain"] = f"POST /api/v1/models/ answered {status}: {body}"
        return
    number = body["version"]["number"]
    while time.time() < start_at + args.seconds:
        time.sleep(0.5)
        status, body, _ = rec.call(client, "GET /api/v1/models/{n}/",
                                   path=f"/api/v1/models/{number}/")
        if status == 200 and body["status"] in ("ready", "rejected", "failed"):
            state["retrain"] = f"v{number} {body['status']}: {body['progress_message']}"
            break
    client.close()


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log_path: Path) -> Iterator[None]:
    """A real Celery worker (one prefork child) on the load test's Redis database."""
    with log_path.open("w") as log:  # its queue, Redis database 6, is empty (fresh_database)
        process = subprocess.Popen(
            [common.PYTHON, "-m", "celery", "-A", "flower_power", "worker", "--pool", "prefork",
             "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", "load@%h"],
            cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while "ready." not in log_path.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Celery worker did not start:\n"
                                       + log_path.read_text()[-3000:])
                time.sleep(0.2)
            yield
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def report(records: list[dict], server_log: Path, seconds: float) -> None:
    """Latencies per endpoint as the clients saw them, with their statuses, then as the
    application timed them (its JSON request log line; the rest is queueing)."""
    seen, routes = defaultdict(list), defaultdict(list)
    for r in records:
        seen[f"POST .../rounds/{{i}}/answer/ {r['kind']}" if r["ep"] == clients.ANSWER
             else r["ep"]].append(r)
    for line in server_log.read_text().splitlines():
        entry = json.loads(line) if line.startswith("{") and '"duration_ms"' in line else {}
        if (entry.get("route") or "").startswith("/api/"):
            route = re.sub(r"<[^>]+>", "{n}", entry["route"])  # <int:session_id>
            routes[f"{entry['method']} {route}"].append({"ms": entry["duration_ms"]})
    for title, groups in (("endpoint (as the clients saw it)", seen),
                          ("route (inside the application)", routes)):
        print(f"\n{title:50} {'count':>7} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}")
        groups["all"] = [r for rows in groups.values() for r in rows]
        for label, rows in sorted(groups.items()):  # "all" sorts after the upper-case verbs
            times = sorted(r["ms"] for r in rows if r["ms"] is not None) or [0]
            statuses = Counter(r["status"] or "no response" for r in rows if "status" in r)
            print(f"{label:50} {len(rows):7,d} {len(rows) / seconds:7.1f}" + "".join(
                f" {times[min(len(times) - 1, int(len(times) * p))]:4.0f} ms"  # nearest rank
                for p in (0.5, 0.95, 0.99))
                + "  " + " ".join(f"{s}:{n}" for s, n in sorted(statuses.items(), key=str)))

def main() -> int:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--promote-at", type=float, help="seconds in (default: half-way)")
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--quick", action="store_true", help="6 trainees, 1 prediction"
                        " client, 1 process, 5 s, no retrain and no worker (CI)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.trainees, args.processes = 5, 6, 1
    predictors = 1 if args.quick else 3
    args.promote_at = args.seconds / 2 if args.promote_at is None else args.promote_at
    # Production rates except for challenges: a simulated trainee answers every 0-200 ms,
    # some 25 times faster than a person, so starts and answers get 25x the defaults
    # (30/min, 120/min); the per-user rate stays 6000/min. A 429 would show in the table.
    env = common.bench_env(db_name=DB_NAME, redis_url="redis://127.0.0.1:6379/6",
                           THROTTLE_USER="6000/min", THROTTLE_STARTS="750/min",
                           THROTTLE_ANSWERS="3000/min")
    print(f"load average {os.getloadavg()[0]:.1f}; {args.trainees} trainees and {predictors}"
          f" prediction clients in {args.processes} processes, {args.seconds:g} s, "
          + ("no retrain" if args.quick else f"retrain at {args.promote_at:g} s"))
    started = time.perf_counter()
    with (common.bench_django(env, ["--seed", str(FIRST_SEED)]),
          tempfile.TemporaryDirectory(prefix="loadtest-") as scratch):
        trainees, predictors, manager_token = create_accounts(args.trainees, predictors)
        worker_log, server_log = Path(scratch) / "worker.log", Path(scratch) / "web.log"
        # INFO: the app's JSON request log line times each request, the worker says "ready."
        server_env = {**env, "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
        with contextlib.ExitStack() as running:
            server = running.enter_context(common.web_server(server_env, server_log))
            if not args.quick:
                running.enter_context(celery_worker(server_env, worker_log))
            rec, state = clients.Recorder(time.time() + 2), {}  # 2 s for the processes to start
            watcher = threading.Thread(target=manager, daemon=True,
                                       args=(server.base, manager_token, args, rec, state))
            watcher.start()
            records = clients.run_processes(
                server.base, [("trainee", t) for t in trainees]
                + [("predictor", t) for t in predictors], {"rounds": [3, 10], "think": 0.2},
                start_at=rec.start_at, seconds=args.seconds, processes=args.processes)
            watcher.join(timeout=30)
        records += rec.records
        print(f"\nLoad: {len(records):,} requests in {args.seconds:g} s,"
              f" {sum(r['status'] == 429 for r in records)} throttled (429); retrain:"
              f" {state.get('retrain', 'no verdict during the run')}")
        report(records, server_log, args.seconds)
        results = {
            "(a) no 5xx": checks.no_server_errors(records),
            "(b) 2xx answers stored exactly once": checks.answers_stored_once(records),
            "(b') replays, second answers, races": checks.replays_and_conflicts(records),
            "(c) scores match rounds": checks.scores_match_rounds(records),
            "(d) versions served were active": checks.versions_served(
                records, rec.start_at, args.seconds, state.get("first"), not args.quick)}
        print()
        for name, (passed, lines) in results.items():
            print(f"{'PASS' if passed else 'FAIL'} {name}: " + "\n     ".join(lines))
        passed = all(passed for passed, _ in results.values())
        if not passed and not args.quick:
            print("\n--- worker log (last 2000 chars) ---\n" + worker_log.read_text()[-2000:])
    print(f"loadtest: {time.perf_counter() - started:.0f} s, {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
