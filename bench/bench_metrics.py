"""What the Prometheus metrics' own code costs per prediction request, and a /metrics scrape
(bench/README.md). Database fp_bench_metrics, Redis database 9."""

import argparse
import os
import tempfile
import time
import timeit

import common


def cpu_per_call(function, calls: int) -> float:
    """CPU seconds per call, best of 5 runs of `calls` calls, with the garbage collector on."""
    return min(timeit.repeat(function, "gc.enable()", time.process_time, 5, calls)) / calls


def main() -> None:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few calls of each (CI)")
    calls, scrapes = (1_000, 5) if parser.parse_args().quick else (50_000, 200)
    directory = tempfile.mkdtemp(prefix="fp-bench-metrics-")
    env = common.bench_env(db_name="fp_bench_metrics", redis_url="redis://127.0.0.1:6379/9",
                           PROMETHEUS_MULTIPROC_DIR=directory, METRICS_ENABLED="true",
                           ALLOWED_HOSTS="testserver")
    with common.bench_django(env):
        scraper = common.manage(env, "metrics_token").strip()
        import numpy as np
        from django.http import HttpResponse
        from django.test import Client, RequestFactory
        from django.urls import resolve

        from flower_power.metrics import predictions_record, prepare_multiprocess_dir
        from flower_power.metrics.middleware import RequestMetricsMiddleware

        prepare_multiprocess_dir()
        request = RequestFactory().post("/api/v1/predict/", {}, content_type="application/json")
        request.resolver_match = resolve("/api/v1/predict/")
        response = HttpResponse()
        middleware = RequestMetricsMiddleware(lambda request: response)
        one = np.asarray([[0.98, 0.015, 0.005]], dtype=np.float32)
        batch = np.random.default_rng(0).random((100, 3), dtype=np.float32)
        figures = {label: cpu_per_call(call, calls) for label, call in (
            ("request middleware", lambda: middleware(request)),
            ("prediction counters, 1 flower", lambda: predictions_record(1, one)),
            ("prediction counters, 100 flowers", lambda: predictions_record(1, batch)))}
        figures["request middleware"] -= cpu_per_call(lambda: response, calls)  # the call itself
        figures["a 1-flower prediction in all"] = (
            figures["request middleware"] + figures["prediction counters, 1 flower"])
        print(f"The metrics' own code, CPU per call (best of 5 x {calls:,}):")
        for label, seconds in figures.items():
            print(f"  {label:34} {seconds * 1e6:6.2f} us")
        client = Client(HTTP_AUTHORIZATION=f"Token {scraper}")
        cpu = time.process_time()
        for _ in range(scrapes):
            assert client.get("/metrics").status_code == 200
        per_scrape = (time.process_time() - cpu) / scrapes
        print(f"GET /metrics ({len(os.listdir(directory))} counter files): {per_scrape * 1e3:.2f}"
              f" ms CPU per scrape = {per_scrape / 15 * 100:.3f}% of a core at one per 15 s")


if __name__ == "__main__":
    main()
