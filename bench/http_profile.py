"""Where the time of one request goes: the in-process half of bench_http.py.

Calls the WSGI application directly (no HTTP), times each part of a request, and times
each change in bench/candidates.py against the code as shipped.
"""

import functools
import io
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable

from http_load import ROOT, Scenario


class Timers:
    """Exclusive wall-clock time per labelled function, nested calls subtracted."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[float] = []
        self._restore: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, attribute: str, label: str) -> None:
        original = getattr(owner, attribute)
        stack, totals = self._stack, self.totals

        @functools.wraps(original)
        def timed(*args, **kwargs):
            stack.append(0.0)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                totals[label] += elapsed - stack.pop()
                if stack:
                    stack[-1] += elapsed

        self._restore.append((owner, attribute, original))
        setattr(owner, attribute, timed)

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()


PARTS = {
    "token check (process cache + Redis stamp)": (
        "flower_power.api.authentication", "CachedTokenAuthentication", "authenticate"),
    "throttles (Redis INCR counters)": ("rest_framework.views", "APIView", "check_throttles"),
    "JSON parse (orjson)": ("flower_power.api.parsers", "StrictJSONParser", "parse"),
    "validation -> numpy array": ("ml.views.predict", None, "predict_payload"),
    "active-model check": ("ml.serving", "_Registry", "active"),
    "LiteRT invoke": ("ml.litert", "LiteRTClassifier", "predict_proba"),
    "result dicts": ("ml.serving", "ServedModel", "predict"),
    "render JSON (orjson)": ("flower_power.api.renderers", "FastJSONRenderer", "render"),
    "other DRF (request, negotiation, permissions)": (
        "rest_framework.views", "APIView", "dispatch"),
}


def _install_timers(timers: Timers) -> None:
    import importlib

    for label, (module, owner, attribute) in PARTS.items():
        target = importlib.import_module(module)
        timers.wrap(getattr(target, owner) if owner else target, attribute, label)


def wsgi_call(application: Callable, method: str, path: str, body: bytes, token: str) -> int:
    """One request straight into a WSGI application, as a server would make it; its status."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Token {token}", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    status = []
    response = application(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0])


def _block(
    application: Callable, scenario: Scenario, token: str, count: int, timers: Timers | None
) -> tuple[float, dict[str, float]]:
    """Seconds per request over `count` requests, in all and per timed part."""
    from django.core.cache import cache

    cache.clear()  # fresh throttle counters (and DRF's history, for "drf defaults")
    if wsgi_call(application, scenario.method, scenario.path, scenario.body or b"", token) != 200:
        raise RuntimeError(f"{scenario.label} did not answer 200 in-process")
    if timers:
        timers.totals.clear()
    started = time.perf_counter()
    for _ in range(count):
        wsgi_call(application, scenario.method, scenario.path, scenario.body or b"", token)
    elapsed = time.perf_counter() - started
    parts = {label: total / count for label, total in timers.totals.items()} if timers else {}
    return elapsed / count, parts


# Short blocks, interleaved, best of: a busy machine slows some blocks down, never speeds one up.
BLOCKS = 10


def profile(env: dict[str, str], token: str, count: int, scenarios: list[Scenario]) -> None:
    """Print where the time goes, the throttle's cost by history, and each candidate's gain."""
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()
    import candidates

    from flower_power.wsgi import application

    per_block = max(count // BLOCKS, 1)
    print(
        f"\nWhere the time goes: in one process, no HTTP; the fastest of {BLOCKS} interleaved"
        f" blocks of {per_block:,} requests"
    )
    for scenario in scenarios:  # warm up: LiteRT interpreter, connections, imports
        _block(application, scenario, token, 50, None)
    timers = Timers()
    _install_timers(timers)
    blocks: dict[Scenario, list[tuple[float, dict[str, float]]]] = defaultdict(list)
    for _ in range(BLOCKS):
        for scenario in scenarios:
            blocks[scenario].append(_block(application, scenario, token, per_block, timers))
    timers.restore()
    fastest = {s: min(blocks[s], key=lambda block: block[0]) for s in scenarios}
    totals = {s: fastest[s][0] for s in scenarios}
    parts = {s: {label: fastest[s][1].get(label, 0.0) for label in PARTS} for s in scenarios}
    names = ["ping", "predict 1", "predict 100"]
    print(f"  {'':46}" + "".join(f" {name:>14}" for name in names))

    def row(label: str, values: list[float]) -> None:
        cells = "".join(
            f" {v * 1e6:6.0f} us {v / totals[s] * 100:3.0f}%"
            for v, s in zip(values, scenarios, strict=True)
        )
        print(f"  {label:46}{cells}")

    for label in PARTS:
        row(label, [parts[s][label] for s in scenarios])
    row(
        "Django middleware, URL routing, WSGI (rest)",
        [totals[s] - sum(parts[s].values()) for s in scenarios],
    )
    row("total", [totals[s] for s in scenarios])

    throttle_history_costs()

    variants = [("as shipped", ()), *((name, (name,)) for name in candidates.NAMES)]
    rounds, per_block = BLOCKS // 2, max(count // BLOCKS // 2, 1)
    print(
        f"\nCandidate changes (bench/candidates.py), in-process; the fastest of {rounds}"
        f" interleaved blocks of {per_block:,} requests"
    )
    means: dict[str, dict[Scenario, list[float]]] = {
        label: defaultdict(list) for label, _ in variants
    }
    for _ in range(rounds):
        for label, applied in variants:
            undo = candidates.apply(applied)
            try:
                for scenario in scenarios:
                    total, _ = _block(application, scenario, token, per_block, None)
                    means[label][scenario].append(total)
            finally:
                undo()
    print(f"  {'':46}" + "".join(f" {name:>14}" for name in names))
    baseline = {s: min(means["as shipped"][s]) for s in scenarios}
    for label, applied in variants:
        head = f"  {label:46}" if len(label) <= 46 else f"  {label}\n  {'':46}"
        cells = []
        for scenario in scenarios:
            best = min(means[label][scenario])
            ratio = f"{baseline[scenario] / best:4.1f}x" if applied else ""
            cells.append(f" {best * 1e6:6.0f} us {ratio:>5}")
        print(head + "".join(cells))


def throttle_history_costs() -> None:
    """DRF's UserRateThrottle pickles every request time in its window, each request."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    print("\nDRF UserRateThrottle: cost per request by the number of requests in its window")
    request = type("Request", (), {"user": get_user_model().objects.get(username="bench")})
    throttle = UserRateThrottle()
    for length in (0, 1_000, 6_000, 60_000):
        now = time.time()
        cache.set(throttle.get_cache_key(request, None), [now - i * 1e-4 for i in range(length)])
        times = []
        for _ in range(40):
            started = time.perf_counter()
            throttle.allow_request(request, None)
            times.append(time.perf_counter() - started)
        note = {
            6_000: " (one client at THROTTLE_USER's default, 6000/min)",
            60_000: " (one client at 1,000 requests/s)",
        }.get(length, "")
        print(f"  {length:>7,} requests: {statistics.median(times) * 1e6:6.0f} us{note}")
    cache.clear()
