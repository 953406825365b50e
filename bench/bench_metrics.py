"""What the Prometheus metrics cost: the prediction path with and without them, and a scrape.

In-process (the WSGI application called directly, no HTTP), so the difference is the metrics'
own: the request middleware and the prediction counters (METRICS_ENABLED on) against neither
(the middleware removed, every recording call a no-op). Blocks of requests alternate between
the two, best of BLOCKS each: a busy machine slows some blocks down, never speeds one up.
"""

import os
import tempfile
import time

import common
from http_profile import wsgi_call

DB_NAME = "fp_bench_metrics"
REDIS_URL = "redis://127.0.0.1:6379/9"
COUNT = 300
BLOCKS = 6
SCRAPES = 200
ONE = b'{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
BATCH = b'{"instances": [' + b", ".join([b"[6.7, 3.3, 5.7, 2.5]"] * 100) + b"]}"

TOKEN_SCRIPT = """
from django.contrib.auth import get_user_model
from trainees.services import token_issue
user, _ = get_user_model().objects.get_or_create(username="bench", display_name="Bench")
print("TOKEN=" + token_issue(user=user, name="bench")[1])
"""


def _block(application, body: bytes, token: str) -> tuple[float, float]:
    """(wall, CPU) seconds per request over COUNT requests."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(COUNT):
        wsgi_call(application, "POST", "/api/v1/predict/", body, token)
    return (time.perf_counter() - wall) / COUNT, (time.process_time() - cpu) / COUNT


def _cpu_per_call(function, calls: int = 50_000) -> float:
    best = 1.0
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            function()
        best = min(best, (time.process_time() - started) / calls)
    return best


def _own_cost() -> None:
    """The metrics' own code on one prediction request, timed alone (end to end, a few
    microseconds drown in a busy machine's noise): the middleware around a response that is
    already there, and the prediction counters for one flower and for 100."""
    import numpy as np
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from flower_power.metrics import predictions_record
    from flower_power.metrics.middleware import RequestMetricsMiddleware

    request = RequestFactory().post("/api/v1/predict/", ONE, content_type="application/json")
    request.resolver_match = resolve("/api/v1/predict/")
    response = HttpResponse()
    middleware = RequestMetricsMiddleware(lambda request: response)
    one = np.asarray([[0.98, 0.015, 0.005]], dtype=np.float32)
    batch = np.random.default_rng(0).random((100, 3), dtype=np.float32)
    bare = _cpu_per_call(lambda: response)
    figures = {
        "request middleware": _cpu_per_call(lambda: middleware(request)) - bare,
        "prediction counters, 1 flower": _cpu_per_call(lambda: predictions_record(1, one)),
        "prediction counters, 100 flowers": _cpu_per_call(lambda: predictions_record(1, batch)),
    }
    print("\nThe metrics' own code, CPU per call (best of 5 x 50,000):")
    for label, seconds in figures.items():
        print(f"  {label:34} {seconds * 1e6:6.2f} us")
    print(f"  {'a 1-flower prediction in all':34} "
          f"{(figures['request middleware'] + figures['prediction counters, 1 flower']) * 1e6:6.2f}"
          " us")


def main() -> None:
    common.stop_on_signals()
    directory = tempfile.mkdtemp(prefix="fp-bench-metrics-")
    env = common.bench_env(db_name=DB_NAME, redis_url=REDIS_URL,
                           PROMETHEUS_MULTIPROC_DIR=directory, METRICS_ENABLED="true")
    with common.bench_database(DB_NAME, REDIS_URL):
        common.prepare_model(env)
        output = common.manage(env, "shell", "-c", TOKEN_SCRIPT)
        token = next(line[6:] for line in output.splitlines() if line.startswith("TOKEN="))
        scraper = common.manage(env, "metrics_token").strip()
        common.django_setup(env)
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import override_settings

        from flower_power import metrics
        from flower_power.metrics.collectors import exposition

        metrics.prepare_multiprocess_dir()
        with_metrics = WSGIHandler()
        from django.conf import settings

        plain = [m for m in settings.MIDDLEWARE if not m.startswith("flower_power.metrics")]
        with override_settings(MIDDLEWARE=plain):
            without = WSGIHandler()
        for application in (with_metrics, without):
            assert wsgi_call(application, "POST", "/api/v1/predict/", ONE, token) == 200

        print(f"\nPOST /api/v1/predict/ in-process, best of {BLOCKS} blocks of {COUNT}:")
        print(f"  {'':24} {'without':>16} {'with metrics':>16} {'cost':>16}")
        for label, body in (("1 flower", ONE), ("100 flowers", BATCH)):
            best = {True: (1.0, 1.0), False: (1.0, 1.0)}
            for _ in range(BLOCKS):
                for enabled, application in ((False, without), (True, with_metrics)):
                    metrics.ENABLED = enabled
                    wall, cpu = _block(application, body, token)
                    best[enabled] = (min(best[enabled][0], wall), min(best[enabled][1], cpu))
            off, on = best[False], best[True]
            print(f"  {label:24} {off[0] * 1e6:9.1f} us wall {on[0] * 1e6:9.1f} us wall"
                  f" {(on[0] - off[0]) * 1e6:+9.1f} us ({(on[0] / off[0] - 1) * 100:+.1f}%)")
            print(f"  {'':24} {off[1] * 1e6:9.1f} us CPU  {on[1] * 1e6:9.1f} us CPU "
                  f" {(on[1] - off[1]) * 1e6:+9.1f} us ({(on[1] / off[1] - 1) * 100:+.1f}%)")
        metrics.ENABLED = True
        _own_cost()

        files = len(os.listdir(directory))
        size = len(exposition())
        cpu = time.process_time()
        for _ in range(SCRAPES):
            assert wsgi_call(with_metrics, "GET", "/metrics", b"", scraper) == 200
        per_scrape = (time.process_time() - cpu) / SCRAPES
        print(f"\nGET /metrics ({files} counter files, {size} bytes): {per_scrape * 1e3:.2f} ms "
              f"CPU per scrape = {per_scrape / 15 * 100:.3f}% of a core at one scrape per 15 s")


if __name__ == "__main__":
    main()
