"""Benchmark the scoreboard as trainees accumulate history, and answer throughput over HTTP.

Self-contained: creates the database flower_power_bench_scoreboard (dropped at the end, even
on failure) and uses Redis database 5. Seeds 10, then 50, then 100 trainees with 100
challenges of 10 rounds each (bulk inserts) and, at each size, times the selector
`challenges.selectors.scoreboard` and the view through Django's test client (a cold compute,
the cached body, a 304 for If-None-Match) and counts their queries, which must not grow with
the number of trainees. Then gunicorn answers challenge rounds for 16 concurrent trainees,
interleaved with GET /api/v1/auth/ping/ at the same concurrency as the baseline.

Run from the repository root: `.venv/bin/python bench/bench_scoreboard.py` (`--help`).
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import common
from http_load import Server, gunicorn

DB_NAME = "flower_power_bench_scoreboard"
REDIS_URL = "redis://127.0.0.1:6379/5"
SIZES = (10, 50, 100)
PERIODS = ("all", "30d", "7d")
CLIENTS = 16
LOAD_SCRIPT = Path(__file__).with_name("answer_load.py")


def _timed(call, repeat: int, before=None) -> tuple[float, int]:
    """Median seconds of `repeat` calls (each after an untimed `before`) and queries per call."""
    from django.db import connection

    # Counted with an execute wrapper, not CaptureQueriesContext: the test client's
    # request_started signal resets the query log that the latter reads.
    queries = []
    if before:
        before()
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        call()
    times = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def _query_breakdown(period: str, repeat: int) -> str:
    """Median milliseconds of each of the selector's queries, named by what they compute."""
    from django.db import connection

    from challenges import selectors

    times: dict[str, list[float]] = {}

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            name = (
                "streaks (window functions)" if "ROW_NUMBER" in sql
                else "rounds per trainee" if "challengeround" in sql
                else "sessions per trainee"
            )
            times.setdefault(name, []).append(time.perf_counter() - started)

    with connection.execute_wrapper(timer):
        for _ in range(repeat):
            selectors.scoreboard(period=period)
    return ", ".join(f"{n} {statistics.median(t) * 1e3:.0f} ms" for n, t in times.items())


