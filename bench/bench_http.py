"""Benchmark POST /api/v1/predict/ over HTTP against a trivial authenticated view.

Self-contained: creates the database flower_power_bench on the local PostgreSQL, trains a
model, starts gunicorn (flower_power/gunicorn.conf.py) on 127.0.0.1 and loads it from a
separate process (wrk, else a Python load generator) at concurrency 16, interleaving the
endpoints round by round. Then it profiles single requests in-process to show where the
time goes. Prints figures and ratios; asserts nothing about speed.

Run from the repository root: `.venv/bin/python bench/bench_http.py` (`--help` for the
worker sweep and other options). Drops the database and stops gunicorn even on failure.
"""

import argparse
import contextlib
import json
import os
import random
import statistics
import time

import common
from http_load import (
    CONCURRENCY,
    Cell,
    Result,
    Scenario,
    gunicorn,
    interleaved,
    wrk_available,
)
from http_profile import profile

DB_NAME = "flower_power_bench"
REDIS_URL = "redis://127.0.0.1:6379/3"

FLOWER = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}


def _batch(rows: int) -> dict:
    rng = random.Random(0)  # noqa: S311 - repeatable sample flowers, not a secret
    low, high = (4.3, 2.0, 1.0, 0.1), (7.9, 4.4, 6.9, 2.5)
    return {
        "instances": [
            [round(rng.uniform(a, b), 1) for a, b in zip(low, high, strict=True)]
            for _ in range(rows)
        ]
    }


SCENARIOS = [
    Scenario("GET  /api/v1/auth/ping/", "GET", "/api/v1/auth/ping/"),
    Scenario(
        "POST /api/v1/predict/ 1 flower", "POST", "/api/v1/predict/", json.dumps(FLOWER).encode()
    ),
    Scenario(
        "POST /api/v1/predict/ 100 rows", "POST", "/api/v1/predict/",
        json.dumps(_batch(100)).encode(),
    ),
]


def bench_env() -> dict[str, str]:
    return common.bench_env(db_name=DB_NAME, redis_url=REDIS_URL)


def _flush_redis() -> None:
    common.flush_redis(REDIS_URL)


def bench_database() -> contextlib.AbstractContextManager[None]:
    return common.bench_database(DB_NAME, REDIS_URL)


