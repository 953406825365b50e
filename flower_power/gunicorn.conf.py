"""Production gunicorn settings, read from the environment.

Run `gunicorn -c flower_power/gunicorn.conf.py flower_power.wsgi`. The defaults were chosen
with `bench/bench_http.py --sweep` (see bench/README.md): on 2 cores, cpu_count + 1 gthread
workers of 4 threads served predictions and the ping view faster, and with less CPU per
request, than 2 * cpu_count + 1 sync workers, mainly because gthread keeps connections alive
(sync closes each one after a response) and a worker's threads overlap its short waits on
PostgreSQL and Redis.
"""

import multiprocessing
import os


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"{name} must be true or false, not {raw!r}")


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1, minimum=1)
# GUNICORN_THREADS=1 means plain sync workers (no keep-alive), e.g. behind a buffering proxy.
threads = _int("GUNICORN_THREADS", 4, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20, minimum=1)
# Seconds an idle keep-alive connection stays open (gthread). Behind a load balancer, set it
# above the balancer's idle timeout, so gunicorn never closes a connection it is reusing.
keepalive = _int("GUNICORN_KEEPALIVE", 5, minimum=0)
# Recycle workers now and then so a slow leak cannot grow forever; jitter keeps them
# from all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2_000)

accesslog = "-" if _bool("GUNICORN_ACCESS_LOG", False) else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto (and the like) is believed only from TRUSTED_PROXIES, the same list the
# app reads (settings.py): default none, not gunicorn's own default of 127.0.0.1, since on a
# shared host anything local could claim to be the TLS proxy.
forwarded_allow_ips = ",".join(
    entry.strip() for entry in os.environ.get("TRUSTED_PROXIES", "").split(",") if entry.strip()
)

# The web side imports no TensorFlow, so preloading would save little; and a model must
# never be loaded in the master: each worker loads its LiteRT interpreter lazily on its
# first prediction (ml/serving.py), never shared across a fork.
preload_app = False