def _viewer_client():
    """A test client for a staff account: it may read the scoreboard but is not on it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from trainees.services import token_issue

    user = get_user_model().objects.create(username="bench-viewer", is_staff=True)
    return Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, name='bench')[1]}")


def measure_size(client, period: str, trainees: int, repeat: int) -> dict[str, tuple]:
    from challenges import selectors, services

    url = f"/api/v1/scoreboard/?period={period}"
    board = selectors.scoreboard(period=period)
    if len(board["trainees"]) != trainees:
        raise RuntimeError(f"the scoreboard has {len(board['trainees'])} rows, not {trainees}")

    def get(expected: int, headers: dict | None = None) -> object:
        response = client.get(url, headers=headers)
        if response.status_code != expected:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not {expected}")
        return response

    results = {"selector": _timed(lambda: selectors.scoreboard(period=period), repeat)}
    from django.test import override_settings

    # A recompute after every change: without the few seconds of staleness the view allows
    # while answers come in (SCOREBOARD_MAX_STALENESS_SECONDS).
    with override_settings(SCOREBOARD_MAX_STALENESS_SECONDS=0):
        results["view cold"] = _timed(
            lambda: get(200), repeat, before=services.scoreboard_changed
        )
    get(200)
    results["view cached"] = _timed(lambda: get(200), repeat * 10)
    etag = get(200)["ETag"]
    results["view 304"] = _timed(lambda: get(304, {"If-None-Match": etag}), repeat * 10)
    return results


def scoreboard_bench(sessions: int, rounds: int, repeat: int) -> None:
    from scoreboard_seed import seed_trainees

    rng = random.Random(7)  # noqa: S311 - repeatable data, not secrets
    client = _viewer_client()
    columns = ("selector", "view cold", "view cached", "view 304")
    print(
        f"\nScoreboard: {sessions} sessions x {rounds} rounds per trainee over 60 days;"
        f" median of {repeat} calls ({repeat * 10} for cached and 304), queries per call"
    )
    print(f"  {'trainees':>8} {'rounds':>8} {'period':>6}" + "".join(f"{c:>18}" for c in columns))
    queries: dict[str, set[int]] = {c: set() for c in columns}
    selector_ms: dict[int, float] = {}
    seeded = 0
    for size in SIZES:
        started = time.perf_counter()
        made_sessions, made_rounds = seed_trainees(
            first=seeded + 1, count=size - seeded, sessions=sessions, rounds=rounds, rng=rng
        )
        print(
            f"  (seeded {size - seeded} more trainees:"
            f" {made_sessions:,} sessions, {made_rounds:,} rounds in"
            f" {time.perf_counter() - started:.1f} s)"
        )
        seeded = size
        _analyze()
        for period in PERIODS:
            results = measure_size(client, period, size, repeat)
            for column, (_, count) in results.items():
                queries[column].add(count)
            if period == "all":
                selector_ms[size] = results["selector"][0] * 1e3
            print(
                f"  {size:8d} {size * sessions * rounds:8,d} {period:>6}"
                + "".join(f"{s * 1e3:10.2f} ms {q:2d} q" for s, q in results.values())
            )
    constant = all(len(counts) == 1 for counts in queries.values())
    print(
        "  -> queries per call at " + "/".join(map(str, SIZES)) + " trainees: "
        + ", ".join(f"{c} {'/'.join(map(str, sorted(q)))}" for c, q in queries.items())
        + (": the same at every size (no N+1)" if constant else "  !! GROWS with trainees")
    )
    print(
        f"  -> selector, period all: {selector_ms[SIZES[-1]] / selector_ms[SIZES[0]]:.1f}x the"
        f" time for {SIZES[-1] // SIZES[0]}x the trainees and rounds; its queries at"
        f" {SIZES[-1]} trainees: {_query_breakdown('all', repeat)}"
    )


def _analyze() -> None:
    # Fresh planner statistics after a bulk load, as autovacuum would give soon after.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Answer throughput over HTTP


def _load(server: Server, mode: str, tokens: list[str], seconds: float, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch) / "spec.json"
        spec.write_text(json.dumps({
            "base": server.base, "tokens": tokens, "mode": mode, "seconds": seconds,
            "rounds": rounds,
        }))
        cpu = (server.cpu_seconds(), _children_cpu(), common.postgres_cpu_seconds(DB_NAME))
        done = subprocess.run(
            [common.PYTHON, str(LOAD_SCRIPT), str(spec)], cwd=common.ROOT, capture_output=True,
            text=True, timeout=seconds + 120, check=False,
        )
    if done.returncode:
        raise RuntimeError(f"the load generator failed: {done.stdout}{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu"] = server.cpu_seconds() - cpu[0]
    result["client_cpu"] = _children_cpu() - cpu[1]
    result["db_cpu"] = common.postgres_cpu_seconds(DB_NAME) - cpu[2]
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def throughput_bench(env: dict[str, str], rounds: int, seconds: float, challenge: int) -> None:
    from scoreboard_seed import enough_test_flowers, player_tokens

    tokens = player_tokens(CLIENTS)
    added = enough_test_flowers(challenge)
    rows = {
        f"POST .../rounds/{{i}}/answer/ ({challenge}-round challenges)": "answers",
        "GET  /api/v1/auth/ping/": "ping",
    }
    results: dict[str, list[dict]] = {label: [] for label in rows}
    with gunicorn(env) as server:
        for mode in rows.values():  # warm up: connections, imports, the LiteRT interpreter
            _load(server, mode, tokens, 1, challenge)
        for _ in range(rounds):
            for label, mode in rows.items():
                common.flush_redis(REDIS_URL)  # every row from an empty throttle history
                results[label].append(_load(server, mode, tokens, seconds, challenge))
    print(
        f"\nAnswer throughput: gunicorn (flower_power/gunicorn.conf.py defaults), {CLIENTS}"
        f" clients each its own trainee, {rounds} interleaved rounds x {seconds:g} s per row;"
        " medians of rounds"
    )
    print(
        f"  {'':50} {'req/s':>6} {'rounds':>9} {'p50':>8} {'p99':>8}"
        f"  {'CPU/request: gunicorn':>21} {'PostgreSQL':>10} {'load gen':>8} {'non-2xx':>7}"
    )
    rates = {}
    for label, runs in results.items():
        rate = [r["requests"] / r["seconds"] for r in runs]
        rates[label] = statistics.median(rate)
        # Answers' CPU includes the challenge starts between them (one per `challenge`).
        handled = max(1, sum(r["requests"] + r["starts"] for r in runs))
        bad = sum(r["non_2xx"] + r["errors"] for r in runs)
        print(
            f"  {label:50} {rates[label]:6.0f} {f'{min(rate):.0f}-{max(rate):.0f}':>9}"
            f" {statistics.median(r['p50_ms'] for r in runs):5.1f} ms"
            f" {statistics.median(r['p99_ms'] for r in runs):5.0f} ms"
            f"  {sum(r['server_cpu'] for r in runs) / handled * 1e6:18.0f} us"
            f" {sum(r['db_cpu'] for r in runs) / handled * 1e6:7.0f} us"
            f" {sum(r['client_cpu'] for r in runs) / handled * 1e6:5.0f} us {bad:7d}"
        )
        if bad:
            statuses: dict[str, int] = {}
            for run in runs:
                for status, n in run["statuses"].items():
                    statuses[status] = statuses.get(status, 0) + n
            print(f"  !! {label}: statuses {statuses}, transport errors "
                  f"{sum(r['errors'] for r in runs)}")
    answers, ping = rates.values()
    starts = sum(r["starts"] for r in next(iter(results.values())))
    print(f"  -> answers / ping throughput: {answers / ping:.2f} ({starts} challenges started)")
    if added:
        print(f"  ({added} jittered copies of shipped flowers added first: {challenge} rounds"
              " need as many test flowers, the shipped data has 30)")


def main() -> None:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100, help="per trainee")
    parser.add_argument("--rounds", type=int, default=10, help="per session")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per cell")
    parser.add_argument("--load-rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5, help="per load row per round")
    parser.add_argument("--challenge", type=int, default=50, help="rounds per challenge")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    env = common.bench_env(
        db_name=DB_NAME, redis_url=REDIS_URL, ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        THROTTLE_ANSWERS="1000000/min", THROTTLE_STARTS="1000000/min",
    )
    started = time.perf_counter()
    with common.bench_database(DB_NAME, REDIS_URL):
        common.prepare_model(env)
        common.django_setup(env)
        scoreboard_bench(args.sessions, args.rounds, args.repeat)
        throughput_bench(env, args.load_rounds, args.seconds, args.challenge)
        from django.db import connections

        connections.close_all()
    print(f"bench_scoreboard: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