TOKEN_SCRIPT = """
from django.contrib.auth import get_user_model
from trainees.services import token_issue
user, _ = get_user_model().objects.get_or_create(username="bench", display_name="Bench")
print("TOKEN=" + token_issue(user=user, name="bench")[1])
"""


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the flowers, train the first model; return an API token."""
    common.prepare_model(env)
    output = common.manage(env, "shell", "-c", TOKEN_SCRIPT)
    return next(line[6:] for line in output.splitlines() if line.startswith("TOKEN="))


def _median(results: list[Result], field: str) -> float:
    return statistics.median(getattr(r, field) for r in results)


def print_http_table(title: str, results: dict[str, list[Result]], reference: str) -> None:
    """Medians over rounds; CPU is per request, summed over the whole run of each row."""
    print(f"\n{title}")
    print(
        f"  {'':44} {'req/s':>6} {'rounds':>10} {'p50':>8} {'p99':>8} {'x ping':>6}"
        f"  {'CPU/request: server':>19} {'load gen':>8} {'errors':>6}"
    )
    ping = _median(results[reference], "rate")
    for label, rounds in results.items():
        requests = sum(r.requests for r in rounds)
        errors = sum(r.non_2xx + r.socket_errors for r in rounds)
        print(
            f"  {label:44} {_median(rounds, 'rate'):6.0f}"
            f" {f'{min(r.rate for r in rounds):.0f}-{max(r.rate for r in rounds):.0f}':>10}"
            f" {_median(rounds, 'p50_ms'):5.1f} ms {_median(rounds, 'p99_ms'):5.0f} ms"
            f" {_median(rounds, 'rate') / ping:6.2f}"
            f"  {sum(r.server_cpu for r in rounds) / requests * 1e6:16.0f} us"
            f" {sum(r.client_cpu for r in rounds) / requests * 1e6:5.0f} us {errors:6d}"
        )
    for label, rounds in results.items():
        if any(r.non_2xx or r.socket_errors for r in rounds):
            print(
                f"  !! {label}: {sum(r.non_2xx for r in rounds)} non-2xx responses, "
                f"{sum(r.socket_errors for r in rounds)} socket errors"
            )


# --- Main


def http_bench(args: argparse.Namespace, env: dict[str, str], token: str, use_wrk: bool) -> None:
    import candidates  # bench/ is on sys.path when this file runs as a script

    config = (
        f"WEB_CONCURRENCY={args.workers or 'default'}"
        + (f", GUNICORN_THREADS={args.threads}" if args.threads else "")
    )
    with (
        gunicorn(env, args.workers, args.threads) as shipped,
        gunicorn(env, args.workers, args.threads, app="candidate_wsgi") as candidate,
    ):
        ping, one, batch = SCENARIOS
        cells = [
            Cell(ping.label, shipped, ping),
            Cell(one.label, shipped, one),
            Cell(batch.label, shipped, batch),
            Cell(f"{ping.label}, changed", candidate, ping),
            Cell(f"{one.label}, changed", candidate, one),
            Cell(f"{batch.label}, changed", candidate, batch),
        ]
        results = interleaved(
            cells, token, args.rounds, args.seconds, args.warmup, use_wrk,
            # No row inherits another's throttle history (DRF's grows with every request).
            before_each=_flush_redis,
        )
    print_http_table(
        f"gunicorn ({config}), {args.rounds} interleaved rounds x {args.seconds:g} s per row;"
        " medians of rounds",
        results, ping.label,
    )
    rates = {label: _median(rounds, "rate") for label, rounds in results.items()}
    print(
        f"  -> predict / ping throughput: 1 flower {rates[one.label] / rates[ping.label]:.2f},"
        f" 100 rows {rates[batch.label] / rates[ping.label]:.2f}"
        f" ({rates[batch.label] * 100:,.0f} rows/s)"
    )
    # Server CPU per request moves far less with the neighbours than throughput does.
    cpu = {
        label: sum(r.server_cpu for r in rounds) / sum(r.requests for r in rounds)
        for label, rounds in results.items()
    }
    print(
        "  -> the same from server CPU per request (ping / predict): 1 flower"
        f" {cpu[ping.label] / cpu[one.label]:.2f},"
        f" 100 rows {cpu[ping.label] / cpu[batch.label]:.2f}"
    )
    print(
        f"  -> changed ({' + '.join(candidates.RECOMMENDED)}; bench/candidates.py) / shipped:"
        f"\n     ping {rates[cells[3].label] / rates[ping.label]:.2f},"
        f" predict 1 flower {rates[cells[4].label] / rates[one.label]:.2f},"
        f" 100 rows {rates[cells[5].label] / rates[batch.label]:.2f}"
    )


SWEEP = [(5, None), (3, None), (2, 2), (2, 4), (3, 2), (3, 4), (5, 2)]


def sweep(env: dict[str, str], token: str, use_wrk: bool, seconds: float, app: str) -> None:
    """Compare worker counts and classes: every server runs at once, loaded in turn."""
    ping, one = SCENARIOS[:2]
    with contextlib.ExitStack() as stack:
        cells = []
        for workers, threads in SWEEP:
            server = stack.enter_context(gunicorn(env, workers, threads, app=app))
            name = f"{workers} x " + (f"gthread, {threads} threads" if threads else "sync")
            cells += [
                Cell(f"{name}: ping", server, ping), Cell(f"{name}: predict", server, one)
            ]
        results = interleaved(cells, token, 2, seconds, 1, use_wrk, before_each=_flush_redis)
    print_http_table(
        f"Worker sweep, {app}: 2 interleaved rounds x {seconds:g} s per row", results,
        cells[0].label,
    )


def main() -> None:
    # Clean up (stop gunicorn, drop the database) on Ctrl-C or a SIGTERM from bench/run.py,
    # even when started in the background, where SIGINT is ignored.
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6, help="per row per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1, help="per row, before round 1")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: the config's)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (>1 means gthread)")
    parser.add_argument(
        "--sweep", action="store_true",
        help="compare worker counts and sync/gthread (about 5 minutes) instead",
    )
    parser.add_argument(
        "--changed", action="store_true",
        help="sweep the server with bench/candidates.py applied (candidate_wsgi)",
    )
    parser.add_argument("--profile-requests", type=int, default=2000)
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    args = parser.parse_args()
    use_wrk = not args.python_load and wrk_available()
    load_average = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} CPUs, load average {load_average:.1f}; load from "
        + ("wrk -t 2" if use_wrk else "a Python process (16 keep-alive threads)")
        + f", concurrency {CONCURRENCY}, 127.0.0.1"
    )
    if load_average > 0.5 * (os.cpu_count() or 1):
        print("  !! the machine is busy: absolute figures will be low; ratios hold better")
    env = bench_env()
    started = time.perf_counter()
    with bench_database():
        token = prepare(env)
        if args.sweep:
            sweep(
                env, token, use_wrk, args.seconds,
                "candidate_wsgi" if args.changed else "flower_power.wsgi",
            )
        else:
            http_bench(args, env, token, use_wrk)
            profile(env, token, args.profile_requests, SCENARIOS)
    print(f"bench_http: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
